"""ViberMessenger: the core Messenger port over Viber's REST API, with aiohttp.

Single sends use `send_message`; bulk delivery uses `broadcast_message` in batches of at most 300
receivers, at most 500 requests per 10 s. Viber answers HTTP 200 with a `status` code; the table
below maps every documented code onto the core's typed outcomes, in one place.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiohttp

from bot.viber.keyboard import ViberMessage, render_message, render_welcome
from core.delivery.messenger import (
    BroadcastReport,
    DeliveryError,
    Message,
    PermanentDeliveryError,
    RecipientUnreachableError,
    RetryAfterError,
    SendOutcome,
    SendResult,
    TransientDeliveryError,
)

log = logging.getLogger(__name__)

PLATFORM = "viber"
AUTH_HEADER = "X-Viber-Auth-Token"
USER_AGENT = "Spilno-Viber/1"

BROADCAST_BATCH = 300  # receivers per broadcast_message request
BROADCAST_REQUESTS = 500  # broadcast_message requests ...
BROADCAST_WINDOW_S = 10.0  # ... per this many seconds
# Viber's "tooManyRequests" carries no retry_after; pausing one rate window is the safe guess.
RATE_LIMIT_PAUSE_S = BROADCAST_WINDOW_S
CONNECT_TIMEOUT_S = 5.0
TOTAL_TIMEOUT_S = 15.0


class Verdict(StrEnum):
    OK = "ok"
    RATE_LIMITED = "rate_limited"  # pause the platform, then retry
    UNREACHABLE = "unreachable"  # the resident left or blocked us: stop until they write
    TRANSIENT = "transient"  # the same request may succeed later
    PERMANENT = "permanent"  # retrying will not help (bad request, bot misconfigured)


# Viber REST API status codes (https://developers.viber.com/docs/api/rest-bot-api/#error-codes).
STATUS_TABLE: dict[int, tuple[str, Verdict]] = {
    0: ("ok", Verdict.OK),
    1: ("invalidUrl", Verdict.PERMANENT),
    2: ("invalidAuthToken", Verdict.PERMANENT),
    3: ("badData", Verdict.PERMANENT),
    4: ("missingData", Verdict.PERMANENT),
    5: ("receiverNotRegistered", Verdict.UNREACHABLE),
    6: ("receiverNotSubscribed", Verdict.UNREACHABLE),
    7: ("publicAccountBlocked", Verdict.PERMANENT),
    8: ("publicAccountNotFound", Verdict.PERMANENT),
    9: ("publicAccountSuspended", Verdict.PERMANENT),
    # Sends are refused until set_webhook succeeds, which happens at start: worth a retry.
    10: ("webhookNotSet", Verdict.TRANSIENT),
    11: ("receiverNoSuitableDevice", Verdict.UNREACHABLE),
    12: ("tooManyRequests", Verdict.RATE_LIMITED),
    13: ("apiVersionNotSupported", Verdict.PERMANENT),
    14: ("incompatibleWithVersion", Verdict.PERMANENT),
}
# Anything else is Viber's "generalError": documented as a server-side failure, so retry.
GENERAL_ERROR = ("generalError", Verdict.TRANSIENT)


def classify(status: int) -> tuple[str, Verdict]:
    return STATUS_TABLE.get(status, GENERAL_ERROR)


def delivery_error(verdict: Verdict, detail: str, *, pause_s: float) -> DeliveryError:
    match verdict:
        case Verdict.RATE_LIMITED:
            return RetryAfterError(pause_s)
        case Verdict.UNREACHABLE:
            return RecipientUnreachableError(detail)
        case Verdict.PERMANENT:
            return PermanentDeliveryError(detail)
        case _:
            return TransientDeliveryError(detail)


def _verdict_of(error: DeliveryError) -> Verdict:
    match error:
        case RetryAfterError():
            return Verdict.RATE_LIMITED
        case RecipientUnreachableError():
            return Verdict.UNREACHABLE
        case PermanentDeliveryError():
            return Verdict.PERMANENT
        case _:
            return Verdict.TRANSIENT


class SlidingWindowLimiter:
    """At most `max_requests` acquisitions in any `window_s`; `pause` holds everyone back."""

    def __init__(
        self,
        max_requests: int,
        window_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.max_requests = max_requests
        self.window_s = window_s
        self._clock = clock
        self._sleep = sleep
        self._stamps: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await self._sleep(self._paused_until - now)
                    continue
                while self._stamps and self._stamps[0] <= now - self.window_s:
                    self._stamps.popleft()
                if len(self._stamps) < self.max_requests:
                    self._stamps.append(now)
                    return
                await self._sleep(self._stamps[0] + self.window_s - now)


@dataclass(frozen=True, slots=True)
class ViberSender:
    """The name and avatar shown on every message (Viber wants them on each request)."""

    name: str
    avatar: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name} | ({"avatar": self.avatar} if self.avatar else {})


class ViberMessenger:
    platform = PLATFORM

    def __init__(
        self,
        *,
        token: str,
        api_url: str,
        sender: ViberSender,
        timeout: aiohttp.ClientTimeout | None = None,
        limiter: SlidingWindowLimiter | None = None,
        rate_limit_pause_s: float = RATE_LIMIT_PAUSE_S,
        batch_size: int = BROADCAST_BATCH,
    ) -> None:
        self._token = token
        self._api_url = api_url.rstrip("/")
        self.sender = sender
        self._timeout = timeout or aiohttp.ClientTimeout(
            total=TOTAL_TIMEOUT_S, connect=CONNECT_TIMEOUT_S
        )
        self.limiter = limiter or SlidingWindowLimiter(BROADCAST_REQUESTS, BROADCAST_WINDOW_S)
        self._rate_limit_pause_s = rate_limit_pause_s
        self._batch_size = min(batch_size, BROADCAST_BATCH)
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:  # never the token
        return f"ViberMessenger(api_url={self._api_url!r}, sender={self.sender.name!r})"

    # -- HTTP ------------------------------------------------------------------------------

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running loop; the token goes in a header, never the body.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                headers={AUTH_HEADER: self._token, "User-Agent": USER_AGENT},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST one API method; return the answer when status is 0, else raise a DeliveryError."""
        answer = await self._post(endpoint, body)
        status = int(answer.get("status", -1))
        name, verdict = classify(status)
        if verdict is not Verdict.OK:
            detail = f"{endpoint}: {name} ({status}): {answer.get('status_message', '')}"
            raise delivery_error(verdict, detail, pause_s=self._rate_limit_pause_s)
        return answer

    async def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self._api_url}/{endpoint}"
        try:
            async with self._client().post(url, json=body) as response:
                if response.status == 429:
                    raise RetryAfterError(self._rate_limit_pause_s)
                if response.status >= 500:
                    raise TransientDeliveryError(f"{endpoint}: HTTP {response.status}")
                if response.status >= 400:
                    raise PermanentDeliveryError(f"{endpoint}: HTTP {response.status}")
                answer = await response.json(content_type=None)
        except DeliveryError:
            raise
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            # ValueError: a 200 whose body is not JSON (a proxy page, a truncated answer).
            raise TransientDeliveryError(f"{endpoint}: {type(error).__name__}: {error}") from None
        if not isinstance(answer, dict):
            raise TransientDeliveryError(f"{endpoint}: unexpected answer {type(answer).__name__}")
        return answer

    # -- API methods -----------------------------------------------------------------------

    async def set_webhook(self, url: str, event_types: Sequence[str]) -> list[str]:
        answer = await self.call(
            "set_webhook", {"url": url, "event_types": list(event_types), "send_name": True}
        )
        return list(answer.get("event_types", []))

    def welcome_body(self, message: Message) -> ViberMessage:
        """The JSON answering a conversation_started callback (Viber delivers it for free)."""
        return {"sender": self.sender.as_dict(), **render_welcome(message)}

    async def send(self, external_id: str, message: Message) -> str:
        """Send one Reply (several Viber messages if the text is long); return the last token."""
        token = ""
        for part in render_message(message):
            body = {"receiver": external_id, "sender": self.sender.as_dict(), **part}
            answer = await self.call("send_message", body)
            token = str(answer.get("message_token", ""))
        return token

    async def broadcast(self, external_ids: Sequence[str], message: Message) -> BroadcastReport:
        """Send one message to many residents, ≤ 300 per request, ≤ 500 requests per 10 s.

        Every receiver gets exactly one SendResult; per-receiver failures listed by Viber are
        recorded for that receiver, a failed request for every receiver of its batch.
        """
        receivers = list(dict.fromkeys(external_ids))  # a duplicate would be charged twice
        report = BroadcastReport()
        for start in range(0, len(receivers), self._batch_size):
            batch = receivers[start : start + self._batch_size]
            report.results.extend(await self._broadcast_batch(batch, render_message(message)))
        return report

    async def _broadcast_batch(
        self, batch: list[str], parts: list[ViberMessage]
    ) -> list[SendResult]:
        failed: dict[str, SendResult] = {}
        token: str | None = None
        for part in parts:
            # A receiver who failed an earlier part of a long message gets no later parts.
            pending = [r for r in batch if r not in failed]
            if not pending:
                break
            await self.limiter.acquire()
            body = {"broadcast_list": pending, "sender": self.sender.as_dict(), **part}
            try:
                answer = await self.call("broadcast_message", body)
            except DeliveryError as error:
                if isinstance(error, RetryAfterError):
                    self.limiter.pause(error.seconds)
                verdict = _verdict_of(error)
                log.warning("viber broadcast of %d receivers failed: %s", len(pending), error)
                for receiver in pending:
                    failed[receiver] = _failure(receiver, verdict, str(error))
                break
            token = str(answer.get("message_token", "")) or token
            for item in answer.get("failed_list") or []:
                receiver = str(item.get("receiver", ""))
                if receiver in pending:
                    name, verdict = classify(int(item.get("status", -1)))
                    detail = f"{name} ({item.get('status')}): {item.get('status_message', '')}"
                    failed[receiver] = _failure(receiver, verdict, detail)
        return [failed.get(r) or SendResult(r, SendOutcome.SENT, message_id=token) for r in batch]


def _failure(receiver: str, verdict: Verdict, detail: str) -> SendResult:
    """`error` starts with the verdict, so the outbox knows whether and when to retry."""
    outcome = SendOutcome.UNREACHABLE if verdict is Verdict.UNREACHABLE else SendOutcome.FAILED
    return SendResult(receiver, outcome, error=f"{verdict.value}: {detail}")
