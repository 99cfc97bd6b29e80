"""Campaign lifecycle: draft → scheduled → open → closed, by conditional, idempotent transitions."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.campaigns.breakdown import Breakdown, ResultsBreakdown
from core.campaigns.model import (
    CLOSABLE_FROM,
    DELETABLE_FROM,
    EDITABLE_FROM,
    OPENABLE_FROM,
    Campaign,
    CampaignKind,
    CampaignStatus,
    validate_window,
)
from core.campaigns.registry import KINDS
from core.campaigns.template import SCHEDULER_ACTOR, found
from core.kernel.errors import InvalidTransitionError
from core.kernel.lazy import lazy
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require

if TYPE_CHECKING:
    from core.audit import service as audit
    from core.campaigns import pushes as campaign_pushes
else:  # for transitions only: listing and reading campaigns (every CLI command) do without
    audit = lazy("core.audit.service")
    campaign_pushes = lazy("core.campaigns.pushes")

log = logging.getLogger(__name__)


async def get_campaign(uow: UnitOfWork, campaign_id: int) -> Campaign:
    return found(await uow.campaigns.get(campaign_id), campaign_id)


def has_breakdown(campaign: Campaign) -> bool:
    """Whether the campaign's kind can break its results down by group (it has a tally)."""
    return KINDS.spec(campaign.kind).breakdown is not None


async def results_by(uow: UnitOfWork, campaign: Campaign, by: Breakdown) -> ResultsBreakdown[Any]:
    """The campaign's results per group of participants, as officials see them (at any time).
    Only for a kind that `has_breakdown`."""
    hook = KINDS.spec(campaign.kind).breakdown
    if hook is None:
        raise LookupError(f"campaign kind {campaign.kind} has no breakdown")
    return await hook.load(uow, campaign.id, by)


async def find_campaign(uow: UnitOfWork, campaign_id: int) -> Campaign | None:
    """The campaign, or None when there is no such one (a screen that only links to it)."""
    return await uow.campaigns.get(campaign_id)


async def list_campaigns(
    uow: UnitOfWork,
    *,
    kinds: list[CampaignKind] | None = None,
    statuses: list[CampaignStatus] | None = None,
) -> list[Campaign]:
    return await uow.campaigns.list(kinds=kinds, statuses=statuses)


def _ensure_shared_lifecycle(campaign: Campaign) -> None:
    """Refuse the shared commands on a kind that moves its campaigns itself (petitions)."""
    if KINDS.spec(campaign.kind).own_lifecycle:
        raise InvalidTransitionError(
            "own_lifecycle", campaign_id=campaign.id, kind=campaign.kind.value
        )


async def open_campaign(
    uow: UnitOfWork, campaign_id: int, *, actor: str, now: datetime
) -> Campaign:
    """Open now. The opening time becomes now; a closing time already past is refused."""
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    campaign = await get_campaign(uow, campaign_id)
    _ensure_shared_lifecycle(campaign)
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
    await _audit_status(uow, actor, campaign_id, campaign.status.value, now, opened=True)
    opened = await get_campaign(uow, campaign_id)
    await campaign_pushes.announce_opened(uow, opened, now=now)
    return opened


async def close_campaign(
    uow: UnitOfWork, campaign_id: int, *, actor: str, now: datetime
) -> Campaign:
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    campaign = await get_campaign(uow, campaign_id)
    _ensure_shared_lifecycle(campaign)
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
    await _audit_status(uow, actor, campaign_id, campaign.status.value, now, opened=False)
    closed = await get_campaign(uow, campaign_id)
    await campaign_pushes.announce_closed(uow, closed, now=now)
    return closed


async def edit_window(
    uow: UnitOfWork,
    campaign_id: int,
    *,
    opens_at: datetime | None,
    closes_at: datetime | None,
    actor: str,
    now: datetime,
) -> Campaign:
    """Move a draft's or scheduled campaign's window; None keeps that end as it is.

    A draft given an opening time becomes scheduled, as it would have been at creation.
    """
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    campaign = await get_campaign(uow, campaign_id)
    _ensure_shared_lifecycle(campaign)
    if campaign.status not in EDITABLE_FROM:
        raise InvalidTransitionError(
            "not_editable", campaign_id=campaign_id, status=campaign.status
        )
    new_opens = opens_at or campaign.opens_at
    new_closes = closes_at or campaign.closes_at
    validate_window(new_opens, new_closes, now=now)
    check_window = KINDS.spec(campaign.kind).check_window
    if check_window is not None:  # the kind's own rules (a contest's phases)
        await check_window(uow, campaign_id, new_opens, new_closes)
    status = CampaignStatus.SCHEDULED if new_opens is not None else campaign.status
    if not await uow.campaigns.set_window(
        campaign_id, EDITABLE_FROM, status=status, opens_at=new_opens, closes_at=new_closes, now=now
    ):  # the scheduler opened it in between
        raise InvalidTransitionError("not_editable", campaign_id=campaign_id)
    await audit.record(
        uow,
        actor=actor,
        action="campaign.edit",
        object_type="campaign",
        object_id=campaign_id,
        now=now,
        before=_window(campaign.status, campaign.opens_at, campaign.closes_at),
        after=_window(status, new_opens, new_closes),
    )
    return await get_campaign(uow, campaign_id)


