"""Channel-neutral conversation types shared by every adapter and every dialog.

An adapter turns a platform update into an `Incoming`, hands it to the dialogs, and renders the
`Reply` list natively (Telegram inline keyboard, Viber rich keyboard, numbered console choices).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Annotated, ClassVar, Self, get_args, get_type_hints

from core.citizens.model import IdentityRef, PhoneProof
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
    "Action",
    "Button",
    "ButtonArgs",
    "Id",
    "Incoming",
    "IncomingKind",
    "PayloadTooLongError",
    "Reply",
    "ShareContact",
    "Small",
    "StaleButtonError",
    "Word",
    "decode_payload",
    "encode_payload",
    "payload_ids",
    "read_id",
]

Reply = Message
"""A reply to the resident: text, rows of buttons, optional image."""


@dataclass(frozen=True, slots=True)
class ShareContact(Button):
    """A button that asks the platform to send the resident's own phone number: Telegram a
    reply-keyboard button with `request_contact`, Viber a `share-phone` button. The answer
    comes back as an `Incoming` of kind CONTACT. `payload` is where a channel that cannot
    share a contact (the console) goes instead."""


class IncomingKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"  # /start, /help, /language, /stop — text holds the command name,
    # `argument` a deep link's start parameter (`/start p12`)
    BUTTON = "button"  # payload holds the pressed button's payload
    CONTACT = "contact"
    PHOTO = "photo"
    LOCATION = "location"
    STARTED = "started"  # the resident opened the bot (Viber conversation_started; a deep
    # link's `context` in `argument`)
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
    # CONTACT: the number as the platform sent it (none for a FOREIGN contact: not even read);
    # never in a repr, so never in a log line. `contact_proof`: how far the platform proves it
    # is the sender's own (Telegram: OWN or FOREIGN; Viber: CLAIMED, it cannot tell).
    phone: str | None = field(default=None, repr=False)
    contact_proof: PhoneProof = PhoneProof.FOREIGN
    # A deep link's parameter ([A-Za-z0-9_-], ≤ 64, as Telegram allows; bot/edge.py).
    argument: str | None = None


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


def read_id(payload: str | None, text: str | None) -> int:
    """One field already split off `payload`, read as a row id, or StaleButtonError."""
    value = _number(text or "", 1, ID_MAX)
    if value is None:
        raise StaleButtonError(payload, "field is not an id")
    return value


def payload_ids(payload: str | None, count: int) -> tuple[int, ...]:
    """Exactly `count` fields, each a row id: `vote:12:345` → (12, 345)."""
    args = ButtonArgs.of(payload, count)
    return tuple(args.id(i) for i in range(count))


# --- typed button payloads ------------------------------------------------------------------


class _Kind:
    """How one payload field is read: `Id` (a row id), `Small` (page, option value), `Word`."""

    def __init__(self, name: str, read: Callable[[str], object | None]) -> None:
        self.name = name
        self.read = read


Id = Annotated[int, _Kind("id", lambda text: _number(text, 1, ID_MAX))]
Small = Annotated[int, _Kind("small number", lambda text: _number(text, 0, SMALL_MAX))]
Word = Annotated[str, _Kind("word", lambda text: text)]


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    kind: _Kind
    required: bool


class Action:
    """A button's payload as a typed value, in the spirit of aiogram's `CallbackData`.

    Subclasses are frozen dataclasses with a unique `PREFIX` and `Id` / `Small` / `Word` fields
    (optionally defaulted, trailing): `Vote(12, 345).pack() == "vote:12:345"`, and
    `Vote.unpack("vote:12:345") == Vote(12, 345)`. A payload no current button produces raises
    `StaleButtonError`. `IGNORES_EXTRA` keeps accepting fields an older keyboard may carry
    where the screen never read them.
    """

    PREFIX: ClassVar[str]
    IGNORES_EXTRA: ClassVar[bool] = False

    def pack(self) -> str:
        values = [getattr(self, f.name) for f in _fields(type(self))]
        while values and values[-1] is None:
            values.pop()  # absent optional fields leave no trailing separators
        return encode_payload(self.PREFIX, *values)

    @classmethod
    def unpack(cls, payload: str) -> Self:
        action, texts = decode_payload(payload)
        if action != cls.PREFIX:
            raise StaleButtonError(payload, "another action")
        fields = _fields(cls)
        if cls.IGNORES_EXTRA:
            texts = texts[: len(fields)]
        least = sum(f.required for f in fields)
        if not least <= len(texts) <= len(fields):
            raise StaleButtonError(payload, "wrong number of fields")
        values: dict[str, object] = {}
        for index, (spec, text) in enumerate(zip(fields, texts, strict=False)):
            value = spec.kind.read(text)
            if value is None:
                raise StaleButtonError(payload, f"field {index} is not a {spec.kind.name}")
            values[spec.name] = value
        try:
            return cls(**values)
        except ValueError as error:  # a field outside the action's own choices
            raise StaleButtonError(payload, str(error)) from None


@cache
def _fields(cls: type[Action]) -> tuple[_Field, ...]:
    hints = get_type_hints(cls, include_extras=True)
    specs = []
    for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
        kinds = [
            m for a in get_args(hints[spec.name]) for m in _metadata(a) if isinstance(m, _Kind)
        ]
        if not kinds:
            raise TypeError(f"{cls.__name__}.{spec.name} is not an Id, Small or Word")
        required = spec.default is dataclasses.MISSING
        specs.append(_Field(spec.name, kinds[0], required))
    return tuple(specs)


def _metadata(hint: object) -> tuple[object, ...]:
    # `Id` is Annotated[int, kind]; `Id | None` is a Union whose first member is that Annotated.
    return (hint, *getattr(hint, "__metadata__", ()))
