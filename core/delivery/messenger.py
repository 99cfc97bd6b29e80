"""The Messenger port: what the core needs from a chat platform to deliver a message.

Adapters (bot/telegram, bot/viber, bot/console) implement it; the core never imports them.
Platform errors are mapped once, inside each adapter (one table each), onto the typed
outcomes below: the core matches on them and knows no platform's codes, texts or limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from core.hromadas.scope import DEFAULT_HROMADA_ID


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


@dataclass(frozen=True, slots=True, order=True)
class BotKey:
    """One bot: a hromada's bot on one platform (at most one each, `bots` table)."""

    hromada_id: int
    platform: str

    @classmethod
    def of(cls, key: BotKey | str) -> BotKey:
        """A bare platform name is the first hromada's bot (a single-city installation)."""
        return key if isinstance(key, BotKey) else cls(DEFAULT_HROMADA_ID, key)

    @property
    def budget(self) -> str:
        """The bot's row in `delivery_platforms` (its send budget and 429 pause, shared by
        every worker); the first hromada's keeps the platform's name from before hromadas."""
        if self.hromada_id == DEFAULT_HROMADA_ID:
            return self.platform
        return f"{self.platform}@{self.hromada_id}"

    def __str__(self) -> str:
        return self.budget


class Messengers(dict[BotKey, Messenger]):
    """Every bot's Messenger by (hromada, platform). Bots come and go while running (a hromada
    sets a new bot), so workers keep this very dict and look it up on each batch. A bare
    platform name as the key means the first hromada's bot."""

    def __setitem__(self, key: BotKey | str, value: Messenger) -> None:
        super().__setitem__(BotKey.of(key), value)

    def __getitem__(self, key: BotKey | str) -> Messenger:
        return super().__getitem__(BotKey.of(key))

    def __delitem__(self, key: BotKey | str) -> None:
        super().__delitem__(BotKey.of(key))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, BotKey | str) and super().__contains__(BotKey.of(key))

    def get(self, key: BotKey | str, default: Messenger | None = None) -> Messenger | None:  # type: ignore[override]
        return super().get(BotKey.of(key), default)

    def pop(self, key: BotKey | str, *default: Messenger | None) -> Messenger | None:  # type: ignore[override]
        return super().pop(BotKey.of(key), *default)
