"""Stopping the scheduler lets a running sweep finish instead of cancelling it mid-transaction."""

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace

from core.scheduling.scheduler import build_scheduler, stop_scheduler


class SlowUnitOfWork:
    """A unit of work that takes a while to open, then fails (the sweep logs and gives up)."""

    entered = 0
    finished = 0

    async def __aenter__(self) -> "SlowUnitOfWork":
        SlowUnitOfWork.entered += 1
        await asyncio.sleep(0.3)
        SlowUnitOfWork.finished += 1
        raise RuntimeError("the sweep stops here")

    async def __aexit__(self, *exc: object) -> None:
        return None


async def test_stop_waits_for_running_sweeps_and_starts_no_new_ones() -> None:
    app = SimpleNamespace(
        uow_factory=SlowUnitOfWork,
        clock=lambda: datetime.now(UTC),
        settings=SimpleNamespace(tz="UTC", scheduler_interval_s=60, audit_anchor_channel=None),
    )
    scheduler = build_scheduler(app)  # type: ignore[arg-type]
    scheduler.start()
    for _ in range(100):  # both sweeps run at once on start
        if SlowUnitOfWork.entered == 2:
            break
        await asyncio.sleep(0.01)
    assert SlowUnitOfWork.entered == 2
    await stop_scheduler(scheduler, grace_s=5)
    assert SlowUnitOfWork.finished == 2  # neither was cancelled half-way
    await asyncio.sleep(0.05)  # AsyncIOScheduler shuts down on the loop's next turn
    assert not scheduler.running
