"""The Messenger port: what the core needs from a chat platform to deliver a message.

Adapters (bot/telegram, bot/viber, bot/console) implement it; the core never imports them.
Platform errors are mapped once, inside each adapter (one table each), onto the typed
outcomes below: the core matches on them and knows no platform's codes, texts or limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

# Re-exported: adapters and workers name a bot's key with the port (core/delivery/messengers.py).
from core.delivery.messengers import BotKey as BotKey
from core.delivery.messengers import Messengers as Messengers


@dataclass(frozen=True, slots=True)
class Button:
    """One button: a label shown to the resident and a payload routed on (never the label)."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file sent with a reply ("my data" as JSON). A channel without files (Viber) sends its
    text instead, in pages; so documents are UTF-8 text."""

    filename: str
    data: bytes
    mime_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class Message:
    """A channel-neutral message: text, rows of buttons, an optional image (path, URL or bytes)
    and an optional document (replies only: pushes never carry one)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    image: str | bytes | None = None
    document: Document | None = None


class Scope(StrEnum):
    """Who a rate limit holds back: every send of the bot, or only sends to one chat."""

    BOT = "bot"
    CHAT = "chat"


@dataclass(frozen=True, slots=True)
class Sent:
    """Delivered; `message_id` is the platform's id of the (last) message."""

    message_id: str


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The resident blocked the bot or left the platform: stop sending until they write again."""

    reason: str


@dataclass(frozen=True, slots=True)
class RateLimited:
    """The platform asked us to slow down: hold back `scope` for `retry_after` seconds."""

    retry_after: float
    scope: Scope = Scope.BOT


@dataclass(frozen=True, slots=True)
class Transient:
    """A 5xx, a timeout or a dropped connection: the same send may succeed later."""

    reason: str


@dataclass(frozen=True, slots=True)
class Permanent:
    """The platform rejected this message for good (bad request); retrying will not help."""

    reason: str


# What one send came to. Closed: a consumer's `match` handles exactly these five.
SendOutcome = Sent | Unreachable | RateLimited | Transient | Permanent
Failure = Unreachable | RateLimited | Transient | Permanent


@dataclass(frozen=True, slots=True)
class SendResult:
    """One receiver's outcome within a native broadcast."""

    external_id: str
    outcome: SendOutcome


@dataclass(slots=True)
class BroadcastReport:
    results: list[SendResult] = field(default_factory=list)


class Messenger(Protocol):
    """Sends messages on one platform. `platform` is the identity prefix (`telegram`, `viber`)."""

    platform: str

    async def send(self, external_id: str, message: Message) -> SendOutcome:
        """Send one message. Platform failures come back as outcomes, never as exceptions;
        an exception means a bug."""
        ...


class BroadcastingMessenger(Messenger, Protocol):
    """A platform with a native multi-recipient send (Viber's broadcast_message)."""

    async def broadcast(self, external_ids: list[str], message: Message) -> BroadcastReport:
        """Send to many; one SendResult per receiver. A failed batch fails only its receivers."""
        ...
