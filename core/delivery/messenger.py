"""The Messenger port: what the core needs from a chat platform to deliver a message.

Adapters (bot/telegram, bot/viber, bot/console) implement it; the core never imports them.
Platform errors are mapped once, inside each adapter, onto the typed errors below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Button:
    """One button: a label shown to the resident and a payload routed on (never the label)."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Message:
    """A channel-neutral message: text, rows of buttons, an optional image (path, URL or bytes)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    image: str | bytes | None = None


class DeliveryError(Exception):
    """Base of the typed outcomes a Messenger raises instead of platform-specific errors."""


class RetryAfterError(DeliveryError):
    """The platform asked us to slow down: pause sending on this platform for `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class RecipientUnreachableError(DeliveryError):
    """The resident blocked the bot or left the platform: stop sending until they write again."""


class TransientDeliveryError(DeliveryError):
    """A 5xx, a timeout or a dropped connection: the same send may succeed later."""


class PermanentDeliveryError(DeliveryError):
    """The platform rejected this message for good (bad request); retrying will not help."""


class SendOutcome(StrEnum):
    SENT = "sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SendResult:
    external_id: str
    outcome: SendOutcome
    message_id: str | None = None
    error: str | None = None


@dataclass(slots=True)
class BroadcastReport:
    results: list[SendResult] = field(default_factory=list)


class Messenger(Protocol):
    """Sends messages on one platform. `platform` is the identity prefix (`telegram`, `viber`)."""

    platform: str

    async def send(self, external_id: str, message: Message) -> str:
        """Send one message; return the platform's message id or raise a DeliveryError."""
        ...


class BroadcastingMessenger(Messenger, Protocol):
    """A platform with a native multi-recipient send (Viber's broadcast_message)."""

    async def broadcast(self, external_ids: list[str], message: Message) -> BroadcastReport:
        """Send to many; one SendResult per receiver. A failed batch fails only its receivers."""
        ...
