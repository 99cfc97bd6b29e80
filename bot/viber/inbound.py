"""Viber callbacks (parsed by viberbot) → channel-neutral `Incoming`.

viberbot copies fields without checking their types, so every value used here goes through
`bot.edge` first: a forged or broken callback raises MalformedUpdateError.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from viberbot.api.messages import ContactMessage, LocationMessage, PictureMessage, TextMessage
from viberbot.api.user_profile import UserProfile
from viberbot.api.viber_requests import ViberConversationStartedRequest, ViberMessageRequest

from bot import edge
from bot.edge import MalformedUpdateError
from bot.ui import PAYLOAD_MAX_BYTES, Incoming, IncomingKind, decode_payload
from core.citizens.model import IdentityRef, PhoneProof

PLATFORM = "viber"
_PAYLOAD_SHAPE = re.compile(r"^[A-Za-z_]+(:[^\s:]+)*$")

KnownAction = Callable[[str], bool]


def identity(user_id: object) -> IdentityRef:
    """The identity of a Viber user id as the callback gave it (raises if it cannot be one)."""
    return IdentityRef(PLATFORM, edge.opaque_id(user_id, "user id"))


def message_token(value: object) -> str:
    """Viber's message tokens are 64-bit numbers; the dedup key is their decimal text."""
    if isinstance(value, str):
        return edge.opaque_id(value, "message_token")
    return str(edge.int_id(value, "message_token", low=0, high=2**64 - 1))


def default_known_action(action: str) -> bool:
    from bot.dialogs.router import ACTIONS

    return action in ACTIONS


def looks_like_payload(text: str, known_action: KnownAction) -> bool:
    """A pressed button comes back as its ActionBody; typed text rarely has that exact shape."""
    if len(text.encode("utf-8")) > PAYLOAD_MAX_BYTES or not _PAYLOAD_SHAPE.match(text):
        return False
    action, _args = decode_payload(text)
    return known_action(action)


def _from_user(
    user: UserProfile, kind: IncomingKind, update_id: str | None, **fields: object
) -> Incoming:
    return Incoming(
        identity=identity(user.id),
        kind=kind,
        update_id=update_id,
        language_hint=edge.language_hint(user.language),
        display_name=edge.display_name(user.name),
        **fields,  # type: ignore[arg-type]
    )


def started_incoming(request: ViberConversationStartedRequest) -> Incoming:
    # No dedup: each opening has a fresh token, and a redelivery means the welcome was lost.
    # A deep link (`viber://pa?chatURI=…&context=p12`) brings its context along.
    context = edge.deep_link(request.context)
    return _from_user(request.user, IncomingKind.STARTED, None, argument=context)


def message_incoming(
    request: ViberMessageRequest, known_action: KnownAction = default_known_action
) -> Incoming:
    update_id = message_token(request.message_token)
    message = request.message
    user = request.sender
    if not isinstance(user, UserProfile):
        raise MalformedUpdateError("sender is not a user")
    match message:
        case TextMessage():
            text = edge.clean_text(message.text, "text").strip()
            if looks_like_payload(text, known_action):
                return _from_user(user, IncomingKind.BUTTON, update_id, payload=text)
            if text.startswith("/") and len(text) > 1:
                words = text[1:].split()
                argument = edge.deep_link(words[1]) if len(words) > 1 else None
                return _from_user(
                    user, IncomingKind.COMMAND, update_id, text=words[0].lower(), argument=argument
                )
            return _from_user(user, IncomingKind.TEXT, update_id, text=text)
        case PictureMessage():
            return _from_user(
                user,
                IncomingKind.PHOTO,
                update_id,
                photo_ref=edge.opaque_id(message.media, "media", edge.REF_MAX),
                text=edge.optional_text(message.text, "caption") or None,
            )
        case LocationMessage() if message.location is not None:
            return _from_user(
                user,
                IncomingKind.LOCATION,
                update_id,
                latitude=edge.coordinate(message.location.latitude, "lat", 90),
                longitude=edge.coordinate(message.location.longitude, "lon", 180),
            )
        case ContactMessage() if message.contact is not None:
            # The answer to a share-phone button and a contact picked from the address book
            # arrive alike (neither names a Viber user): the number is only claimed as the
            # sender's own. The dialogs take it only on the verify screen, and never let it
            # join an account that already holds the number without a link code.
            phone = edge.optional_text(message.contact.phone_number, "phone", edge.PHONE_MAX)
            return _from_user(
                user,
                IncomingKind.CONTACT,
                update_id,
                phone=phone or None,
                contact_proof=PhoneProof.CLAIMED,
            )
        case _:
            # Stickers, files, videos, links: the dialogs answer with a polite hint.
            return _from_user(user, IncomingKind.UNSUPPORTED, update_id)


def unsupported_incoming(raw: dict[str, object]) -> Incoming:
    """A message of a type viberbot does not know yet (it refuses to parse those)."""
    sender = raw.get("sender")
    if not isinstance(sender, dict):
        raise MalformedUpdateError("message without a sender")
    user = UserProfile().from_dict(sender)
    return _from_user(user, IncomingKind.UNSUPPORTED, message_token(raw.get("message_token")))
