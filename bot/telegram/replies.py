"""Replies to a resident's own update: edit the screen in place as plain Bot API JSON (new
messages go out through the bulk path's `send_bulk`).

The same lean path as bulk delivery (bot_api.py) rather than aiogram's models: a reply is on
every update's critical path, and building and validating pydantic models for the request and
its answer cost about as much CPU as the rest of the Telegram side of an update together.
Errors keep the shape of the bulk path (`BotApiError`), so `translate_error` reads them both.
"""

from __future__ import annotations

from typing import Any

from bot.telegram.bot_api import BotApi, BotApiError
from bot.telegram.messenger import translate_error
from bot.telegram.rendering import TEXT_LIMIT, inline_keyboard_json
from core.delivery.messenger import Message


async def edit_reply(api: BotApi, chat_id: int, message_id: int, message: Message) -> bool:
    """Replace a text message in place. False when Telegram cannot edit it (send anew instead)."""
    if message.image is not None or len(message.text) > TEXT_LIMIT or not message.text:
        return False
    params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": message.text}
    markup = inline_keyboard_json(message.buttons)
    if markup is not None:
        params["reply_markup"] = markup
    try:
        await api.call("editMessageText", params)
    except BotApiError as error:
        if error.status != 400 or error.retry_after:
            raise
        # "not modified" (no failure in the error table): the screen already is what it should
        # be, a double tap. Any other refusal (too old, a photo, deleted): send a new message.
        return translate_error(error) is None
    return True
