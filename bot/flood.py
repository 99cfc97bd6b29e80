"""Flood control, in and out: a resident who floods the bot slows down only themself.

In: `FloodGate` lets each resident — keyed by (platform, user id) — send at most `updates`
updates per `window_s` seconds (a token bucket: bursts up to `updates`, then `updates/window_s`
a second). It is checked before any database work; the rest are dropped, and the first drop of
an episode earns the resident one polite "please slow down".

Out: `ChatPacer` gives every chat a lane: replies to one chat go out in order, at most `burst`
messages per `burst * interval_s` seconds (Telegram answers more than about one a second in one
chat with a 429), a 429 that follows traffic to the chat pauses that lane alone, and when a chat
has fallen `backlog` updates behind, its older replies are skipped (superseded by newer screens).

Both are in-process on purpose: each web replica limits the traffic it handles itself, so with
N replicas behind a balancer one resident may get up to N times the rate. That is the point —
one resident must not monopolise a process — and no shared store sits on every update's path.
Memory stays bounded: idle keys (nothing left to remember) are evicted as new ones arrive.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from enum import Enum
from typing import Any, TypeVar

from bot.ui import Incoming, Reply
from core.citizens.model import initial_locale
from core.kernel.i18n import _, use_locale

T = TypeVar("T")

# Remembered admitted update ids per resident: a redelivery of one is not charged again.
RECENT_UPDATES = 8
# A hard cap on residents tracked at once; the least recently seen go first.
MAX_KEYS = 100_000
REPLY_BURST = 3
REPLY_BACKLOG = 3
# A 429 is taken as one chat's when something went to that chat this recently.
CHAT_TRAFFIC_S = 3.0


class Admission(Enum):
    ADMIT = "admit"
    DROP = "drop"
    WARN = "warn"  # dropped, and the first drop of this flood episode: tell the resident


class _Bucket:
    __slots__ = ("last_drop", "recent", "stamp", "tokens")

    def __init__(self, tokens: float, now: float) -> None:
        self.tokens = tokens
        self.stamp = now
        self.last_drop = float("-inf")
        self.recent: deque[str] = deque(maxlen=RECENT_UPDATES)


class FloodGate:
    """At most `updates` updates per `window_s` per key; `updates=0` admits everything."""

    def __init__(
        self,
        updates: int,
        window_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.capacity = float(updates)
        self.window_s = window_s
        self._rate = updates / window_s if window_s > 0 else 0.0
        self._clock = clock
        self._max_keys = max_keys
        # Least recently seen first: eviction looks only at the front.
        self._buckets: dict[Hashable, _Bucket] = {}
        self.dropped = 0

    @classmethod
    def from_settings(cls, settings: Any) -> FloodGate:
        return cls(settings.flood_updates, settings.flood_window_s)

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def admit(self, key: Hashable, update_id: str | None = None) -> Admission:
        if not self.enabled:
            return Admission.ADMIT
        now = self._clock()
        bucket = self._touch(key, now)
        if update_id is not None and update_id in bucket.recent:
            # The platform redelivered an update we admitted: not the resident's doing, and
            # the dedup in the unit of work decides what it does (nothing, if it was handled).
            return Admission.ADMIT
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            if update_id is not None:
                bucket.recent.append(update_id)
            return Admission.ADMIT
        # An episode lasts while drops come less than a window apart.
        first = now - bucket.last_drop >= self.window_s
        self._drop(bucket, now)
        return Admission.WARN if first else Admission.DROP

    def drop_early(self, key: Hashable, update_id: str | None = None) -> bool:
        """Count and drop an update `admit` would drop without a note (a flood in full swing),
        so that a channel can skip even parsing it; False: nothing counted, ask `admit`."""
        bucket = self._buckets.get(key) if self.enabled else None
        if bucket is None or (update_id is not None and update_id in bucket.recent):
            return False
        now = self._clock()
        tokens = bucket.tokens + (now - bucket.stamp) * self._rate
        if tokens >= 1.0 or now - bucket.last_drop >= self.window_s:
            return False
        self._drop(self._touch(key, now), now)
        return True

    def _touch(self, key: Hashable, now: float) -> _Bucket:
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(self.capacity, now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self._rate)
            bucket.stamp = now
        self._buckets[key] = bucket  # to the back: the dict stays in order of last use
        self._evict_idle(now)
        return bucket

    def _drop(self, bucket: _Bucket, now: float) -> None:
        self.dropped += 1
        bucket.last_drop = now

    def hold(self, incoming: Incoming, default_locale: str) -> list[Reply] | None:
        """None when `incoming` may go on to the dialogs; else what to answer instead."""
        verdict = self.admit(incoming.identity, incoming.update_id)
        if verdict is Admission.ADMIT:
            return None
        if verdict is Admission.DROP:
            return []
        # The platform's language hint, not the resident's saved choice: no database read.
        with use_locale(initial_locale(incoming.language_hint, default_locale)):
            return [
                Reply(
                    _(
                        "You are writing faster than I can answer, so I skipped some of your "
                        "messages. Please wait a few seconds and try again."
                    )
                )
            ]

    def _evict_idle(self, now: float) -> None:
        # A key unused for a whole window has a full bucket and no episode running: it is
        # the same as a key never seen. The front is the least recently used.
        buckets = self._buckets
        while buckets:
            key = next(iter(buckets))
            if now - buckets[key].stamp < self.window_s and len(buckets) <= self._max_keys:
                return
            del buckets[key]


class Lane:
    """One chat's place in the pacer; valid inside `ChatPacer.lane`."""

    __slots__ = ("_pacer", "issued", "last_used", "lock", "paused_until", "queued", "sent")

    def __init__(self, pacer: ChatPacer) -> None:
        self._pacer = pacer
        self.lock = asyncio.Lock()
        self.sent: deque[float] = deque(maxlen=pacer.burst)
        self.paused_until = 0.0
        self.queued = 0  # updates holding or waiting for this lane
        self.issued = 0  # tickets handed out, in arrival order
        self.last_used = 0.0

    def paused_for(self) -> float:
        return max(0.0, self.paused_until - self._pacer.clock())

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self._pacer.clock() + seconds)

    def busy(self) -> bool:
        """Something went to this chat within the last window: a 429 now is this chat's."""
        return bool(self.sent) and self._pacer.clock() - self.sent[-1] < self._pacer.memory_s

    async def take(self) -> None:
        """Wait until this chat may be sent one more message."""
        pacer = self._pacer
        while True:
            now = pacer.clock()
            wait = self.paused_until - now
            if pacer.window_s > 0 and len(self.sent) == pacer.burst:
                wait = max(wait, self.sent[0] + pacer.window_s - now)
            if wait <= 0:
                return
            await pacer.sleep(wait)

    def stamp(self) -> None:
        # Stamped when the call has returned, i.e. after Telegram received it: the next call
        # cannot reach Telegram less than a window after this one, whatever the network did.
        self.sent.append(self._pacer.clock())

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        await self.take()
        try:
            return await call()
        finally:
            self.stamp()


