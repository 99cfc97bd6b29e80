"""A fake Viber REST API on 127.0.0.1 (random port) for adapter tests, e2e tests and benchmarks.

It behaves like Viber where our adapter depends on it:
- answers `set_webhook`, `send_message`, `broadcast_message`, `get_account_info` with Viber's
  status codes, checking the `X-Viber-Auth-Token` header (wrong token → status 2);
- on `set_webhook` it POSTs the signed `webhook` check to the URL and refuses the URL unless
  it answers 200;
- sends signed callbacks (`conversation_started`, `subscribed`, `message`, `unsubscribed`, …)
  to the registered webhook, signing with the real scheme (HMAC-SHA256 of the body);
- tracks subscriptions: a resident's message subscribes them, `unsubscribed` ends it, and a
  send to someone not subscribed fails with status 6 (per receiver in broadcasts);
- records every call and can inject failures: a status code, an HTTP status, or latency.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web

AUTH_HEADER = "X-Viber-Auth-Token"
SIGNATURE_HEADER = "X-Viber-Content-Signature"
TEXT_LIMIT = 7000
BROADCAST_LIMIT = 300

STATUS_MESSAGES = {
    0: "ok",
    2: "invalidAuthToken",
    3: "badData",
    4: "missingData",
    5: "receiverNotRegistered",
    6: "notSubscribed",
    11: "receiverNoSuitableDevice",
    12: "tooManyRequests",
}

_UNSIGNED = object()


def sign(token: str, body: bytes) -> str:
    """Viber's scheme, written out independently of the adapter under test."""
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ViberUser:
    id: str
    name: str = "Олена"
    language: str = "uk"
    country: str = "UA"
    api_version: int = 10

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "avatar": "https://example.org/avatar.jpg",
            "language": self.language,
            "country": self.country,
            "api_version": self.api_version,
        }


@dataclass
class ApiCall:
    endpoint: str
    body: dict[str, Any]
    auth_token: str | None
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.answer.get("status") == 0


@dataclass
class Injected:
    """One injected failure for an endpoint: a Viber status, an HTTP status, or a delay."""

    status: int | None = None
    http_status: int | None = None
    delay_s: float = 0.0


