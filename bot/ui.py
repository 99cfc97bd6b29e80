"""Channel-neutral conversation types shared by every adapter and every dialog.

An adapter turns a platform update into an `Incoming`, hands it to the dialogs, and renders the
`Reply` list natively (Telegram inline keyboard, Viber rich keyboard, numbered console choices).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.delivery.messenger import Button, Message
from core.delivery.payloads import (
    PAYLOAD_MAX_BYTES,
    PayloadTooLongError,
    decode_payload,
    encode_payload,
)
from core.domain.citizen import IdentityRef

__all__ = [
    "PAYLOAD_MAX_BYTES",
    "Button",
    "Incoming",
    "IncomingKind",
    "PayloadTooLongError",
    "Reply",
    "decode_payload",
    "encode_payload",
]

Reply = Message
"""A reply to the resident: text, rows of buttons, optional image."""


class IncomingKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"  # /start, /help, /language, /stop — text holds the command name
    BUTTON = "button"  # payload holds the pressed button's payload
    CONTACT = "contact"
    PHOTO = "photo"
    LOCATION = "location"
    STARTED = "started"  # the resident opened the bot (Viber conversation_started)
    UNSUPPORTED = "unsupported"  # stickers, voice, files where none is asked


@dataclass(frozen=True, slots=True)
class Incoming:
    identity: IdentityRef
    kind: IncomingKind
    text: str | None = None
    payload: str | None = None
    update_id: str | None = None  # platform update id, for dedup; None = do not dedupe
    language_hint: str | None = None  # platform language code (Telegram language_code)
    display_name: str | None = None
    photo_ref: str | None = None  # platform file id / URL
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
