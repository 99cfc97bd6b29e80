"""Sending to Telegram: the error table, the bot-wide 429 pause, and the core `Messenger` port.

One send path for bulk delivery and replies alike: `send_bulk` posts plain JSON through
`BotApi` (bot_api.py); aiogram's models are only used to receive updates. Every failure of a
call is mapped here, once, by `ERROR_TABLE` onto the core's typed outcomes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot

from bot.telegram.bot_api import (
    ApiCaller,
    BotApi,
    BotApiError,
    UndecodableAnswerError,
    Upload,
)
from bot.telegram.rendering import (
    CAPTION_LIMIT,
    REMOVE_KEYBOARD,
    TEXT_LIMIT,
    contact_keyboard_json,
    inline_keyboard_json,
    split_last_paragraph,
    split_text,
)
from core.delivery.messenger import (
    Message,
    Permanent,
    RateLimited,
    Scope,
    SendOutcome,
    Sent,
    Transient,
    Unreachable,
)
from core.delivery.worker import PlatformLimits
from core.kernel.redaction import redact

PLATFORM = "telegram"

# Telegram's documented caps: ~30 messages/s per bot, about one per second per chat.
DEFAULT_LIMITS = PlatformLimits.for_cap(30.0, per_chat_s=1.0)


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the error table: an answer matches when its status is in `statuses` and its
    description holds one of `words` (any description when `words` is empty)."""

    statuses: frozenset[int] | None  # None: any status
    words: tuple[str, ...]
    kind: type[SendOutcome]


_ANY = None
# The first matching row wins; the same order of checks as aiogram's check_response.
# A 429 (retry_after) is checked before the table: it is RateLimited whatever the status.
ERROR_TABLE: tuple[Row, ...] = (
    Row(frozenset({403}), (), Unreachable),  # blocked by the user / user deactivated
    # An edit that changes nothing: the screen already is what it should be.
    Row(frozenset({400}), ("message is not modified",), Sent),
    Row(
        frozenset({400}), ("chat not found", "user is deactivated", "peer_id_invalid"), Unreachable
    ),
    Row(frozenset({409, *range(500, 600)}), (), Transient),
    Row(_ANY, (), Permanent),  # other 400s, 401, 404, 413 …
)
# Failures on the way there or back: the same call may succeed later.
TRANSPORT_ERRORS = (UndecodableAnswerError, aiohttp.ClientError, TimeoutError, OSError)


def outcome_of(error: BaseException) -> SendOutcome | None:
    """The core's view of a failed Bot API call; None when it is not a delivery failure (a bug)."""
    reason = redact(f"{type(error).__name__}: {error}")
    if isinstance(error, BotApiError):
        if error.retry_after:
            scope = Scope.CHAT if error.chat_scoped else Scope.BOT
            return RateLimited(float(error.retry_after), scope)
        description = error.description.lower()
        for row in ERROR_TABLE:
            if row.statuses is not None and error.status not in row.statuses:
                continue
            if row.words and not any(word in description for word in row.words):
                continue
            return Sent("") if row.kind is Sent else row.kind(reason)  # type: ignore[call-arg]
    if isinstance(error, TRANSPORT_ERRORS):
        return Transient(reason)
    return None


