"""ViberMessenger: the core Messenger port over Viber's REST API, with aiohttp.

Single sends use `send_message`; bulk delivery uses `broadcast_message` in batches of at most 300
receivers, at most 500 requests per 10 s. Viber answers HTTP 200 with a `status` code; the table
below maps every documented code onto the core's typed outcomes, in one place. Sends return
those outcomes; only `set_webhook` (at start) raises them, as ViberApiError.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.viber.keyboard import ViberMessage, render_message, render_welcome
from core.delivery.messenger import (
    BroadcastReport,
    Failure,
    Message,
    Permanent,
    RateLimited,
    Scope,
    SendOutcome,
    SendResult,
    Sent,
    Transient,
    Unreachable,
)
from core.delivery.worker import PlatformLimits
from core.kernel.redaction import redact, register_secret

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


def platform_limits(rate: float = BROADCAST_REQUESTS / BROADCAST_WINDOW_S) -> PlatformLimits:
    """The delivery worker's budget: one token = one broadcast request (≤ 300 receivers)."""
    return PlatformLimits(rate=rate * 0.97, burst=max(1.0, rate * 0.1), batch=2 * BROADCAST_BATCH)


Kind = type[Unreachable] | type[RateLimited] | type[Transient] | type[Permanent] | None

# Viber REST API status codes (https://developers.viber.com/docs/api/rest-bot-api/#error-codes)
# and what each comes to; None: success.
STATUS_TABLE: dict[int, tuple[str, Kind]] = {
    0: ("ok", None),
    1: ("invalidUrl", Permanent),
    2: ("invalidAuthToken", Permanent),
    3: ("badData", Permanent),
    4: ("missingData", Permanent),
    5: ("receiverNotRegistered", Unreachable),
    6: ("receiverNotSubscribed", Unreachable),
    7: ("publicAccountBlocked", Permanent),
    8: ("publicAccountNotFound", Permanent),
    9: ("publicAccountSuspended", Permanent),
    # Sends are refused until set_webhook succeeds, which happens at start: worth a retry.
    10: ("webhookNotSet", Transient),
    11: ("receiverNoSuitableDevice", Unreachable),
    12: ("tooManyRequests", RateLimited),
    13: ("apiVersionNotSupported", Permanent),
    14: ("incompatibleWithVersion", Permanent),
}
# Anything else is Viber's "generalError": documented as a server-side failure, so retry.
GENERAL_ERROR: tuple[str, Kind] = ("generalError", Transient)


def classify(status: int) -> tuple[str, Kind]:
    return STATUS_TABLE.get(status, GENERAL_ERROR)


def failure(kind: Kind, detail: str, *, pause_s: float) -> Failure:
    """The outcome of a refused request or receiver (`kind` from the table, never None)."""
    if kind is RateLimited:
        return RateLimited(pause_s, Scope.BOT)  # Viber's limits are per bot account
    if kind is Unreachable or kind is Permanent:
        return kind(detail)
    return Transient(detail)


class ViberApiError(Exception):
    """A refused API call (set_webhook at start, or a send): carries its outcome."""

    def __init__(self, outcome: Failure) -> None:
        super().__init__(str(outcome))
        self.outcome = outcome


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
        limits: PlatformLimits | None = None,
    ) -> None:
        self.limits = limits or platform_limits()
        register_secret(token)  # before anything can log or quote it
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
        """POST one API method; return the answer when status is 0, else raise ViberApiError."""
        answer = await self._post(endpoint, body)
        status = int(answer.get("status", -1))
        name, kind = classify(status)
        if kind is not None:
            detail = redact(f"{endpoint}: {name} ({status}): {answer.get('status_message', '')}")
            raise ViberApiError(failure(kind, detail, pause_s=self._rate_limit_pause_s))
        return answer

    async def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self._api_url}/{endpoint}"
        try:
            async with self._client().post(url, json=body) as response:
                if response.status == 429:
                    raise ViberApiError(RateLimited(self._rate_limit_pause_s, Scope.BOT))
                if response.status >= 500:
                    raise ViberApiError(Transient(f"{endpoint}: HTTP {response.status}"))
                if response.status >= 400:
                    raise ViberApiError(Permanent(f"{endpoint}: HTTP {response.status}"))
                answer = await response.json(content_type=None)
        except ViberApiError:
            raise
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            # ValueError: a 200 whose body is not JSON (a proxy page, a truncated answer).
            detail = redact(f"{endpoint}: {type(error).__name__}: {error}")
            raise ViberApiError(Transient(detail)) from None
        if not isinstance(answer, dict):
            raise ViberApiError(Transient(f"{endpoint}: unexpected answer {type(answer).__name__}"))
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

    async def send(self, external_id: str, message: Message) -> SendOutcome:
        """Send one Reply (several Viber messages if the text is long): Sent the last token."""
        token = ""
        for part in render_message(message):
            body = {"receiver": external_id, "sender": self.sender.as_dict(), **part}
            try:
                answer = await self.call("send_message", body)
            except ViberApiError as error:
                return error.outcome
            token = str(answer.get("message_token", ""))
        return Sent(token)

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
            except ViberApiError as error:
                if isinstance(error.outcome, RateLimited):
                    self.limiter.pause(error.outcome.retry_after)
                log.warning("viber broadcast of %d receivers failed: %s", len(pending), error)
                for receiver in pending:
                    failed[receiver] = SendResult(receiver, error.outcome)
                break
            token = str(answer.get("message_token", "")) or token
            for item in answer.get("failed_list") or []:
                receiver = str(item.get("receiver", ""))
                if receiver in pending:
                    name, kind = classify(int(item.get("status", -1)))
                    detail = redact(
                        f"{name} ({item.get('status')}): {item.get('status_message', '')}"
                    )
                    outcome = failure(kind or Transient, detail, pause_s=self._rate_limit_pause_s)
                    failed[receiver] = SendResult(receiver, outcome)
        sent = Sent(token or "")
        return [failed.get(r) or SendResult(r, sent) for r in batch]
