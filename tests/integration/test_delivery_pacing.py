"""Pacing bulk sends by the shared budget (SQLite and PostgreSQL): reservations ahead of time,
sends in their slots, and no burst after a worker was held up."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from core.delivery.messenger import Message
from core.delivery.model import OutboxStatus
from core.delivery.worker import DeliveryWorker, PlatformLimits
from tests.fakes.messenger import FakeMessenger
from tests.integration.test_outbox import progress, push, resident


class RunningClock:
    """Real time passing, starting at the test's fake `now` (rows are due by that clock)."""

    def __init__(self, start: datetime) -> None:
        self._start, self._t0 = start, time.monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


class TimedMessenger(FakeMessenger):
    """Records when each send happened; can hold the whole event loop up once, like a busy CPU."""

    def __init__(self, *, stall_on: int | None = None, stall_s: float = 0.0) -> None:
        super().__init__()
        self.times: list[float] = []
        self._stall_on, self._stall_s = stall_on, stall_s

    async def send(self, external_id: str, message: Message) -> str:
        self.times.append(time.monotonic())
        if len(self.times) == self._stall_on:
            time.sleep(self._stall_s)  # noqa: ASYNC251 - blocks the loop on purpose, like a busy CPU
        return await super().send(external_id, message)


def busiest(times: list[float], window: float) -> int:
    times = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_a_reservation_lends_future_budget_in_slots_that_never_outrun_the_rate(app, clock):
    rate, burst = 100.0, 5.0
    async with app.uow_factory() as uow:
        first = await uow.outbox.reserve_sends(
            "telegram", 100, rate=rate, burst=burst, ahead_s=0.5, now=clock()
        )
        second = await uow.outbox.reserve_sends(
            "telegram", 100, rate=rate, burst=burst, ahead_s=0.5, now=clock()
        )
        clock.advance(seconds=0.1)
        third = await uow.outbox.reserve_sends(
            "telegram", 100, rate=rate, burst=burst, ahead_s=0.5, now=clock()
        )
        await uow.commit()

    assert first.granted == 55  # the burst now, then half a second of budget
    assert [first.offset(i) for i in (1, 5, 6, 55)] == [0.0, 0.0, 0.01, 0.5]
    assert second.granted == 0  # everything up to half a second ahead is promised
    assert third.granted == 10
    # The third reservation's slots start where the first one's end: 0.1 s later, +0.41 s.
    assert abs(third.offset(1) - 0.41) < 1e-9
    assert abs(third.offset(10) - 0.5) < 1e-9


async def test_a_worker_paces_sends_to_the_rate_instead_of_bursting_a_batch(app, clock):
    for k in range(60):
        await resident(app, f"r{k}")
    broadcast_id = await push(app, "all")
    messenger = TimedMessenger()
    limits = {"telegram": PlatformLimits.for_cap(100)}  # 97/s, burst 1, a quarter second ahead
    worker = DeliveryWorker(
        app.uow_factory, {"telegram": messenger}, RunningClock(clock()), limits=limits
    )

    await worker.drain("telegram")

    assert (await progress(app, broadcast_id)).count(OutboxStatus.SENT) == 60
    assert messenger.times[-1] - messenger.times[0] >= 59 / 97 - 0.01
    assert busiest(messenger.times, 0.1) <= 1 + 9.7 + 1


async def test_slots_missed_while_the_worker_was_held_up_are_not_caught_up_in_a_burst(app, clock):
    for k in range(60):
        await resident(app, f"r{k}")
    broadcast_id = await push(app, "all")
    messenger = TimedMessenger(stall_on=5, stall_s=0.3)
    limits = {"telegram": PlatformLimits.for_cap(100)}
    worker = DeliveryWorker(
        app.uow_factory, {"telegram": messenger}, RunningClock(clock()), limits=limits
    )

    await worker.drain("telegram")

    assert (await progress(app, broadcast_id)).count(OutboxStatus.SENT) == 60
    # ~29 slots passed during the stall; sending them at once would put ~30 in 0.1 s.
    assert busiest(messenger.times, 0.1) <= 1 + 9.7 + 1
