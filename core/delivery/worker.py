"""Delivery workers: drain the outbox through each bot's Messenger, at that bot's rate.

Every hromada has its own bots (one per platform); an outbox row's hromada and platform name
the bot that sends it. A worker runs one task per bot with something due, so one hromada's big
broadcast never holds back another's: each bot has its own claims, budget and 429 pauses.

A bot's task claims that bot's due rows in a batch under a lease (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several processes never take the same row), then spends send tokens from the
platform's shared bucket in the database before each send. The bucket and a 429 pause live in
`delivery_platforms`, so the rate holds for all worker processes together, not per process.

Each bot is sent for by one worker process at a time (locks.py; the processes take fair
shares of the busy bots), and that process keeps the platform's own count exactly: no send
leaves before the answer to the send `cap` places earlier came back at least a window ago
(`SendWindow`). A send held up on its way (a busy CPU, the network) then delays the ones
after it instead of crowding them into one window with it — which the platform answers with
429 and a pause.

Outcomes: sent (platform message id kept) · unreachable (403 / unsubscribed: the identity is
marked unreachable and the row closed) · retry with backoff 30 s, 2 min, 10 min, 1 h, then
failed with the reason · failed at once for a permanent rejection. A 429 pauses the platform
for everyone for `retry_after`; unsent rows go back without spending an attempt.

Crash safety: rows are only ever `sending` under a lease. A worker killed mid-batch leaves its
rows `sending`; when the lease expires another worker claims exactly those again. So nothing is
lost and at most one batch (`batch` rows) may be sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.delivery.locks import BotLocks, LocalBotLocks, PostgresBotLocks
from core.delivery.messenger import (
    BotKey,
    BroadcastingMessenger,
    Message,
    Messenger,
    Messengers,
    Permanent,
    RateLimited,
    Scope,
    SendOutcome,
    Sent,
    Transient,
    Unreachable,
)
from core.delivery.model import (
    ClaimedMessage,
    DeliveryOutcome,
    OutboxStatus,
    SendReservation,
    backoff_after,
)
from core.delivery.outbox import message_from_json, pick_payload
from core.kernel import metrics
from core.kernel.redaction import redact
from core.kernel.unit_of_work import Clock, UnitOfWorkFactory

if TYPE_CHECKING:
    from core.bootstrap import App

log = logging.getLogger(__name__)

# A send may leave this much before its slot: sleeping for less costs more than it paces.
_PACING_SLACK_S = 0.001


@dataclass(frozen=True, slots=True)
class PlatformLimits:
    """Cluster-wide budget of one bot: `rate` sends (or broadcast requests) per second.

    `ahead_s`: a worker may reserve this much future budget at once and pace those sends itself,
    so the budget keeps flowing while it is busy sending (0: only what has accrued).
    """

    rate: float
    burst: float
    batch: int
    ahead_s: float = 0.0
    per_chat_s: float = 0.0  # at most one message per chat this often (0: no such limit)
    # A send may go this late after its slot (a busy CPU) before the slot is given up; None:
    # as late as the burst allows.
    late_s: float | None = None
    # The platform's own count: at most `window_cap` sends in any `window_s` (0: none).
    window_cap: int = 0
    window_s: float = 1.0

    @classmethod
    def for_cap(
        cls, cap: float, *, batch: int | None = None, per_chat_s: float = 0.0
    ) -> PlatformLimits:
        # A little under the platform's cap, with a small burst: any one-second window then
        # stays below the cap even when sends land a few milliseconds late.
        # A batch is about a quarter second of sending (at least 50 rows): fewer claims per
        # message at a high rate, and a crash re-sends at most that batch.
        rate = cap * 0.97
        burst = max(1.0, cap * 0.01)
        # cap + 1 sends at `rate` span cap/rate - 1 seconds more than a second (~31 ms): sends
        # that late could put one over the cap in some one-second window. Give the sender a
        # third of that, the rest is for the network. At a small cap (Telegram's 30/s per bot)
        # the one-message burst alone would allow 34 ms.
        late_s = min(burst / rate, (cap / rate - 1.0) / 3)
        return cls(
            rate=rate,
            burst=burst,
            batch=batch or min(500, max(50, int(cap / 4))),
            ahead_s=0.25,
            per_chat_s=per_chat_s,
            late_s=late_s,
            window_cap=max(1, math.floor(cap)),
        )


class SendWindow:
    """One bot's last `cap` sends from this process: no send leaves before every send `cap`
    or more places earlier was answered more than `window_s` ago.

    The platform counts a send when it arrives, which is after we sent it and before its
    answer came back; so two sends `cap` places apart then arrive more than `window_s` apart,
    and no window of the platform's ever holds more than `cap` of them — however late any
    one of them went out or travelled. The cost is the round trip, once per `cap` sends.
    """

    def __init__(self, cap: int, window_s: float) -> None:
        self._cap, self._window_s = cap, window_s
        self._recent: deque[asyncio.Future[Any]] = deque()
        self._answered: dict[asyncio.Future[Any], float] = {}
        self._horizon = -math.inf  # the latest answer among the sends already left behind

    async def turn(self, sleep: Callable[[float], Any]) -> None:
        """Until the next send may leave."""
        loop = asyncio.get_running_loop()
        while len(self._recent) >= self._cap:
            oldest = self._recent.popleft()
            if not oldest.done():
                await asyncio.wait({oldest})
            self._horizon = max(self._horizon, self._answered.pop(oldest, loop.time()))
        # 1 ms more: the platform's window may include its left edge.
        wait = self._horizon + self._window_s + 0.001 - loop.time()
        if wait > 0:
            await sleep(wait)

    def sent(self, task: asyncio.Future[Any]) -> None:
        """`task` (its answer) is the newest send; the time it is answered counts."""
        loop = asyncio.get_running_loop()

        def answered(done: asyncio.Future[Any]) -> None:
            self._answered[done] = loop.time()

        task.add_done_callback(answered)
        self._recent.append(task)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class BatchReport:
    claimed: int = 0
    sent: int = 0
    unreachable: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0


class DeliveryWorker:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        messengers: Mapping[BotKey, Messenger] | Mapping[str, Messenger],
        clock: Clock,
        *,
        limits: dict[str, PlatformLimits] | None = None,
        lease: timedelta = timedelta(seconds=60),
        default_locale: str = "uk",
        worker_id: str | None = None,
        idle_sleep_s: float = 0.5,
        sleep: Callable[[float], Any] = asyncio.sleep,
        max_bots: int = 256,
        batches_per_turn: int = 20,
        locks: BotLocks | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        # The very dict bots are added to while running (bot/fleet.py), when it is one.
        self._messengers = (
            messengers if isinstance(messengers, Messengers) else _messengers_of(messengers)
        )
        self._clock = clock
        self._limits = limits or {}
        self._lease = lease
        self._default_locale = default_locale
        self.worker_id = worker_id or new_worker_id()
        self._idle_sleep_s = idle_sleep_s
        self._sleep = sleep
        self._max_bots = max_bots
        self._batches_per_turn = batches_per_turn
        self._turn = 0
        self._payloads: dict[int, dict[str, Any]] = {}
        self._paused_until: dict[BotKey, datetime] = {}
        self._locks = locks or LocalBotLocks()
        self._windows: dict[BotKey, SendWindow] = {}
        self._share = max_bots  # how many busy bots this process should hold (run() sets it)
        self._holding = 0
        self._others_short = False

    def limits(self, bot: BotKey | str) -> PlatformLimits:
        """The bot's own numbers (its Messenger's `limits`), else its platform's, else a safe
        guess."""
        key = BotKey.of(bot)
        if (given := self._limits.get(key.platform)) is not None:
            return given
        own = getattr(self._messengers.get(key), "limits", None)
        return own if isinstance(own, PlatformLimits) else PlatformLimits.for_cap(30.0)

    # ---- the loop ---------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: find the bots with something to send, and run one task per
        such bot, each at its own rate and with its own 429 pauses. A bot's task takes a
        bounded number of batches per turn, so with more busy bots than `max_bots` they take
        turns; a database outage only delays. With several worker processes each takes its
        share of the busy bots, and a bot only while no other process sends for it."""
        running: dict[BotKey, asyncio.Task[None]] = {}
        failures = 0
        try:
            while not stop.is_set():
                try:
                    due = await self._due_bots()
                    workers = await self._locks.workers()
                    fewest = await self._locks.fewest_held()
                    failures = 0
                except Exception:
                    # E.g. the database is away: back off 1, 2, 4 … 30 s, recover by ourselves.
                    failures += 1
                    log.exception("delivery failed (%d in a row); backing off", failures)
                    due, workers, fewest = [], 1, 0
                for key in [k for k, task in running.items() if task.done()]:
                    del running[key]
                for key in await self._next_turn(due, running, workers):
                    running[key] = asyncio.create_task(
                        self._run_bot(key, stop), name=f"delivery-{key}"
                    )
                # A process with no bot (one that just started) would take a bot one over its
                # share gives back. Not merely one with fewer: near a broadcast's end the
                # share shrinks (bots in their last batch look idle), and handing a busy bot
                # over then only pauses it.
                self._others_short = fewest == 0
                wait = min(2.0 ** (failures - 1), 30.0) if failures else self._idle_sleep_s
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.01))
        finally:
            if running:
                await asyncio.gather(*running.values(), return_exceptions=True)
            await self._locks.aclose()

    async def _due_bots(self) -> list[BotKey]:
        now = self._clock()
        known = [
            (key.hromada_id, key.platform)
            for key in list(self._messengers)
            if (paused := self._paused_until.get(key)) is None or paused <= now
        ]
        async with self._uow_factory() as uow:
            due = await uow.outbox.due_bots(known, now)
        return [BotKey(h, p) for h, p in due]

    async def _next_turn(
        self, due: list[BotKey], running: dict[BotKey, asyncio.Task[None]], workers: int = 1
    ) -> list[BotKey]:
        """The due bots not running yet that this process may take, as many as fit its share
        (the busy bots over the worker processes), starting where the last turn stopped
        (round robin: with more busy bots than fit, each gets its turn)."""
        waiting = [key for key in due if key not in running]
        share = math.ceil(len(set(due) | set(running)) / max(1, workers))
        self._share = min(self._max_bots, share)
        room = self._share - len(running)
        if not waiting or room <= 0:
            return []
        start = self._turn % len(waiting)
        chosen: list[BotKey] = []
        tried = 0
        for key in waiting[start:] + waiting[:start]:
            if len(chosen) >= room:
                break
            tried += 1
            if await self._locks.hold(key):  # else another process sends for it
                chosen.append(key)
        self._turn = start + tried
        return chosen

    async def _run_bot(self, bot: BotKey, stop: asyncio.Event) -> None:
        """Batches of this bot until it has nothing due (or its turn is over); the bot is
        held for this process meanwhile. A process holding more than its share gives bots
        back between batches while another holds none (it started later)."""
        self._holding += 1
        try:
            for _turn in range(self._batches_per_turn):
                if stop.is_set() or bot not in self._messengers:
                    return
                if _turn and self._holding > self._share and self._others_short:
                    return  # handed over (a pause of a tick): only to a process short of bots
                try:
                    report = await self.run_once(bot)
                except Exception:
                    log.exception("delivery by bot %s failed; it is tried again later", bot)
                    return
                if report.claimed == 0:
                    return
        finally:
            self._holding -= 1
            await self._locks.release(bot)

    async def drain(self, platform: BotKey | str, *, max_batches: int = 10_000) -> BatchReport:
        """Send until nothing is due (tests, the CLI's console mode)."""
        total = BatchReport()
        for _ in range(max_batches):
            report = await self.run_once(platform)
            for name in total.__dataclass_fields__:
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if report.claimed == 0:
                break
        return total

    # ---- one batch --------------------------------------------------------------------------

    async def run_once(self, bot: BotKey | str) -> BatchReport:
        """One batch of this bot (a bare platform name: the first hromada's bot)."""
        key = BotKey.of(bot)
        messenger = self._messengers[key]
        platform = key.platform
        now = self._clock()
        paused = self._paused_until.get(key)
        if paused is not None and paused > now:
            return BatchReport()
        claimed = await self._claim(key, now)
        report = BatchReport(claimed=len(claimed))
        if not claimed:
            return report
        if hasattr(messenger, "broadcast"):
            outcomes, unsent = await self._send_broadcasts(key, messenger, claimed)  # type: ignore[arg-type]
        else:
            outcomes, unsent = await self._send_each(key, messenger, claimed)
        async with self._uow_factory() as uow:
            await uow.outbox.record(outcomes, worker=self.worker_id, now=self._clock())
            if unsent:
                await uow.outbox.release(
                    [m.id for m in unsent],
                    worker=self.worker_id,
                    due_at=self._paused_until.get(key, self._clock()),
                )
            await uow.commit()
        for outcome in outcomes:
            if outcome.status is OutboxStatus.SENT:
                report.sent += 1
            elif outcome.status is OutboxStatus.UNREACHABLE:
                report.unreachable += 1
            elif outcome.retry_at is not None:
                report.retried += 1
            else:
                report.failed += 1
        report.released = len(unsent)
        for outcome_name in ("sent", "unreachable", "retried", "failed"):
            count = getattr(report, outcome_name)
            if count:
                metrics.SENDS.labels(platform, outcome_name).inc(count)
        return report

    async def _claim(self, bot: BotKey, now: datetime) -> list[ClaimedMessage]:
        limits = self.limits(bot)
        async with self._uow_factory() as uow:
            claimed = await uow.outbox.claim(
                bot.platform,
                hromada_id=bot.hromada_id,
                limit=limits.batch,
                now=now,
                lease_until=now + self._lease,
                worker=self.worker_id,
                chat_interval=timedelta(seconds=limits.per_chat_s) if limits.per_chat_s else None,
            )
            missing = sorted(
                {m.broadcast_id for m in claimed if m.body is None} - set(self._payloads)
            )
            if missing:
                self._payloads.update(await uow.outbox.payloads(missing))
            await uow.commit()
        return claimed

    def _message(self, claimed: ClaimedMessage) -> Message:
        if claimed.body is not None:
            return message_from_json(claimed.body)
        return pick_payload(
            self._payloads[claimed.broadcast_id], claimed.locale, self._default_locale
        )

    async def _tokens(self, bot: BotKey, want: int) -> int:
        """Wait for up to `want` tokens of the shared bucket; 0: paused, or no budget for long."""
        limits = self.limits(bot)
        waited = 0.0
        # Other workers may be spending the budget: give the rows back well before the lease
        # runs out rather than let them be re-claimed while we still hold them.
        while waited < self._lease.total_seconds() / 2:
            now = self._clock()
            async with self._uow_factory() as uow:
                granted, paused_until = await uow.outbox.take_tokens(
                    bot.budget, want, rate=limits.rate, burst=limits.burst, now=now
                )
                await uow.commit()
            if paused_until is not None:
                self._paused_until[bot] = paused_until
                return 0
            if granted:
                return granted
            pause = min(want, limits.burst) / limits.rate
            waited += pause
            await self._sleep(pause)
        return 0

    async def _pause(self, bot: BotKey, seconds: float) -> None:
        metrics.RATE_LIMIT_PAUSES.labels(bot.platform).inc()
        until = self._clock() + timedelta(seconds=seconds)
        self._paused_until[bot] = until
        async with self._uow_factory() as uow:
            await uow.outbox.pause(bot.budget, until)
            await uow.commit()
        log.warning("bot %s was asked to slow down: pausing it for %.1f s", bot, seconds)

    async def _reserve(self, bot: BotKey, want: int) -> tuple[SendReservation, float] | None:
        """Reserve up to `want` sends of the shared budget, and the loop time its slots count
        from; None: paused, or no budget for long."""
        limits = self.limits(bot)
        loop = asyncio.get_running_loop()
        waited = 0.0
        while waited < self._lease.total_seconds() / 2:
            read_at: list[float] = []

            def clock(read_at: list[float] = read_at) -> datetime:
                # Read once the bot's budget row is locked: several workers (processes) then
                # pace from one timeline, however long each waited for the lock.
                read_at.append(loop.time())
                return self._clock()

            async with self._uow_factory() as uow:
                got = await uow.outbox.reserve_sends(
                    bot.budget,
                    want,
                    rate=limits.rate,
                    burst=limits.burst,
                    ahead_s=limits.ahead_s,
                    now=clock,
                )
                await uow.commit()
            if got.paused_until is not None:
                self._paused_until[bot] = got.paused_until
                return None
            if got.granted:
                return got, read_at[-1] if read_at else loop.time()
            # Others hold the budget ahead: come back when a useful chunk can be reserved.
            chunk = min(want, max(limits.burst, limits.rate * limits.ahead_s / 4))
            pause = max((chunk - got.level - limits.ahead_s * limits.rate) / limits.rate, 0.001)
            waited += pause
            await self._sleep(pause)
        return None

    async def _send_each(
        self, bot: BotKey, messenger: Messenger, claimed: list[ClaimedMessage]
    ) -> tuple[list[DeliveryOutcome], list[ClaimedMessage]]:
        """Send each row in the slot the shared budget gives it, without waiting for answers
        before the next slot: the budget keeps flowing while answers are on their way."""
        loop = asyncio.get_running_loop()
        limits = self.limits(bot)
        exclusive = self._locks.exclusive
        # Sends at most this late stay within the cap: it is what the burst allows anyway.
        # Holding the bot alone, the window keeps the cap and lateness only matters for
        # smoothness: a slot's worth may be caught up, as the burst allows.
        late_by = max(
            limits.late_s if limits.late_s is not None else limits.burst / limits.rate,
            limits.burst / limits.rate if exclusive else 0.0,
            _PACING_SLACK_S,
        )
        window = None
        if limits.window_cap:
            window = self._windows.get(bot)
            if window is None:
                window = self._windows[bot] = SendWindow(limits.window_cap, limits.window_s)
        queue = deque(claimed)
        in_flight: list[tuple[ClaimedMessage, asyncio.Task[SendOutcome]]] = []
        limited: list[RateLimited] = []

        def note_rate_limit(task: asyncio.Task[SendOutcome]) -> None:
            if task.cancelled() or task.exception() is not None:
                return
            match task.result():
                case RateLimited(scope=Scope.BOT) as bot_wide:
                    limited.append(bot_wide)

        try:
            while queue and not limited:
                reserved = await self._reserve(bot, len(queue))
                if reserved is None:
                    break
                reservation, start = reserved
                shift = 0.0
                for i in range(1, reservation.granted + 1):
                    slot = start + reservation.offset(i) + shift
                    if (late := loop.time() - slot) > late_by:
                        # We were held up (a busy CPU, the reservation's own round trip).
                        # Sending the passed slots now would burst: alone with the bot, the
                        # rest of the schedule moves on with us; sharing it, with other
                        # processes sending on time, the slot is given up.
                        if not exclusive:
                            continue
                        shift, slot = shift + late, slot + late
                    if (delay := slot - loop.time()) > _PACING_SLACK_S:
                        await self._sleep(delay)
                    if window is not None:
                        await window.turn(self._sleep)
                    if (late := loop.time() - slot) > late_by:
                        if not exclusive:
                            continue  # woken too late: it would crowd others' sends
                        shift += late
                    if limited:
                        break
                    m = queue.popleft()
                    task = asyncio.ensure_future(self._send_one(messenger, m))
                    task.add_done_callback(note_rate_limit)
                    if window is not None:
                        window.sent(task)
                    in_flight.append((m, task))
        finally:
            # Even when reserving failed (the database went away), no send is left running
            # unwatched; their rows stay leased and are resent once the lease expires.
            results = await asyncio.gather(
                *(task for _m, task in in_flight), return_exceptions=True
            )
        for result in results:
            if isinstance(result, BaseException):
                raise result  # cancelled: let it surface
        outcomes: list[DeliveryOutcome] = []
        refused: list[ClaimedMessage] = []
        held: list[tuple[ClaimedMessage, float]] = []
        for (m, _t), result in zip(in_flight, results, strict=True):
            match result:
                case RateLimited(retry_after=seconds, scope=Scope.CHAT):
                    held.append((m, seconds))
                case RateLimited():
                    refused.append(m)
                case Sent() | Unreachable() | Transient() | Permanent() as final:
                    outcomes.append(self._outcome(m, final))
        await self._hold_chats(held)
        if limited:
            await self._pause(bot, max(r.retry_after for r in limited))
        return outcomes, refused + list(queue)

    async def _send_one(self, messenger: Messenger, m: ClaimedMessage) -> SendOutcome:
        try:
            return await messenger.send(m.external_id, self._message(m))
        except Exception as error:  # an adapter that let a failure through: retry it later
            log.warning("%s send raised instead of returning an outcome", messenger.platform)
            return Transient(redact(f"{type(error).__name__}: {error}"))

    async def _hold_chats(self, held: list[tuple[ClaimedMessage, float]]) -> None:
        """Rows whose chat is rate limited go back, due when that chat may be written again;
        the rest of the platform carries on."""
        for m, seconds in held:
            async with self._uow_factory() as uow:
                await uow.outbox.release(
                    [m.id],
                    worker=self.worker_id,
                    due_at=self._clock() + timedelta(seconds=seconds),
                )
                await uow.commit()

    def _outcome(
        self, m: ClaimedMessage, outcome: Sent | Unreachable | Transient | Permanent
    ) -> DeliveryOutcome:
        match outcome:
            case Sent(message_id=message_id):
                return DeliveryOutcome(m.id, OutboxStatus.SENT, message_id=message_id[:64])
            case Unreachable(reason=reason):
                return DeliveryOutcome(
                    m.id,
                    OutboxStatus.UNREACHABLE,
                    error=reason or "unreachable",
                    identity_id=m.identity_id,
                )
            case Permanent(reason=reason):
                return DeliveryOutcome(m.id, OutboxStatus.FAILED, error=f"permanent: {reason}")
            case Transient(reason=reason):
                return self._retry(m, reason)

    def _retry(self, claimed: ClaimedMessage, error: str) -> DeliveryOutcome:
        wait = backoff_after(claimed.attempts)
        if wait is None:
            return DeliveryOutcome(
                claimed.id,
                OutboxStatus.FAILED,
                error=f"gave up after {claimed.attempts} tries: {error}",
            )
        return DeliveryOutcome(
            claimed.id,
            OutboxStatus.PENDING,
            error=error,
            retry_at=self._clock() + timedelta(seconds=wait),
        )

    async def _send_broadcasts(
        self, bot: BotKey, messenger: BroadcastingMessenger, claimed: list[ClaimedMessage]
    ) -> tuple[list[DeliveryOutcome], list[ClaimedMessage]]:
        """Group rows sharing a message into native broadcast requests (one token each)."""
        groups: dict[tuple[Any, ...], list[ClaimedMessage]] = {}
        for m in claimed:
            key = (m.broadcast_id, m.locale) if m.body is None else ("row", m.id)
            groups.setdefault(key, []).append(m)
        outcomes: list[DeliveryOutcome] = []
        pending = list(groups.values())
        while pending:
            if await self._tokens(bot, 1) == 0:
                return outcomes, [m for group in pending for m in group]
            group = pending.pop(0)
            by_receiver = {m.external_id: m for m in group}
            report = await messenger.broadcast(list(by_receiver), self._message(group[0]))
            pause = 0.0
            for result in report.results:
                m = by_receiver.get(result.external_id)
                if m is None:
                    continue
                match result.outcome:
                    case RateLimited(retry_after=seconds):
                        # A broadcast is one request: its limit is the bot's, whatever the scope.
                        pause = max(pause, seconds)
                        outcomes.append(self._retry(m, f"rate limited for {seconds:g} s"))
                    case Sent() | Unreachable() | Transient() | Permanent() as final:
                        outcomes.append(self._outcome(m, final))
            if pause:
                await self._pause(bot, pause)
                return outcomes, [m for group in pending for m in group]
        return outcomes, []


def build_worker(app: App) -> DeliveryWorker:
    """A worker over every bot's messenger in `app.messengers` (kept current while running),
    each at the limits its adapter knows (`limits`, set from the settings)."""
    settings = app.settings
    locks: BotLocks = (
        PostgresBotLocks(app.engine)
        if app.engine.dialect.name == "postgresql"
        # SQLite: usually one process, but nothing stops a second `spilno deliver`.
        else LocalBotLocks(exclusive=False)
    )
    return DeliveryWorker(
        # The outbox of every hromada: claims and outcomes span them (issue 18).
        app.operator_uow,
        app.messengers,
        app.clock,
        lease=timedelta(seconds=settings.delivery_lease_s),
        default_locale=settings.default_locale,
        locks=locks,
    )


def _messengers_of(given: Mapping[Any, Messenger]) -> Messengers:
    messengers = Messengers()
    for key, messenger in given.items():
        messengers[key] = messenger
    return messengers
