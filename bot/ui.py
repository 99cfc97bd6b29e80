"""Channel-neutral conversation types shared by every adapter and every dialog.

An adapter turns a platform update into an `Incoming`, hands it to the dialogs, and renders the
`Reply` list natively (Telegram inline keyboard, Viber rich keyboard, numbered console choices).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from core.citizens.model import IdentityRef
from core.delivery.messenger import Button, Message
from core.delivery.payloads import (
    PAYLOAD_MAX_BYTES,
    PayloadTooLongError,
    decode_payload,
    encode_payload,
)

__all__ = [
    "ID_MAX",
    "PAYLOAD_MAX_BYTES",
    "SMALL_MAX",
    "Button",
    "ButtonArgs",
    "Incoming",
    "IncomingKind",
    "PayloadTooLongError",
    "Reply",
    "StaleButtonError",
    "decode_payload",
    "encode_payload",
    "payload_ids",
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


# --- reading a payload's fields -------------------------------------------------------------

ID_MAX = 2**63 - 1  # database ids are BIGINT: anything larger cannot name a row
SMALL_MAX = 10_000  # pages and option values are small; a bound keeps SQL offsets sane
_ASCII_DIGITS = frozenset("0123456789")


class StaleButtonError(ValueError):
    """A payload no current button produces: an old keyboard, or typed text shaped like one.

    The dialog engine answers it with "this button is out of date" and the way back to the menu.
    """

    def __init__(self, payload: str | None, problem: str) -> None:
        super().__init__(f"{problem}: {payload!r:.80}")
        self.problem = problem


def _number(text: str, low: int, high: int) -> int | None:
    # str.isdigit() accepts "²" and "١", which int() refuses or reads; buttons carry ASCII only.
    if not text or len(text) > 19 or not _ASCII_DIGITS.issuperset(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


@dataclass(frozen=True, slots=True)
class ButtonArgs:
    """The fields after a payload's action, read by position, each with the type it must have."""

    payload: str | None
    fields: tuple[str, ...]

    @classmethod
    def of(cls, payload: str | None, least: int = 0, most: int | None = None) -> Self:
        """`least`..`most` fields (`most` defaults to `least`), or StaleButtonError."""
        fields = tuple(decode_payload(payload)[1]) if payload else ()
        if not least <= len(fields) <= (least if most is None else most):
            raise StaleButtonError(payload, "wrong number of fields")
        return cls(payload, fields)

    def has(self, index: int) -> bool:
        return index < len(self.fields)

    def word(self, index: int, default: str = "") -> str:
        return self.fields[index] if self.has(index) else default

    def id(self, index: int) -> int:
        """A row id: ASCII digits, 1..2^63-1."""
        value = _number(self.word(index), 1, ID_MAX)
        if value is None:
            raise StaleButtonError(self.payload, f"field {index} is not an id")
        return value

    def optional_id(self, index: int) -> int | None:
        return self.id(index) if self.has(index) else None

    def small(self, index: int, default: int | None = None) -> int:
        """A page number or an option value: ASCII digits, 0..SMALL_MAX; absent → `default`."""
        if not self.has(index) and default is not None:
            return default
        value = _number(self.word(index), 0, SMALL_MAX)
        if value is None:
            raise StaleButtonError(self.payload, f"field {index} is not a small number")
        return value


def payload_ids(payload: str | None, count: int) -> tuple[int, ...]:
    """Exactly `count` fields, each a row id: `vote:12:345` → (12, 345)."""
    args = ButtonArgs.of(payload, count)
    return tuple(args.id(i) for i in range(count))
