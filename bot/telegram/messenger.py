"""Sending to Telegram: the error table, the bot-wide 429 pause, and the core `Messenger` port.

Every Telegram failure is translated here, once, onto the core's typed delivery errors:

    429 (retry_after)                  → RetryAfterError(seconds); the whole bot pauses
    403 blocked / deactivated          → RecipientUnreachableError
    400 chat not found / deactivated   → RecipientUnreachableError
    400 message is not modified        → not an error
    other 400, 401, 404, too large     → PermanentDeliveryError
    5xx, 409, timeouts, connection errors, undecodable answers → TransientDeliveryError

The table holds for both ways of sending: aiogram's exceptions (interactive replies) and the
bulk path's `BotApiError` (bot_api.py), which carries the same status and description.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, FSInputFile, InputFile

from bot.telegram.bot_api import (
    ApiCaller,
    BotApi,
    BotApiError,
    UndecodableAnswerError,
    Upload,
)
from bot.telegram.redact import redact
from bot.telegram.rendering import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    inline_keyboard,
    inline_keyboard_json,
    split_text,
)
from core.delivery.messenger import (
    DeliveryError,
    Message,
    PermanentDeliveryError,
    RecipientUnreachableError,
    RetryAfterError,
    TransientDeliveryError,
)

PLATFORM = "telegram"

_NOT_MODIFIED = "message is not modified"
_GONE_400 = ("chat not found", "user is deactivated", "peer_id_invalid")


def translate_error(error: BaseException) -> DeliveryError | None:
    """The core's view of a Telegram failure; None when it is not a failure at all."""
    reason = redact(f"{type(error).__name__}: {error}")
    match error:
        case BotApiError():
            return _translate_api_error(error, reason)
        case UndecodableAnswerError():
            return TransientDeliveryError(reason)
        case TelegramRetryAfter():
            return RetryAfterError(float(error.retry_after))
        case TelegramForbiddenError():
            return RecipientUnreachableError(reason)
        case TelegramBadRequest() if _NOT_MODIFIED in error.message:
            return None
        case TelegramBadRequest() if any(g in error.message.lower() for g in _GONE_400):
            return RecipientUnreachableError(reason)
        case TelegramEntityTooLarge():  # a subclass of the network error, but permanent
            return PermanentDeliveryError(reason)
        case (
            TelegramServerError()
            | TelegramNetworkError()
            | TelegramConflictError()
            | ClientDecodeError()
            | aiohttp.ClientError()
            | TimeoutError()
        ):
            return TransientDeliveryError(reason)
        case TelegramAPIError():
            return PermanentDeliveryError(reason)
        case OSError():
            return TransientDeliveryError(reason)
    return None  # not a delivery failure: a bug, let it surface


def _translate_api_error(error: BotApiError, reason: str) -> DeliveryError | None:
    # The same order of checks as aiogram's check_response, so both paths agree.
    if error.retry_after:
        return RetryAfterError(float(error.retry_after))
    description = error.description.lower()
    if error.status == 403:
        return RecipientUnreachableError(reason)
    if error.status == 400 and _NOT_MODIFIED in description:
        return None
    if error.status == 400 and any(g in description for g in _GONE_400):
        return RecipientUnreachableError(reason)
    if error.status == 409 or error.status >= 500:
        return TransientDeliveryError(reason)
    return PermanentDeliveryError(reason)


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


def _input_file(image: str | bytes) -> InputFile | str:
    if isinstance(image, bytes):
        return BufferedInputFile(image, filename="image.jpg")
    if not image.startswith(("http://", "https://")) and Path(image).is_file():
        return FSInputFile(image)
    return image  # a URL or a Telegram file_id


async def send_message(bot: Bot, chat_id: int | str, message: Message) -> int:
    """Send `message` (split if long, buttons under the last part); return the last message id.

    aiogram errors propagate untranslated: callers decide between retrying and translating.
    """
    markup = inline_keyboard(message.buttons)
    text = message.text
    if message.image is not None:
        fits = len(text) <= CAPTION_LIMIT
        sent = await bot.send_photo(
            chat_id,
            _input_file(message.image),
            caption=text if fits and text else None,
            reply_markup=markup if fits else None,
        )
        if fits:
            return sent.message_id
    parts = split_text(text, TEXT_LIMIT)
    message_id = 0
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent = await bot.send_message(chat_id, part, reply_markup=markup if last else None)
        message_id = sent.message_id
    return message_id


class TelegramMessenger:
    """The core `Messenger` for bulk delivery: one send, typed errors, never a retry loop.

    Retrying is the delivery layer's job; a 429 pauses every later send from this bot until it
    passes, and those sends raise RetryAfterError at once without touching the network.
    Sends go through `BotApi` (plain JSON over the bot's aiohttp session), not aiogram's models:
    a broadcast is thousands of identical calls and aiogram's per-call cost would cap the rate.
    """

    platform = PLATFORM

    def __init__(self, bot: Bot, pause: SendPause | None = None) -> None:
        self.bot = bot
        self.pause = pause or SendPause()
        # Another kind of aiogram session (a test double, a custom one) keeps aiogram's path.
        self._api = BotApi(bot) if isinstance(bot.session, AiohttpSession) else None

    async def send(self, external_id: str, message: Message) -> str:
        if (left := self.pause.remaining()) > 0:
            raise RetryAfterError(left)
        try:
            if self._api is None:
                return str(await send_message(self.bot, int(external_id), message))
            return str(await send_bulk(self._api, int(external_id), message))
        except Exception as error:
            translated = translate_error(error)
            if translated is None:
                raise
            if isinstance(translated, RetryAfterError):
                self.pause.pause(translated.seconds)
            raise translated from None


async def send_bulk(api: ApiCaller, chat_id: int, message: Message) -> int:
    """`send_message` without aiogram's models: the same parts, caption and keyboard placement."""
    markup = inline_keyboard_json(message.buttons)
    text = message.text
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