class ChatPacer:
    """Per-chat lanes: in order, at most `burst` messages per `burst * interval_s` seconds.

    `interval_s=0` turns pacing off; lanes still keep each chat's replies in order and its
    429 pause to itself.
    """

    def __init__(
        self,
        interval_s: float,
        *,
        burst: int = REPLY_BURST,
        backlog: int = REPLY_BACKLOG,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.burst = burst
        self.window_s = interval_s * burst
        # How long a lane is worth remembering: its pace, and whether a 429 is its own.
        self.memory_s = max(self.window_s, CHAT_TRAFFIC_S)
        self.backlog = backlog
        self.clock = clock
        self.sleep = sleep
        self._lanes: dict[Hashable, Lane] = {}  # least recently used first
        self.superseded = 0

    def __len__(self) -> int:
        return len(self._lanes)

    @asynccontextmanager
    async def lane(self, chat: Hashable, *, skippable: bool = True) -> AsyncIterator[Lane | None]:
        """This chat's lane once the updates before ours are answered; None when ours is
        superseded (`backlog` newer updates wait behind it) and should not be sent at all."""
        lane = self._lanes.get(chat)
        if lane is None:
            self._evict_idle()
            lane = self._lanes[chat] = Lane(self)
        lane.issued += 1
        ticket = lane.issued
        lane.queued += 1
        try:
            async with lane.lock:  # FIFO: updates are answered in the order they came
                if skippable and lane.issued - ticket >= self.backlog:
                    self.superseded += 1
                    yield None
                else:
                    yield lane
        finally:
            lane.queued -= 1
            lane.last_used = self.clock()
            self._lanes[chat] = self._lanes.pop(chat, lane)  # to the back: recently used

    def _evict_idle(self) -> None:
        # Idle: nobody queued, nothing sent lately, no pause running — forgetting such a lane
        # changes nothing.
        now = self.clock()
        while self._lanes:
            chat = next(iter(self._lanes))
            lane = self._lanes[chat]
            if lane.queued or now - lane.last_used < self.memory_s or lane.paused_until > now:
                return
            del self._lanes[chat]
