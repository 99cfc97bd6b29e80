"""Bot API calls for every send (bulk delivery and replies) without aiogram's models: JSON out, the answer's fields back.

aiogram builds a pydantic model for every request and every answer, which caps a process at
~800 sends/s. A broadcast needs none of that: it posts the same few fields to `sendMessage`
and reads back `message_id`, or `error_code`, `description` and `parameters.retry_after`.
This client reuses the aiogram bot's own aiohttp session (one keep-alive pool, closed with the
bot) and its API server, so `SPILNO_TELEGRAM_API_URL` and the timeout hold here too.

Replies to a resident's own update use it too, through their chat's lane (replies.py).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import aiohttp
from aiogram import Bot

# A file to upload: (form field, file name, content).
Upload = tuple[str, str, bytes]


class BotApiError(Exception):
    """The Bot API refused a call. Carries what Telegram said; never the URL (it holds the token)."""

    def __init__(
        self, method: str, status: int, description: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"Telegram {method} {status}: {description}")
        self.method = method
        self.status = status
        self.description = description
        self.retry_after = retry_after
        # Set by a chat's paced view (replies.PacedApi) when the 429 is that chat's, not the bot's.
        self.chat_scoped = False


class UndecodableAnswerError(Exception):
    """The answer was not the Bot API's JSON (a proxy's error page, a cut-off body)."""


class ApiCaller(Protocol):
    """What sending needs from the Bot API: `BotApi`, or a reply's paced view of it."""

    async def call(
        self, method: str, params: dict[str, Any], upload: Upload | None = None
    ) -> Any: ...


class BotApi:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._urls: dict[str, str] = {}
        self._timeout = aiohttp.ClientTimeout(total=float(bot.session.timeout))

    def _url(self, method: str) -> str:
        url = self._urls.get(method)
        if url is None:
            url = self._urls[method] = self._bot.session.api.api_url(
                token=self._bot.token, method=method
            )
        return url

    async def call(self, method: str, params: dict[str, Any], upload: Upload | None = None) -> Any:
        """`result` of a successful call; BotApiError when Telegram refuses it.

        Transport failures (aiohttp.ClientError, TimeoutError, OSError) propagate as they are.
        """
        session = await self._bot.session.create_session()  # type: ignore[attr-defined]
        if upload is None:
            body: Any = json.dumps(params, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json"}
        else:
            body, headers = _multipart(params, upload), {}
        async with session.post(
            self._url(method), data=body, headers=headers, timeout=self._timeout
        ) as response:
            status = response.status
            raw = await response.read()
        try:
            answer = json.loads(raw)
            ok = answer["ok"] is True
        except (ValueError, TypeError, KeyError):
            raise UndecodableAnswerError(
                f"Telegram {method} {status}: not a Bot API answer ({len(raw)} bytes)"
            ) from None
        if ok and 200 <= status < 300:
            return answer.get("result")
        parameters = answer.get("parameters") or {}
        raise BotApiError(
            method,
            status,
            str(answer.get("description") or ""),
            parameters.get("retry_after") or None,
        )


def _multipart(params: dict[str, Any], upload: Upload) -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        form.add_field(key, str(value))
    field, filename, content = upload
    form.add_field(field, content, filename=filename)
    return form
