"""A fake Telegram Bot API server for adapter tests, e2e tests and benchmarks.

It speaks the subset of the Bot API Spilno uses, the way aiogram talks to it (form-encoded or
multipart POSTs to `/bot<token>/<method>`, complex fields as JSON strings), records every call,
serves queued updates to `getUpdates`, POSTs updates to a registered webhook, and misbehaves on
demand: 429 with `retry_after`, 403 for a blocked chat, any 400/5xx, added latency, and
Telegram's flood control per bot (`rate_cap`) and per chat (`chat_cap`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

TOKEN = "123456:TEST-token-AAAAAAAAAAAAAAAAAAAAAAAAAAA"
BOT_ID = 123456

# Methods whose calls put a message in a chat (what a resident sees).
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
# What counts against one chat's flood limit: every message that appears or changes there.
CHAT_METHODS = SEND_METHODS | {"editMessageText"}
_JSON_FIELDS = frozenset({"reply_markup", "allowed_updates", "commands", "scope", "entities"})


@dataclass(frozen=True)
class Call:
    """One request the bot made: the method, its decoded parameters, when, and our answer."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str | None:
        return self.params.get("text") or self.params.get("caption")

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}
        return markup.get("inline_keyboard", [])

    @property
    def reply_keyboard(self) -> list[list[dict[str, Any]]]:
        """A reply keyboard's buttons (share-contact requests); [] for an inline keyboard."""
        markup = self.params.get("reply_markup") or {}
        return markup.get("keyboard", [])

    def button(self, label_part: str) -> dict[str, Any]:
        """The first button whose label contains `label_part`."""
        for row in self.keyboard:
            for button in row:
                if label_part in button["text"]:
                    return button
        raise LookupError(f"no button with {label_part!r} in {self.keyboard!r}")


@dataclass
class Failure:
    """An injected error answer for the next matching call."""

    method: str | None
    status: int
    description: str
    retry_after: int | None = None
    chat_id: int | None = None


@dataclass
class _StoredMessage:
    chat_id: int
    message_id: int
    text: str | None
    reply_markup: Any


