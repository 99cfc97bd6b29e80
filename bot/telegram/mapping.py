"""Telegram update → channel-neutral `Incoming`. One function per event type, one shared helper.

aiogram checks the JSON types, not the values: ids beyond BIGINT, NUL bytes, lone surrogates and
huge strings pass it. `bot.edge` checks those here; what cannot be real raises MalformedUpdateError.
"""

from __future__ import annotations

import logging

from aiogram.types import CallbackQuery, Message, User

from bot import edge
from bot.ui import PAYLOAD_MAX_BYTES, Incoming, IncomingKind
from core.citizens.model import IdentityRef, PhoneProof

PLATFORM = "telegram"

log = logging.getLogger(__name__)


TEXT_MAX = 4096  # Telegram's own limit for a message; a caption has 1024
CAPTION_MAX = 1024


def identity_of(user: User) -> IdentityRef:
    return IdentityRef(PLATFORM, str(edge.int_id(user.id, "user id")))


def chat_id_of(chat_id: int) -> int:
    """Chats of groups and channels are negative; any id must fit in a signed 64-bit integer."""
    return edge.int_id(chat_id, "chat id", low=-edge.INT64_MAX)


def _incoming(user: User, kind: IncomingKind, update_id: int, **fields: object) -> Incoming:
    return Incoming(
        identity=identity_of(user),
        kind=kind,
        update_id=str(edge.int_id(update_id, "update_id", low=0)),
        language_hint=edge.language_hint(user.language_code),
        display_name=edge.display_name(user.full_name),
        **fields,  # type: ignore[arg-type]
    )


def command_name(text: str) -> str | None:
    """`/start@SpilnoBot deep-link` → `start`; None when `text` is not a command."""
    words = text[1:].split(maxsplit=1) if text.startswith("/") else []
    if not words:  # not a command, or a bare "/" followed by spaces
        return None
    return words[0].split("@", 1)[0].lower() or None


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
    chat_id_of(message.chat.id)
    if message.text is not None:
        text = edge.clean_text(message.text, "text", TEXT_MAX)
        command = command_name(text)
        if command is not None:
            words = text.split(maxsplit=1)
            argument = edge.deep_link(words[1].strip()) if len(words) > 1 else None
            return _incoming(user, IncomingKind.COMMAND, update_id, text=command, argument=argument)
        return _incoming(user, IncomingKind.TEXT, update_id, text=text)
    if message.contact is not None:
        # Only a contact the resident shares about themselves tells us their phone number.
        # A forwarded or typed contact has another user_id, or none: refused by the dialogs,
        # and its number is not even read.
        own = message.contact.user_id is not None and message.contact.user_id == user.id
        return _incoming(
            user,
            IncomingKind.CONTACT,
            update_id,
            phone=edge.clean_text(message.contact.phone_number, "phone", edge.PHONE_MAX)
            if own
            else None,
            contact_proof=PhoneProof.OWN if own else PhoneProof.FOREIGN,
        )
    if message.photo:
        largest = max(message.photo, key=lambda p: p.width * p.height)
        return _incoming(
            user,
            IncomingKind.PHOTO,
            update_id,
            photo_ref=edge.opaque_id(largest.file_id, "file_id", edge.REF_MAX),
            text=edge.optional_text(message.caption, "caption", CAPTION_MAX),
        )
    if message.location is not None:
        return _incoming(
            user,
            IncomingKind.LOCATION,
            update_id,
            latitude=edge.coordinate(message.location.latitude, "latitude", 90),
            longitude=edge.coordinate(message.location.longitude, "longitude", 180),
        )
    # Stickers, voice, video, documents, polls…: the dialogs answer with a polite hint.
    return _incoming(user, IncomingKind.UNSUPPORTED, update_id, text=message.content_type)


def callback_to_incoming(query: CallbackQuery, update_id: int) -> Incoming:
    if query.message is not None:
        chat_id_of(query.message.chat.id)
    return _incoming(query.from_user, IncomingKind.BUTTON, update_id, payload=_payload(query.data))


def _payload(data: str | None) -> str:
    """Button data is ours (≤ 64 bytes of UTF-8); anything else decodes as an out-of-date button."""
    if not data or not data.isprintable():
        return ""
    try:
        fits = len(data.encode("utf-8")) <= PAYLOAD_MAX_BYTES
    except UnicodeEncodeError:  # a lone surrogate
        return ""
    return data if fits else ""
