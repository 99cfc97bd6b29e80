"""Scheduled sweeps. Thin: each opens a unit of work, calls a service, commits."""

from __future__ import annotations

import logging

from core.campaigns import service as campaigns
from core.kernel.unit_of_work import Clock, UnitOfWorkFactory

log = logging.getLogger(__name__)


async def sweep_campaigns(
    uow_factory: UnitOfWorkFactory, clock: Clock
) -> tuple[list[int], list[int]]:
    """Open due campaigns and close expired ones. Idempotent; safe with several schedulers."""
    now = clock()
    async with uow_factory() as uow:
        opened = await campaigns.open_due(uow, now)
        closed = await campaigns.close_due(uow, now)
        await uow.commit()
    if opened or closed:
        log.info("campaigns opened %s, closed %s", opened, closed)
    await sweep_phases(uow_factory, clock)
    await sweep_reminders(uow_factory, clock)
    await sweep_event_reminders(uow_factory, clock)
    return opened, closed


async def sweep_event_reminders(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Organizations' event reminders that are due. Idempotent (one per event and reminder)."""
    from core.organizations import events

    async with uow_factory() as uow:
        sent = await events.send_due_reminders(uow, clock())
        await uow.commit()
    if sent:
        log.info("event reminders enqueued: %s", sent)
    return len(sent)


async def sweep_reminders(uow_factory: UnitOfWorkFactory, clock: Clock) -> list[int]:
    """Reminders due before closing, to those who have not taken part. Idempotent."""
    from core.campaigns import pushes as campaign_pushes

    now = clock()
    async with uow_factory() as uow:
        reminded = await campaign_pushes.send_due_reminders(uow, now)
        await uow.commit()
    if reminded:
        log.info("reminders enqueued for campaigns %s", reminded)
    return reminded


async def sweep_digests(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Fold held pushes into daily digests, a batch per transaction, until none is due."""
    from core.delivery.digest import DIGEST_BATCH, send_due_digests

    total = 0
    while True:
        async with uow_factory() as uow:
            written = await send_due_digests(uow, clock())
            await uow.commit()
        total += written
        if written < DIGEST_BATCH:
            break
    if total:
        log.info("daily digests written: %s", total)
    return total


async def sweep_phases(
    uow_factory: UnitOfWorkFactory, clock: Clock
) -> tuple[list[int], list[int], list[int]]:
    """Contest phases and consultation results, in their own transaction after open/close.

    Returns (contests now voting, contests finished, consultations whose results went out).
    """
    from core.consultations import service as consultations
    from core.contests import service as contests

    now = clock()
    async with uow_factory() as uow:
        voting, finished = await contests.advance_phases(uow, now)
        published = await consultations.publish_due(uow, now)
        await uow.commit()
    if voting or finished or published:
        log.info("contests voting %s, finished %s; results out %s", voting, finished, published)
    return voting, finished, published