@dataclass
class CallbackResult:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class FakeViberApi:
    token: str
    host: str = "127.0.0.1"
    calls: list[ApiCall] = field(default_factory=list)
    webhook_url: str | None = None
    event_types: list[str] = field(default_factory=list)
    subscribed: set[str] = field(default_factory=set)
    receiver_errors: dict[str, int] = field(default_factory=dict)
    latency_s: float = 0.0

    def __post_init__(self) -> None:
        self._failures: dict[str, list[Injected]] = {}
        self._tokens: Iterator[int] = itertools.count(5_400_000_000_000_000_001)
        self._timestamps: Iterator[int] = itertools.count(1_764_000_000_000, 1000)
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> Self:
        app = web.Application()
        for endpoint in ("set_webhook", "send_message", "broadcast_message", "get_account_info"):
            app.router.add_post(f"/pa/{endpoint}", self._endpoint(endpoint))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """What SPILNO_VIBER_API_URL points at."""
        return f"http://{self.host}:{self.port}/pa"

    # -- failure injection -----------------------------------------------------------------

    def fail_next(
        self,
        endpoint: str,
        *,
        status: int | None = None,
        http_status: int | None = None,
        delay_s: float = 0.0,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Fail the next `times` calls to `endpoint`, once `after` more calls have succeeded."""
        queue = self._failures.setdefault(endpoint, [])
        queue.extend(Injected() for _ in range(after))
        queue.extend(Injected(status, http_status, delay_s) for _ in range(times))

    # -- what was called -------------------------------------------------------------------

    def calls_to(self, endpoint: str) -> list[ApiCall]:
        return [c for c in self.calls if c.endpoint == endpoint]

    def messages_to(self, receiver: str) -> list[dict[str, Any]]:
        """Bodies of the accepted send_message calls to `receiver`, in order."""
        return [
            c.body
            for c in self.calls
            if c.endpoint == "send_message" and c.body.get("receiver") == receiver and c.accepted
        ]

    # -- the REST API ----------------------------------------------------------------------

    def _endpoint(self, endpoint: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            body = await request.json()
            call = ApiCall(endpoint, body, request.headers.get(AUTH_HEADER))
            self.calls.append(call)
            injected = self._failures.get(endpoint, [])
            failure = injected.pop(0) if injected else None
            delay = self.latency_s + (failure.delay_s if failure else 0.0)
            if delay:
                await asyncio.sleep(delay)
            if failure and failure.http_status:
                return web.Response(status=failure.http_status, text="injected failure")
            if call.auth_token != self.token:
                call.answer = self._answer(2)
            elif failure and failure.status is not None:
                call.answer = self._answer(failure.status)
            else:
                call.answer = await getattr(self, f"_{endpoint}")(body)
            return web.json_response(call.answer)

        return handle

    @staticmethod
    def _answer(status: int, **extra: Any) -> dict[str, Any]:
        return {"status": status, "status_message": STATUS_MESSAGES.get(status, "error"), **extra}

    async def _set_webhook(self, body: dict[str, Any]) -> dict[str, Any]:
        url = body.get("url")
        if not url:
            self.webhook_url = None
            return self._answer(0)
        check = {
            "event": "webhook",
            "timestamp": next(self._timestamps),
            "chat_hostname": "SN-FAKE_",
            "message_token": next(self._tokens),
        }
        try:
            result = await self._post_signed(url, json.dumps(check).encode())
        except aiohttp.ClientError:
            return {"status": 1, "status_message": "invalidUrl"}
        if result.status != 200:
            return {"status": 1, "status_message": f"invalidUrl: webhook answered {result.status}"}
        self.webhook_url = url
        self.event_types = list(body.get("event_types") or [])
        return self._answer(0, event_types=self.event_types)

    def _message_problem(self, body: dict[str, Any]) -> int | None:
        if body.get("type") == "text" and not body.get("text"):
            return 4
        if len(body.get("text") or "") > TEXT_LIMIT:
            return 3
        if not (body.get("sender") or {}).get("name"):
            return 4
        for button in (body.get("keyboard") or {}).get("Buttons", []):
            if not 1 <= int(button.get("Columns", 6)) <= 6 or not button.get("ActionBody"):
                return 3
            # Viber refuses share-phone buttons below API level 3 ("keyboard is not valid").
            if (
                button.get("ActionType") == "share-phone"
                and int(body.get("min_api_version", 1)) < 3
            ):
                return 3
        return None

    def _receiver_status(self, receiver: str) -> int:
        if receiver in self.receiver_errors:
            return self.receiver_errors[receiver]
        return 0 if receiver in self.subscribed else 6

    async def _send_message(self, body: dict[str, Any]) -> dict[str, Any]:
        problem = self._message_problem(body)
        if problem is None and not body.get("receiver"):
            problem = 4
        if problem is not None:
            return self._answer(problem)
        status = self._receiver_status(str(body["receiver"]))
        if status:
            return self._answer(status)
        return self._answer(0, message_token=next(self._tokens), chat_hostname="SN-FAKE_")

    async def _broadcast_message(self, body: dict[str, Any]) -> dict[str, Any]:
        receivers = body.get("broadcast_list") or []
        if len(receivers) > BROADCAST_LIMIT:
            return self._answer(3)
        problem = self._message_problem(body)
        if problem is not None:
            return self._answer(problem)
        failed = []
        for receiver in receivers:
            status = self._receiver_status(str(receiver))
            if status:
                failed.append(
                    {
                        "receiver": receiver,
                        "status": status,
                        "status_message": STATUS_MESSAGES.get(status, "error"),
                    }
                )
        return self._answer(0, message_token=next(self._tokens), failed_list=failed)

    async def _get_account_info(self, _body: dict[str, Any]) -> dict[str, Any]:
        return self._answer(
            0, id="pa:fake", name="Spilno", webhook=self.webhook_url, subscribers_count=0
        )

    # -- callbacks to the bot --------------------------------------------------------------

    async def _post_signed(
        self, url: str, body: bytes, signature: Any = _UNSIGNED
    ) -> CallbackResult:
        assert self._client is not None, "start() the fake first"
        headers = {"Content-Type": "application/json"}
        if signature is _UNSIGNED:
            headers[SIGNATURE_HEADER] = sign(self.token, body)
        elif signature is not None:
            headers[SIGNATURE_HEADER] = signature
        async with self._client.post(url, data=body, headers=headers) as response:
            return CallbackResult(response.status, await response.text())

    async def callback(
        self, event: dict[str, Any], *, signature: Any = _UNSIGNED, body: bytes | None = None
    ) -> CallbackResult:
        """POST one callback to the webhook: signed correctly unless `signature` says otherwise
        (None = no header at all). `body` overrides the serialised event (e.g. to resend the
        very same bytes, as Viber does on retry)."""
        assert self.webhook_url, "no webhook registered"
        raw = body if body is not None else json.dumps(event).encode()
        return await self._post_signed(self.webhook_url, raw, signature)

    def event(self, name: str, **fields: Any) -> dict[str, Any]:
        return {"event": name, "timestamp": next(self._timestamps), **fields}

    async def conversation_started(self, user: ViberUser, context: str = "") -> CallbackResult:
        """The resident opens the bot; `context` is a deep link's (viber://pa?…&context=…)."""
        return await self.callback(
            self.event(
                "conversation_started",
                message_token=next(self._tokens),
                type="open",
                context=context,
                user=user.as_dict(),
                subscribed=user.id in self.subscribed,
            )
        )

    async def subscribe(self, user: ViberUser) -> CallbackResult:
        self.subscribed.add(user.id)
        return await self.callback(self.event("subscribed", user=user.as_dict()))

    async def unsubscribe(self, user: ViberUser) -> CallbackResult:
        self.subscribed.discard(user.id)
        return await self.callback(
            self.event("unsubscribed", user_id=user.id, message_token=next(self._tokens))
        )

    def message_event(self, user: ViberUser, message: dict[str, Any]) -> dict[str, Any]:
        return self.event(
            "message",
            message_token=next(self._tokens),
            sender=user.as_dict(),
            message=message,
            silent=False,
        )

    async def send_message_event(self, event: dict[str, Any]) -> CallbackResult:
        # Writing to a bot subscribes the resident, as on Viber.
        self.subscribed.add(event["sender"]["id"])
        return await self.callback(event)

    async def send_text(self, user: ViberUser, text: str) -> CallbackResult:
        """The resident types `text`, or presses a button whose ActionBody is `text`."""
        return await self.send_message_event(
            self.message_event(user, {"type": "text", "text": text})
        )

    async def share_phone(self, user: ViberUser, phone_number: str) -> CallbackResult:
        """The resident pressed a share-phone button: Viber sends the number back as a
        `contact` message that names no user."""
        return await self.send_contact(user, user.name, phone_number)

    async def send_contact(self, user: ViberUser, name: str, phone_number: str) -> CallbackResult:
        """The resident sent a contact from their address book (the attachment menu). On the
        wire it is the same `contact` message as a share-phone answer: nothing tells whose
        number it is, which is why Spilno treats a Viber contact as a claim only."""
        message = {"type": "contact", "contact": {"name": name, "phone_number": phone_number}}
        return await self.send_message_event(self.message_event(user, message))

    async def send_sticker(self, user: ViberUser) -> CallbackResult:
        return await self.send_message_event(
            self.message_event(user, {"type": "sticker", "sticker_id": 40133})
        )

    async def send_file(self, user: ViberUser) -> CallbackResult:
        message = {
            "type": "file",
            "media": "https://example.org/report.pdf",
            "file_name": "report.pdf",
            "size": 1024,
        }
        return await self.send_message_event(self.message_event(user, message))
