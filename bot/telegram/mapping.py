"""Telegram update → channel-neutral `Incoming`. One function per event type, one shared helper."""

from __future__ import annotations

import logging

from aiogram.types import CallbackQuery, Message, User

from bot.ui import Incoming, IncomingKind
from core.domain.citizen import IdentityRef

PLATFORM = "telegram"

log = logging.getLogger(__name__)


def identity_of(user: User) -> IdentityRef:
    return IdentityRef(PLATFORM, str(user.id))


def _incoming(user: User, kind: IncomingKind, update_id: int, **fields: object) -> Incoming:
    return Incoming(
        identity=identity_of(user),
        kind=kind,
        update_id=str(update_id),
        language_hint=user.language_code,
        display_name=user.full_name or None,
        **fields,  # type: ignore[arg-type]
    )


def command_name(text: str) -> str | None:
    """`/start@SpilnoBot deep-link` → `start`; None when `text` is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    word = text[1:].split(maxsplit=1)[0]
    return word.split("@", 1)[0].lower() or None


def message_to_incoming(message: Message, update_id: int) -> Incoming | None:
    """A private message → Incoming; None (with a logged reason) for what we do not serve."""
    user = message.from_user
    if user is None or user.is_bot:
        log.info("update %s ignored: message without a human sender", update_id)
        return None
    if message.chat.type != "private":
        log.info(
            "update %s ignored: %s chat, residents talk in private", update_id, message.chat.type
        )
        return None
    if message.text is not None:
        command = command_name(message.text)
        if command is not None:
            return _incoming(user, IncomingKind.COMMAND, update_id, text=command)
        return _incoming(user, IncomingKind.TEXT, update_id, text=message.text)
    if message.contact is not None:
        # Only a contact the resident shares about themselves tells us their phone number.
        own = message.contact.user_id == user.id
        return _incoming(
            user,
            IncomingKind.CONTACT,
            update_id,
            phone=message.contact.phone_number if own else None,
        )
    if message.photo:
        largest = max(message.photo, key=lambda p: p.width * p.height)
        return _incoming(
            user, IncomingKind.PHOTO, update_id, photo_ref=largest.file_id, text=message.caption
        )
    if message.location is not None:
        return _incoming(
            user,
            IncomingKind.LOCATION,
            update_id,
            latitude=message.location.latitude,
            longitude=message.location.longitude,
        )
    # Stickers, voice, video, documents, polls…: the dialogs answer with a polite hint.
    return _incoming(user, IncomingKind.UNSUPPORTED, update_id, text=message.content_type)


def callback_to_incoming(query: CallbackQuery, update_id: int) -> Incoming:
    return _incoming(query.from_user, IncomingKind.BUTTON, update_id, payload=query.data or "")
