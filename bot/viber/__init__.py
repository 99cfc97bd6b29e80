"""The Viber channel: signed webhook in, rich keyboards and batched broadcasts out.

viberbot supplies the message/keyboard models and callback parsing; sending goes through our own
async client (`ViberMessenger`) because viberbot's sender is synchronous, has a hard-coded URL,
no timeout, no broadcast, and puts the token in the request body.
"""