class SendPause:
    """After a 429 Telegram wants *the bot* to slow down, not one chat: one pause for all sends."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until = 0.0

    def pause(self, seconds: float) -> None:
        self._until = max(self._until, self._clock() + seconds)

    def remaining(self) -> float:
        return max(0.0, self._until - self._clock())

    async def wait(self) -> None:
        # A loop, not one sleep: another 429 may extend the pause while we wait.
        while (left := self.remaining()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)


class TelegramMessenger:
    """The core `Messenger` for bulk delivery: one send, a typed outcome, never a retry loop.

    Retrying is the delivery layer's job; a 429 pauses every later send from this bot until it
    passes, and those sends come back RateLimited at once without touching the network.
    """

    platform = PLATFORM

    def __init__(
        self, bot: Bot, pause: SendPause | None = None, limits: PlatformLimits | None = None
    ) -> None:
        self.bot = bot
        self.pause = pause or SendPause()
        self.limits = limits or DEFAULT_LIMITS
        self._api = BotApi(bot)

    async def send(self, external_id: str, message: Message) -> SendOutcome:
        if (left := self.pause.remaining()) > 0:
            return RateLimited(left, Scope.BOT)
        # A public channel may be addressed by its @username (the audit anchor's channel).
        chat: int | str = external_id if external_id.startswith("@") else int(external_id)
        outcome = await send(self._api, chat, message)
        if isinstance(outcome, RateLimited) and outcome.scope is Scope.BOT:
            self.pause.pause(outcome.retry_after)
        return outcome


async def send(
    api: ApiCaller, chat_id: int | str, message: Message, *, remove_keyboard: bool = False
) -> SendOutcome:
    """Send `message` through `api` (a bulk send or a chat's paced reply) as one outcome.

    `remove_keyboard`: a message without buttons also takes away a share-contact keyboard."""
    try:
        if (contact := contact_keyboard_json(message.buttons)) is not None:
            return Sent(str(await _send_contact_request(api, chat_id, message, contact)))
        return Sent(str(await send_bulk(api, chat_id, message, remove_keyboard=remove_keyboard)))
    except Exception as error:
        outcome = outcome_of(error)
        if outcome is None:
            raise
        return outcome


async def _send_contact_request(
    api: ApiCaller, chat_id: int | str, message: Message, contact: dict[str, Any]
) -> int:
    """A message with a share-contact button. Telegram shows `request_contact` only on a reply
    keyboard, and a message carries one keyboard: the text before the last paragraph goes
    with the inline buttons (the way back), the last paragraph with the share button."""
    head, tail = split_last_paragraph(message.text)
    if head and inline_keyboard_json(message.buttons) is not None:
        await send_bulk(api, chat_id, Message(head, message.buttons))
        message = Message(tail)
    sent = await api.call(
        "sendMessage", {"chat_id": chat_id, "text": message.text, "reply_markup": contact}
    )
    return int(sent["message_id"])


async def send_bulk(
    api: ApiCaller, chat_id: int | str, message: Message, *, remove_keyboard: bool = False
) -> int:
    """Send `message` (split if long, buttons under the last part); return the last message id.

    Bot API errors propagate untranslated (`outcome_of` reads them)."""
    markup = inline_keyboard_json(message.buttons)
    if markup is None and remove_keyboard:
        markup = REMOVE_KEYBOARD
    text = message.text
    if message.document is not None:  # first: the text and its buttons come under it
        document = message.document
        await api.call(
            "sendDocument", {"chat_id": chat_id}, ("document", document.filename, document.data)
        )
    if message.image is not None:
        fits = len(text) <= CAPTION_LIMIT
        params: dict[str, Any] = {"chat_id": chat_id}
        if fits and text:
            params["caption"] = text
        if fits and markup is not None:
            params["reply_markup"] = markup
        upload = await _upload(message.image)
        if upload is None:
            params["photo"] = message.image
        sent = await api.call("sendPhoto", params, upload)
        if fits:
            return int(sent["message_id"])
    parts = split_text(text, TEXT_LIMIT)
    message_id = 0
    for index, part in enumerate(parts):
        params = {"chat_id": chat_id, "text": part}
        if index == len(parts) - 1 and markup is not None:
            params["reply_markup"] = markup
        sent = await api.call("sendMessage", params)
        message_id = int(sent["message_id"])
    return message_id


async def _upload(image: str | bytes) -> Upload | None:
    """The file to upload, or None for a URL / Telegram file_id sent as it is."""
    if isinstance(image, bytes):
        return ("photo", "image.jpg", image)
    if image.startswith(("http://", "https://")):
        return None
    content = await asyncio.to_thread(_read_local_file, image)
    return None if content is None else ("photo", Path(image).name, content)


def _read_local_file(image: str) -> bytes | None:
    path = Path(image)
    return path.read_bytes() if path.is_file() else None
