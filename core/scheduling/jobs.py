"""Scheduled sweeps. Thin: each opens a unit of work, calls a service, commits."""

from __future__ import annotations

import logging

from core.services import campaigns
from core.services.unit_of_work import Clock, UnitOfWorkFactory

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
    return opened, closed


async def sweep_phases(
    uow_factory: UnitOfWorkFactory, clock: Clock
) -> tuple[list[int], list[int], list[int]]:
    """Contest phases and consultation results, in their own transaction after open/close.

    Returns (contests now voting, contests finished, consultations whose results went out).
    """
    from core.services import consultations, contests

    now = clock()
    async with uow_factory() as uow:
        voting, finished = await contests.advance_phases(uow, now)
        published = await consultations.publish_due(uow, now)
        await uow.commit()
    if voting or finished or published:
        log.info("contests voting %s, finished %s; results out %s", voting, finished, published)
    return voting, finished, published