@dataclass
class FakeTelegramAPI:
    token: str = TOKEN
    host: str = "127.0.0.1"
    username: str = "spilno_test_bot"  # what getMe says
    latency: float = 0.0
    calls: list[Call] = field(default_factory=list)
    # Files uploaded with sendDocument: (chat id, file name, content).
    documents: list[tuple[int, str, bytes]] = field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    commands: dict[str | None, list[dict[str, Any]]] = field(default_factory=dict)
    blocked_chats: set[int] = field(default_factory=set)
    record_calls: bool = True
    # Channels and groups getChat/getChatMember know: "@name" or id → (chat, bot's member info).
    chats: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    on_call: Callable[[Call], None] | None = None
    # Like Telegram's flood control: more than `rate_cap` sends in any one second get a 429.
    rate_cap: int | None = None
    rate_limited: int = 0
    # Like Telegram's per-chat flood control (about one message a second): more than `chat_cap`
    # messages to one chat in any `chat_window_s` seconds get a 429 with `chat_retry_after`, and
    # so does every later one to that chat until that time has passed.
    chat_cap: int | None = None
    chat_window_s: float = 3.0
    chat_retry_after: int = 5
    chat_rate_limited: int = 0

    def __post_init__(self) -> None:
        self._recent_sends: deque[float] = deque()
        self._chat_sends: dict[int, deque[float]] = {}
        self._chat_flood_until: dict[int, float] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._updates: deque[dict[str, Any]] = deque()
        self._updates_ready = asyncio.Event()
        self._failures: list[Failure] = []
        self._messages: dict[tuple[int, int], _StoredMessage] = {}
        self._message_ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._client: aiohttp.ClientSession | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._port}"

    async def start(self) -> FakeTelegramAPI:
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeTelegramAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- misbehaviour on demand ------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` (None: any method) with this error."""
        for _ in range(times):
            self._failures.append(Failure(method, status, description, retry_after, chat_id))

    def rate_limit_next(self, method: str, retry_after: int = 1) -> None:
        self.fail_next(
            method,
            429,
            f"Too Many Requests: retry after {retry_after}",
            retry_after=retry_after,
        )

    def add_channel(
        self,
        username: str,
        chat_id: int,
        *,
        title: str = "Channel",
        bot_status: str = "administrator",
        can_post: bool = True,
    ) -> None:
        """A channel the bot is `bot_status` in (administrator, member, left…)."""
        chat = {"id": chat_id, "type": "channel", "title": title, "username": username}
        member: dict[str, Any] = {"status": bot_status, "user": _user(BOT_ID, None, is_bot=True)}
        if bot_status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=False,
                can_restrict_members=False,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
                can_send_welcome_messages=False,
                can_post_messages=can_post,
                can_edit_messages=can_post,
            )
        self.chats["@" + username] = self.chats[str(chat_id)] = (chat, member)

    def block(self, chat_id: int) -> None:
        """The resident blocked the bot: every send to them is a 403 until `unblock`."""
        self.blocked_chats.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked_chats.discard(chat_id)

    # ---- updates -----------------------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def message_update(
        self,
        user_id: int,
        text: str | None = None,
        *,
        language_code: str | None = "uk",
        update_id: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A private-chat message update; `content` adds e.g. sticker=…, photo=…, contact=…."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Olena"},
            "from": _user(user_id, language_code),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(content)
        return {"update_id": update_id or self.next_update_id(), "message": message}

    def contact_update(
        self,
        user_id: int,
        phone_number: str,
        *,
        owner: int | None = None,
        language_code: str | None = "uk",
    ) -> dict[str, Any]:
        """What Telegram sends for a shared contact: the resident's own (a `request_contact`
        button: `user_id` is theirs), another user's forwarded card (`owner`), or a contact
        typed into the address book (`owner=0`: Telegram then sends no `user_id`)."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": "Olena"}
        owner = user_id if owner is None else owner
        if owner:
            contact["user_id"] = owner
        return self.message_update(user_id, language_code=language_code, contact=contact)

    def callback_update(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int | None = None,
        language_code: str | None = "uk",
        update_id: int | None = None,
    ) -> dict[str, Any]:
        """A button press on `message_id` (default: the last message the bot sent this user)."""
        if message_id is None:
            message_id = self.last_message_id(user_id)
        stored = self._messages.get((user_id, message_id))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Olena"},
            "from": _user(BOT_ID, None, is_bot=True),
            "text": stored.text if stored and stored.text else "…",
        }
        return {
            "update_id": update_id or self.next_update_id(),
            "callback_query": {
                "id": str(next(self._message_ids)),
                "from": _user(user_id, language_code),
                "chat_instance": f"ci{user_id}",
                "message": message,
                "data": data,
            },
        }

    def seed_message(self, chat_id: int, text: str, reply_markup: Any = None) -> int:
        """Pretend the bot already sent `text` to this chat (e.g. a poll screen); its id."""
        return int(self._store(chat_id, text, reply_markup)["message_id"])

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Make `update` available to the next getUpdates."""
        self._updates.append(update)
        self._updates_ready.set()
        return update

    async def post_to_webhook(
        self, update: dict[str, Any], *, secret: str | bool | None = True
    ) -> int:
        """POST `update` to the registered webhook as Telegram would; return the HTTP status.

        `secret=True` sends the secret registered with setWebhook, None sends no header, a string
        sends that string.
        """
        if self.webhook_url is None:
            raise RuntimeError("no webhook registered (setWebhook was not called)")
        if self._client is None:
            self._client = aiohttp.ClientSession()
        headers = {}
        token = self.webhook_secret if secret is True else secret
        if isinstance(token, str):
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        async with self._client.post(self.webhook_url, json=update, headers=headers) as resp:
            body = await resp.read()
            status = resp.status
        if status == 200 and body.startswith(b"{"):
            # The bot may answer with one method in the response; Telegram executes it.
            params = json.loads(body)
            method = params.pop("method", None)
            if method:
                await self._record(Call(method, params, time.monotonic()))
        return status

    # ---- what the bot did ------------------------------------------------------------------

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or c.chat_id == chat_id)
        ]

    def sent_to(self, chat_id: int) -> list[Call]:
        """Messages sent and edited in this chat, oldest first."""
        return [
            c
            for c in self.calls
            if c.ok
            and c.chat_id == chat_id
            and (c.method in SEND_METHODS or c.method == "editMessageText")
        ]

    def screen(self, chat_id: int) -> list[tuple[int, str | None, list[list[dict[str, Any]]]]]:
        """What the chat shows now, oldest first: (message_id, text, inline keyboard rows)."""
        stored = sorted(
            (m for m in self._messages.values() if m.chat_id == chat_id),
            key=lambda m: m.message_id,
        )
        return [
            (m.message_id, m.text, (m.reply_markup or {}).get("inline_keyboard", []))
            for m in stored
        ]

    def find_button(self, chat_id: int, label_part: str) -> tuple[int, str]:
        """(message_id, callback_data) of the newest button whose label contains `label_part`."""
        for message_id, _text, rows in reversed(self.screen(chat_id)):
            for row in rows:
                for button in row:
                    if label_part in button["text"]:
                        return message_id, button["callback_data"]
        raise LookupError(f"no button with {label_part!r} in chat {chat_id}")

    def last_message_id(self, chat_id: int) -> int:
        ids = [k[1] for k in self._messages if k[0] == chat_id]
        if not ids:
            raise LookupError(f"the bot has not sent anything to {chat_id}")
        return max(ids)

    async def wait_for(
        self, predicate: Callable[[Call], bool], *, count: int = 1, within: float = 10.0
    ) -> list[Call]:
        """Wait until at least `count` recorded calls satisfy `predicate`; return them."""

        def matching() -> list[Call]:
            return [c for c in self.calls if predicate(c)]

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(matching()) >= count), within)
        return matching()

    async def wait_for_method(
        self, method: str, *, chat_id: int | None = None, count: int = 1, within: float = 10.0
    ) -> list[Call]:
        return await self.wait_for(
            lambda c: c.method == method and (chat_id is None or c.chat_id == chat_id),
            count=count,
            within=within,
        )

    def _over_cap(self, now: float) -> bool:
        while self._recent_sends and self._recent_sends[0] <= now - 1.0:
            self._recent_sends.popleft()
        if len(self._recent_sends) >= (self.rate_cap or 0):
            return True
        self._recent_sends.append(now)
        return False

    def _chat_flood_wait(self, method: str, params: dict[str, Any], now: float) -> int | None:
        """Seconds the chat must wait (the 429's retry_after), or None when the call may pass."""
        chat_id = _int_or_none(params.get("chat_id"))
        if self.chat_cap is None or method not in CHAT_METHODS or chat_id is None:
            return None
        until = self._chat_flood_until.get(chat_id, 0.0)
        if now < until:
            return max(1, math.ceil(until - now))
        sends = self._chat_sends.setdefault(chat_id, deque())
        while sends and sends[0] <= now - self.chat_window_s:
            sends.popleft()
        if len(sends) >= self.chat_cap:
            self._chat_flood_until[chat_id] = now + self.chat_retry_after
            return self.chat_retry_after
        sends.append(now)
        return None

    # ---- the API ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _read_params(request, files := {})
        if method == "sendDocument" and "document" in files:
            filename, data = files["document"]
            params["_document"] = (filename, data)
        arrived = time.monotonic()
        if self.rate_cap is not None and method in SEND_METHODS and self._over_cap(arrived):
            self.rate_limited += 1
            response = _error(429, "Too Many Requests: retry after 1", retry_after=1)
            await self._record(Call(method, params, arrived, response.status))
            return response
        if (wait := self._chat_flood_wait(method, params, arrived)) is not None:
            self.chat_rate_limited += 1
            response = _error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
            await self._record(Call(method, params, arrived, response.status))
            return response
        response = await self._answer(method, params)
        await self._record(Call(method, params, arrived, response.status))
        return response

    async def _answer(self, method: str, params: dict[str, Any]) -> web.Response:
        if self.latency and method != "getUpdates":
            await asyncio.sleep(self.latency)
        chat_id = _int_or_none(params.get("chat_id"))
        failure = self._take_failure(method, chat_id)
        if failure is not None:
            return _error(failure.status, failure.description, failure.retry_after)
        if chat_id in self.blocked_chats:
            return _error(403, "Forbidden: bot was blocked by the user")
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        return await handler(params)

    async def _record(self, call: Call) -> None:
        if self.record_calls:
            self.calls.append(call)
            async with self._changed:
                self._changed.notify_all()
        if self.on_call is not None:
            self.on_call(call)

    def _take_failure(self, method: str, chat_id: int | None) -> Failure | None:
        for index, failure in enumerate(self._failures):
            if failure.method not in (None, method):
                continue
            if failure.chat_id is not None and failure.chat_id != chat_id:
                continue
            return self._failures.pop(index)
        return None

    async def _api_getMe(self, _params: dict[str, Any]) -> web.Response:
        return _ok(
            {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Spilno",
                "username": self.username,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    async def _api_getChat(self, params: dict[str, Any]) -> web.Response:
        found = self.chats.get(str(params.get("chat_id")))
        if found is None:
            return _error(400, "Bad Request: chat not found")
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return _ok(
            {
                **found[0],
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": gifts,
            }
        )

    async def _api_getChatMember(self, params: dict[str, Any]) -> web.Response:
        found = self.chats.get(str(params.get("chat_id")))
        if found is None:
            return _error(400, "Bad Request: chat not found")
        if int(params.get("user_id") or 0) != BOT_ID:
            return _ok({"status": "left", "user": _user(int(params["user_id"]), None)})
        return _ok(found[1])

    async def _api_getUpdates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        if not self._updates:
            self._updates_ready.clear()
            timeout = min(float(params.get("timeout") or 0), 0.5)  # short: fast teardown
            if timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._updates_ready.wait(), timeout)
        limit = int(params.get("limit") or 100)
        return _ok([u for u in list(self._updates) if u["update_id"] >= offset][:limit])

    async def _api_setWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook_url = params["url"]
        self.webhook_secret = params.get("secret_token")
        return _ok(True)

    async def _api_deleteWebhook(self, _params: dict[str, Any]) -> web.Response:
        self.webhook_url = None
        self.webhook_secret = None
        return _ok(True)

    async def _api_getWebhookInfo(self, _params: dict[str, Any]) -> web.Response:
        return _ok(
            {
                "url": self.webhook_url or "",
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
        )

    async def _api_setMyCommands(self, params: dict[str, Any]) -> web.Response:
        self.commands[params.get("language_code") or None] = params["commands"]
        return _ok(True)

    async def _api_deleteMyCommands(self, params: dict[str, Any]) -> web.Response:
        self.commands.pop(params.get("language_code") or None, None)
        return _ok(True)

    async def _api_answerCallbackQuery(self, _params: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _api_sendMessage(self, params: dict[str, Any]) -> web.Response:
        text = params.get("text") or ""
        if not text:
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        chat = str(params["chat_id"])
        if chat.startswith("@"):  # a public channel by its username, as Telegram allows
            if chat not in self.chats:
                return _error(400, "Bad Request: chat not found")
            chat = str(self.chats[chat][0]["id"])
        return _ok(self._store(int(chat), text, params.get("reply_markup")))

    async def _api_sendPhoto(self, params: dict[str, Any]) -> web.Response:
        caption = params.get("caption")
        if caption and len(caption) > 1024:
            return _error(400, "Bad Request: message caption is too long")
        message = self._store(int(params["chat_id"]), None, params.get("reply_markup"))
        message["photo"] = [
            {"file_id": "AgAD-photo", "file_unique_id": "u1", "width": 1, "height": 1}
        ]
        if caption:
            message["caption"] = caption
        return _ok(message)

    async def _api_sendDocument(self, params: dict[str, Any]) -> web.Response:
        upload = params.pop("_document", None)
        if upload is None:
            return _error(400, "Bad Request: there is no document in the request")
        filename, data = upload
        if len(data) > 50 * 1024 * 1024:
            return _error(400, "Bad Request: file is too big")
        self.documents.append((int(params["chat_id"]), filename, data))
        message = self._store(int(params["chat_id"]), None, params.get("reply_markup"))
        message["document"] = {"file_id": "BQAD-doc", "file_unique_id": "d1", "file_name": filename}
        return _ok(message)

    async def _api_editMessageText(self, params: dict[str, Any]) -> web.Response:
        key = (int(params["chat_id"]), int(params["message_id"]))
        stored = self._messages.get(key)
        if stored is None:
            return _error(400, "Bad Request: message to edit not found")
        if stored.text is None:
            return _error(400, "Bad Request: there is no text in the message to edit")
        text = params.get("text") or ""
        markup = params.get("reply_markup")
        if text == stored.text and markup == stored.reply_markup:
            return _error(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        stored.text, stored.reply_markup = text, markup
        return _ok(self._as_message(stored))

    def _store(self, chat_id: int, text: str | None, markup: Any) -> dict[str, Any]:
        stored = _StoredMessage(chat_id, next(self._message_ids), text, markup)
        self._messages[(chat_id, stored.message_id)] = stored
        return self._as_message(stored)

    @staticmethod
    def _as_message(stored: _StoredMessage) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": stored.message_id,
            "date": int(time.time()),
            "chat": {"id": stored.chat_id, "type": "private"},
            "from": _user(BOT_ID, None, is_bot=True),
        }
        if stored.text is not None:
            message["text"] = stored.text
        if stored.reply_markup:
            message["reply_markup"] = stored.reply_markup
        return message


def _user(user_id: int, language_code: str | None, *, is_bot: bool = False) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": "Olena"}
    if language_code:
        user["language_code"] = language_code
    return user


async def _read_params(
    request: web.Request, files: dict[str, tuple[str, bytes]] | None = None
) -> dict[str, Any]:
    if request.content_type == "application/json":
        raw: dict[str, Any] = await request.json()
    else:
        raw = {}
        for key, value in (await request.post()).items():
            if not isinstance(value, str) and files is not None:
                files[key] = (value.filename, value.file.read())
            raw[key] = value if isinstance(value, str) else "<file>"
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _JSON_FIELDS and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        params[key] = value
    return params


def _int_or_none(value: Any) -> int | None:
    # "@channel" is a chat id too (getChat); only numeric ids address a stored chat.
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


class FakeTelegramServers:
    """Several bots' fake Bot APIs behind one URL, as Telegram serves every bot: one
    SPILNO_TELEGRAM_API_URL for all hromadas' bots. Each request goes to the fake whose token
    it names; bots can be added while it runs."""

    def __init__(self, *fakes: FakeTelegramAPI, host: str = "127.0.0.1") -> None:
        self.host = host
        self.by_token: dict[str, FakeTelegramAPI] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0
        for fake in fakes:
            self.add(fake)

    def add(self, fake: FakeTelegramAPI) -> FakeTelegramAPI:
        self.by_token[fake.token] = fake
        return fake

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._port}"

    async def _route(self, request: web.Request) -> web.Response:
        fake = self.by_token.get(request.match_info["token"])
        if fake is None:
            return _error(401, "Unauthorized")
        return await fake._handle(request)

    async def __aenter__(self) -> FakeTelegramServers:
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_post("/bot{token}/{method}", self._route)
        app.router.add_get("/bot{token}/{method}", self._route)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for fake in self.by_token.values():
            if fake._client is not None:
                await fake._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
