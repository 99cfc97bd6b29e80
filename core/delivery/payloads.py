"""Button payload codec, shared by the dialogs and by core-rendered bulk messages.

`action:arg1:arg2`, at most 64 bytes of UTF-8 (Telegram's callback_data limit; Viber allows
more, so the strictest rules). Routing uses payloads, never translated button text.
"""

from __future__ import annotations

PAYLOAD_MAX_BYTES = 64
_SEPARATOR = ":"


class PayloadTooLongError(ValueError):
    pass


def encode_payload(action: str, *args: object) -> str:
    """Encode a button payload, refusing anything over 64 bytes."""
    parts = [action, *(str(a) for a in args)]
    if any(_SEPARATOR in p for p in parts):
        raise ValueError(f"payload parts must not contain {_SEPARATOR!r}: {parts!r}")
    payload = _SEPARATOR.join(parts)
    if len(payload.encode("utf-8")) > PAYLOAD_MAX_BYTES:
        raise PayloadTooLongError(f"payload over {PAYLOAD_MAX_BYTES} bytes: {payload!r}")
    return payload


def decode_payload(payload: str) -> tuple[str, list[str]]:
    action, *args = payload.split(_SEPARATOR)
    return action, args
