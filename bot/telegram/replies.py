"""Replies to a resident's own update: edit the screen in place as plain Bot API JSON (new
messages go out through the bulk path's `send_bulk`), every call paced by the chat's lane.

The same lean path as bulk delivery (bot_api.py) rather than aiogram's models: a reply is on
every update's critical path, and building and validating pydantic models for the request and
its answer cost about as much CPU as the rest of the Telegram side of an update together.
Errors keep the shape of the bulk path (`BotApiError`): `outcome_of` reads them both.
"""

from __future__ import annotations

from typing import Any

from bot.flood import Lane
from bot.telegram.bot_api import ApiCaller, BotApi, BotApiError, Upload
from bot.telegram.messenger import outcome_of
from bot.telegram.rendering import TEXT_LIMIT, contact_keyboard_json, inline_keyboard_json
from core.delivery.messenger import Message, SendOutcome, Sent


async def edit_reply(
    api: ApiCaller, chat_id: int, message_id: int, message: Message
) -> SendOutcome | None:
    """Replace a text message in place. None when Telegram cannot edit it (send anew instead)."""
    if (
        message.image is not None
        or message.document is not None
        or len(message.text) > TEXT_LIMIT
        or not message.text
    ):
        return None
    if contact_keyboard_json(message.buttons) is not None:
        return None  # a reply keyboard cannot be put on a message by editing it
    params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": message.text}
    markup = inline_keyboard_json(message.buttons)
    if markup is not None:
        params["reply_markup"] = markup
    try:
        await api.call("editMessageText", params)
    except Exception as error:
        outcome = outcome_of(error)
        if outcome is None:
            raise  # a bug, not a refusal
        if isinstance(error, BotApiError) and error.status == 400 and not error.retry_after:
            # "not modified" (Sent in the error table): the screen already is what it should
            # be, a double tap. Any other refusal (too old, a photo, deleted): send anew.
            return outcome if isinstance(outcome, Sent) else None
        return outcome
    return Sent(str(message_id))


class PacedApi:
    """The Bot API as replies to one chat see it: each call waits for the chat's lane.

    Telegram's 429 does not say whether the bot or the chat went too fast. One that follows
    traffic to this chat (within the lane's window) is taken as the chat's: it pauses this lane
    only, and its outcome says so; the caller leaves the rest of the bot alone. Any other 429
    is the bot's.
    """

    def __init__(self, api: BotApi, lane: Lane) -> None:
        self._api = api
        self._lane = lane

    async def call(self, method: str, params: dict[str, Any], upload: Upload | None = None) -> Any:
        await self._lane.take()
        busy = self._lane.busy()
        try:
            return await self._api.call(method, params, upload)
        except BotApiError as error:
            if error.retry_after and busy:
                self._lane.pause(float(error.retry_after))
                error.chat_scoped = True  # RateLimited(scope=CHAT): the bot carries on
            raise
        finally:
            self._lane.stamp()
