"""Campaign lifecycle: draft → scheduled → open → closed, by conditional, idempotent transitions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.domain.audience import Audience
from core.domain.campaign import (
    CLOSABLE_FROM,
    OPENABLE_FROM,
    Campaign,
    CampaignKind,
    CampaignStatus,
)
from core.domain.errors import CampaignNotFoundError, InvalidTransitionError
from core.domain.official import Permission
from core.services import audit, campaign_pushes
from core.services.officials import require
from core.services.unit_of_work import UnitOfWork

SCHEDULER_ACTOR = "scheduler"


async def get_campaign(uow: UnitOfWork, campaign_id: int) -> Campaign:
    campaign = await uow.campaigns.get(campaign_id)
    if campaign is None:
        raise CampaignNotFoundError(campaign_id=campaign_id)
    return campaign


async def set_file_delivery(
    uow: UnitOfWork, campaign: Campaign, *, audience: str, reminders: str, send_results: bool
) -> Campaign:
    """A consultation or contest file's delivery options, kept where polls keep theirs, so the
    same sweeps remind its audience before closing and tell participants the results."""
    stored = str(Audience.parse(audience))
    await uow.campaigns.set_delivery(
        campaign.id, audience=stored, reminders=reminders, send_results=send_results
    )
    return replace(campaign, audience=stored, reminders=reminders, send_results=send_results)


async def list_campaigns(
    uow: UnitOfWork,
    *,
    kinds: list[CampaignKind] | None = None,
    statuses: list[CampaignStatus] | None = None,
) -> list[Campaign]:
    return await uow.campaigns.list(kinds=kinds, statuses=statuses)


async def open_campaign(
    uow: UnitOfWork, campaign_id: int, *, actor: str, now: datetime
) -> Campaign:
    """Open now. The opening time becomes now; a closing time already past is refused."""
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    campaign = await get_campaign(uow, campaign_id)
    if campaign.status not in OPENABLE_FROM:
        raise InvalidTransitionError(
            campaign_id=campaign_id, status=campaign.status, target=CampaignStatus.OPEN
        )
    if campaign.closes_at is not None and campaign.closes_at <= now:
        raise InvalidTransitionError(
            campaign_id=campaign_id,
            status=campaign.status,
            target=CampaignStatus.OPEN,
            reason="closes_in_past",
        )
    changed = await uow.campaigns.transition(
        campaign_id, OPENABLE_FROM, CampaignStatus.OPEN, now, opens_at=now
    )
    if not changed:  # someone (the scheduler?) moved it in between
        raise InvalidTransitionError(campaign_id=campaign_id, target=CampaignStatus.OPEN)
    await audit.record(
        uow,
        actor=actor,
        action="campaign.open",
        object_type="campaign",
        object_id=campaign_id,
        now=now,
        before={"status": campaign.status.value},
        after={"status": "open"},
    )
    opened = await get_campaign(uow, campaign_id)
    await campaign_pushes.announce_opened(uow, opened, now=now)
    return opened


async def close_campaign(
    uow: UnitOfWork, campaign_id: int, *, actor: str, now: datetime
) -> Campaign:
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    campaign = await get_campaign(uow, campaign_id)
    if campaign.status not in CLOSABLE_FROM:
        raise InvalidTransitionError(
            campaign_id=campaign_id, status=campaign.status, target=CampaignStatus.CLOSED
        )
    closes_at = campaign.closes_at if campaign.closes_at and campaign.closes_at <= now else now
    changed = await uow.campaigns.transition(
        campaign_id, CLOSABLE_FROM, CampaignStatus.CLOSED, now, closes_at=closes_at
    )
    if not changed:
        raise InvalidTransitionError(campaign_id=campaign_id, target=CampaignStatus.CLOSED)
    await audit.record(
        uow,
        actor=actor,
        action="campaign.close",
        object_type="campaign",
        object_id=campaign_id,
        now=now,
        before={"status": campaign.status.value},
        after={"status": "closed"},
    )
    closed = await get_campaign(uow, campaign_id)
    await campaign_pushes.announce_closed(uow, closed, now=now)
    return closed


async def open_due(uow: UnitOfWork, now: datetime) -> list[int]:
    """Scheduler sweep: open every scheduled campaign whose time has come. Safe to repeat."""
    opened = []
    for campaign_id in await uow.campaigns.due_to_open(now):
        if await uow.campaigns.transition(
            campaign_id, (CampaignStatus.SCHEDULED,), CampaignStatus.OPEN, now
        ):
            opened.append(campaign_id)
            await audit.record(
                uow,
                actor=SCHEDULER_ACTOR,
                action="campaign.open",
                object_type="campaign",
                object_id=campaign_id,
                now=now,
                before={"status": "scheduled"},
                after={"status": "open"},
            )
            # Same transaction as the transition: the push exists iff the opening does.
            await campaign_pushes.announce_opened(
                uow, await get_campaign(uow, campaign_id), now=now
            )
    return opened


async def close_due(uow: UnitOfWork, now: datetime) -> list[int]:
    """Scheduler sweep: close every open campaign past its closing time. Safe to repeat."""
    closed = []
    for campaign_id in await uow.campaigns.due_to_close(now):
        if await uow.campaigns.transition(
            campaign_id, (CampaignStatus.OPEN,), CampaignStatus.CLOSED, now
        ):
            closed.append(campaign_id)
            await audit.record(
                uow,
                actor=SCHEDULER_ACTOR,
                action="campaign.close",
                object_type="campaign",
                object_id=campaign_id,
                now=now,
                before={"status": "open"},
                after={"status": "closed"},
            )
            await campaign_pushes.announce_closed(
                uow, await get_campaign(uow, campaign_id), now=now
            )
    return closed
