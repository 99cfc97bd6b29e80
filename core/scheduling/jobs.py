"""Scheduled sweeps. Thin: each opens a unit of work, calls a service, commits.

Every sweep runs once per hromada, in that hromada's scope (core/hromadas/scope.py): its
units of work see and write that hromada's rows only. (The delivery worker is the one process that spans hromadas: it
claims as the operator, core/delivery/worker.py.)
"""

from __future__ import annotations

import logging

from core.audit import anchor as audit_anchor
from core.campaigns import pushes as campaign_pushes
from core.campaigns import service as campaigns
from core.campaigns.registry import KINDS
from core.campaigns.template import SCHEDULER_ACTOR
from core.delivery.digest import DIGEST_BATCH, send_due_digests
from core.hromadas.scope import in_hromada
from core.kernel.unit_of_work import Clock, UnitOfWorkFactory
from core.organizations import events

log = logging.getLogger(__name__)


async def hromada_ids(uow_factory: UnitOfWorkFactory) -> list[int]:
    async with uow_factory() as uow:
        return await uow.tenants.ids()


async def sweep_campaigns(
    uow_factory: UnitOfWorkFactory, clock: Clock
) -> tuple[list[int], list[int]]:
    """Open due campaigns and close expired ones. Idempotent; safe with several schedulers."""
    now = clock()
    opened: list[int] = []
    closed: list[int] = []
    for hromada_id in await hromada_ids(uow_factory):
        with in_hromada(hromada_id):
            async with uow_factory() as uow:
                opened += await campaigns.open_due(uow, now)
                closed += await campaigns.close_due(uow, now)
                await uow.commit()
    if opened or closed:
        log.info("campaigns opened %s, closed %s", opened, closed)
    await sweep_phases(uow_factory, clock)
    await sweep_reminders(uow_factory, clock)
    await sweep_event_reminders(uow_factory, clock)
    return opened, closed


async def sweep_event_reminders(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Organizations' event reminders that are due. Idempotent (one per event and reminder)."""
    sent: list[int] = []
    for hromada_id in await hromada_ids(uow_factory):
        with in_hromada(hromada_id):
            async with uow_factory() as uow:
                sent += await events.send_due_reminders(uow, clock())
                await uow.commit()
    if sent:
        log.info("event reminders enqueued: %s", sent)
    return len(sent)


async def sweep_reminders(uow_factory: UnitOfWorkFactory, clock: Clock) -> list[int]:
    """Reminders due before closing, to those who have not taken part. Idempotent."""
    now = clock()
    reminded: list[int] = []
    for hromada_id in await hromada_ids(uow_factory):
        with in_hromada(hromada_id):
            async with uow_factory() as uow:
                reminded += await campaign_pushes.send_due_reminders(uow, now)
                await uow.commit()
    if reminded:
        log.info("reminders enqueued for campaigns %s", reminded)
    return reminded


async def sweep_digests(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Fold held pushes into daily digests, a batch per transaction, until none is due."""
    total = 0
    for hromada_id in await hromada_ids(uow_factory):
        with in_hromada(hromada_id):
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


async def sweep_phases(uow_factory: UnitOfWorkFactory, clock: Clock) -> tuple[list[int], ...]:
    """Each kind's own sweep (contest phases, consultation results), in one transaction after
    open/close.

    Returns what each sweep changed, in registry order (each kind's spec says what its own
    lists are: e.g. contests now voting, contests finished, consultations whose results went out).
    """
    now = clock()
    changed: tuple[list[int], ...] = ()
    for hromada_id in await hromada_ids(uow_factory):
        with in_hromada(hromada_id):
            found: tuple[list[int], ...] = ()
            async with uow_factory() as uow:
                for spec in KINDS:
                    if spec.sweep is not None:
                        found += await spec.sweep(uow, now)
                await uow.commit()
        changed = (
            found if not changed else tuple(a + b for a, b in zip(changed, found, strict=True))
        )
    if any(changed):
        log.info("campaign kinds' sweeps changed %s", changed)
    return changed


async def anchor_audit_head(uow_factory: UnitOfWorkFactory, clock: Clock, channel: str) -> bool:
    """Post the audit head to the city's channel, once per city day (several schedulers may
    run this: the broadcast's dedupe key lets one through). True when it was queued now.

    Each hromada keeps its own chain, so each hromada's head is anchored."""
    queued = False
    for hromada_id in await hromada_ids(uow_factory):
        with in_hromada(hromada_id):
            async with uow_factory() as uow:
                anchored = await audit_anchor.anchor(
                    uow, chat=channel, actor=SCHEDULER_ACTOR, now=clock(), daily=True
                )
                await uow.commit()
        if anchored.queued:
            log.info(
                "hromada %s: audit head %s (entry %s) queued for %s",
                hromada_id,
                anchored.head,
                anchored.seq,
                channel,
            )
            queued = True
    return queued
