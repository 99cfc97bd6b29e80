"""Viber callbacks (parsed by viberbot) → channel-neutral `Incoming`."""

from __future__ import annotations

import re
from collections.abc import Callable

from viberbot.api.messages import ContactMessage, LocationMessage, PictureMessage, TextMessage
from viberbot.api.user_profile import UserProfile
from viberbot.api.viber_requests import ViberConversationStartedRequest, ViberMessageRequest

from bot.ui import PAYLOAD_MAX_BYTES, Incoming, IncomingKind, decode_payload
from core.domain.citizen import IdentityRef

PLATFORM = "viber"
_PAYLOAD_SHAPE = re.compile(r"^[A-Za-z_]+(:[^\s:]+)*$")

KnownAction = Callable[[str], bool]


def identity(user_id: str) -> IdentityRef:
    return IdentityRef(PLATFORM, user_id)


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
        identity=identity(str(user.id)),
        kind=kind,
        update_id=update_id,
        language_hint=user.language,
        display_name=user.name,
        **fields,  # type: ignore[arg-type]
    )


def started_incoming(request: ViberConversationStartedRequest) -> Incoming:
    # No dedup: each opening has a fresh token, and a redelivery means the welcome was lost.
    return _from_user(request.user, IncomingKind.STARTED, None)


def message_incoming(
    request: ViberMessageRequest, known_action: KnownAction = default_known_action
) -> Incoming:
    update_id = str(request.message_token)
    message = request.message
    user = request.sender
    match message:
        case TextMessage():
            text = (message.text or "").strip()
            if looks_like_payload(text, known_action):
                return _from_user(user, IncomingKind.BUTTON, update_id, payload=text)
            if text.startswith("/") and len(text) > 1:
                command = text[1:].split()[0].lower()
                return _from_user(user, IncomingKind.COMMAND, update_id, text=command)
            return _from_user(user, IncomingKind.TEXT, update_id, text=text)
        case PictureMessage():
            return _from_user(
                user,
                IncomingKind.PHOTO,
                update_id,
                photo_ref=message.media,
                text=message.text or None,
            )
        case LocationMessage() if message.location is not None:
            return _from_user(
                user,
                IncomingKind.LOCATION,
                update_id,
                latitude=float(message.location.latitude),
                longitude=float(message.location.longitude),
            )
        case ContactMessage() if message.contact is not None:
            return _from_user(
                user, IncomingKind.CONTACT, update_id, phone=message.contact.phone_number
            )
        case _:
            # Stickers, files, videos, links: the dialogs answer with a polite hint.
            return _from_user(user, IncomingKind.UNSUPPORTED, update_id)


def unsupported_incoming(raw: dict[str, object]) -> Incoming | None:
    """A message of a type viberbot does not know yet (it refuses to parse those)."""
    sender = raw.get("sender")
    token = raw.get("message_token")
    if not isinstance(sender, dict) or not sender.get("id") or token is None:
        return None
    user = UserProfile().from_dict(sender)
    return _from_user(user, IncomingKind.UNSUPPORTED, str(token))