def _window(
    status: CampaignStatus, opens_at: datetime | None, closes_at: datetime | None
) -> dict[str, str | None]:
    return {
        "status": status.value,
        "opens_at": opens_at.isoformat() if opens_at else None,
        "closes_at": closes_at.isoformat() if closes_at else None,
    }


async def delete_draft(uow: UnitOfWork, campaign_id: int, *, actor: str, now: datetime) -> Campaign:
    """Delete a draft and everything it owns (options, questions: the schema cascades).

    Only drafts: nobody has seen them, so nothing residents did is lost.
    """
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    campaign = await get_campaign(uow, campaign_id)
    _ensure_shared_lifecycle(campaign)
    if campaign.status not in DELETABLE_FROM or not await uow.campaigns.delete(
        campaign_id, DELETABLE_FROM
    ):
        raise InvalidTransitionError(
            "not_deletable", campaign_id=campaign_id, status=campaign.status
        )
    await audit.record(
        uow,
        actor=actor,
        action="campaign.delete",
        object_type="campaign",
        object_id=campaign_id,
        now=now,
        before={"kind": campaign.kind.value, "title": campaign.title}
        | _window(campaign.status, campaign.opens_at, campaign.closes_at),
    )
    return campaign


async def open_due(uow: UnitOfWork, now: datetime) -> list[int]:
    """Scheduler sweep: open every scheduled campaign whose time has come. Safe to repeat.

    One whose closing time has passed too (the scheduler was down, or it was created before
    such windows were refused) is closed without ever being announced: residents would be
    invited to something they can no longer take part in.
    """
    opened = []
    for campaign_id in await uow.campaigns.due_to_open(now):
        campaign = await get_campaign(uow, campaign_id)
        if campaign.closes_at is not None and campaign.closes_at <= now:
            await _close_unannounced(uow, campaign, now)
            continue
        if await uow.campaigns.transition(
            campaign_id, (CampaignStatus.SCHEDULED,), CampaignStatus.OPEN, now
        ):
            opened.append(campaign_id)
            await _audit_status(uow, SCHEDULER_ACTOR, campaign_id, "scheduled", now, opened=True)
            # Same transaction as the transition: the push exists iff the opening does.
            await campaign_pushes.announce_opened(
                uow, await get_campaign(uow, campaign_id), now=now
            )
    return opened


async def _close_unannounced(uow: UnitOfWork, campaign: Campaign, now: datetime) -> None:
    if await uow.campaigns.transition(
        campaign.id, (CampaignStatus.SCHEDULED,), CampaignStatus.CLOSED, now
    ):
        log.warning(
            "campaign %s: its window passed before it opened; closed unannounced", campaign.id
        )
        # Nor does it announce an outcome later: there was nothing to take part in.
        settle = KINDS.spec(campaign.kind).settle_unannounced
        if settle is not None:
            await settle(uow, campaign.id, now)
        await _audit_status(
            uow,
            SCHEDULER_ACTOR,
            campaign.id,
            "scheduled",
            now,
            opened=False,
            reason="window_passed",
        )


async def _audit_status(
    uow: UnitOfWork,
    actor: str,
    campaign_id: int,
    before: str,
    now: datetime,
    *,
    opened: bool,
    reason: str | None = None,
) -> None:
    """The audit record of a campaign opened (or else closed) from status `before`."""
    after = {"status": "open" if opened else "closed"}
    await audit.record(
        uow,
        actor=actor,
        action="campaign.open" if opened else "campaign.close",
        object_type="campaign",
        object_id=campaign_id,
        now=now,
        before={"status": before},
        after=after | ({"reason": reason} if reason else {}),
    )


async def close_due(uow: UnitOfWork, now: datetime) -> list[int]:
    """Scheduler sweep: close every open campaign past its closing time. Safe to repeat."""
    closed = []
    for campaign_id in await uow.campaigns.due_to_close(now):
        if await uow.campaigns.transition(
            campaign_id, (CampaignStatus.OPEN,), CampaignStatus.CLOSED, now
        ):
            closed.append(campaign_id)
            await _audit_status(uow, SCHEDULER_ACTOR, campaign_id, "open", now, opened=False)
            await campaign_pushes.announce_closed(
                uow, await get_campaign(uow, campaign_id), now=now
            )
    return closed
