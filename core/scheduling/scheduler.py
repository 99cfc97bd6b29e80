"""APScheduler wiring. No job is persisted in APScheduler: the domain tables are the only truth."""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.bootstrap import App
from core.scheduling.jobs import anchor_audit_head, sweep_campaigns, sweep_digests

log = logging.getLogger(__name__)

# Sweeps running now. APScheduler's shutdown cancels them mid-transaction (its executor cannot
# wait); `stop_scheduler` lets them finish instead, so a stop never interrupts the database.
_running: weakref.WeakSet[asyncio.Task[object]] = weakref.WeakSet()


def _track() -> None:
    task = asyncio.current_task()
    if task is not None:
        _running.add(task)


async def _safe_sweep(app: App) -> None:
    _track()
    try:
        await sweep_campaigns(app.uow_factory, app.clock)
    except Exception:
        # The next tick retries; a database outage must not kill the scheduler.
        log.exception("campaign sweep failed; will retry on the next tick")


async def _safe_digest_sweep(app: App) -> None:
    _track()
    try:
        await sweep_digests(app.uow_factory, app.clock)
    except Exception:
        log.exception("digest sweep failed; will retry on the next tick")


async def _safe_anchor(app: App, channel: str) -> None:
    _track()
    try:
        await anchor_audit_head(app.uow_factory, app.clock, channel)
    except Exception:
        log.exception("audit anchor failed; will retry within the hour")


# The anchor job runs hourly and posts once per city day: a restart or an outage at the
# usual hour delays the day's post instead of skipping it.
ANCHOR_CHECK_S = 3600


def build_scheduler(app: App) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=app.settings.tz)
    scheduler.add_job(
        _safe_sweep,
        "interval",
        seconds=app.settings.scheduler_interval_s,
        args=[app],
        id="sweep_campaigns",
        coalesce=True,
        max_instances=1,
        # Sweep at once on start (None here would add the job *paused* in APScheduler 3).
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        _safe_digest_sweep,
        "interval",
        seconds=app.settings.scheduler_interval_s,
        args=[app],
        id="sweep_digests",
        coalesce=True,
        max_instances=1,
        # Sweep at once on start (None here would add the job *paused* in APScheduler 3).
        next_run_time=datetime.now(UTC),
    )
    if app.settings.audit_anchor_channel:
        scheduler.add_job(
            _safe_anchor,
            "interval",
            seconds=ANCHOR_CHECK_S,
            args=[app, app.settings.audit_anchor_channel.strip()],
            id="anchor_audit_head",
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(UTC),
        )
    return scheduler


async def stop_scheduler(scheduler: AsyncIOScheduler, *, grace_s: float) -> None:
    """No new sweeps; wait up to `grace_s` for running ones to finish; then shut down."""
    if scheduler.running:
        scheduler.pause()
    running = [task for task in _running if not task.done()]
    if running:
        _done, late = await asyncio.wait(running, timeout=grace_s)
        if late:
            log.warning(
                "%d sweep(s) still running after %.0f s; stopping anyway", len(late), grace_s
            )
    if scheduler.running:
        scheduler.shutdown(wait=False)
