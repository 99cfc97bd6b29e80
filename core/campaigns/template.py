"""What every campaign kind's service shares: get-or-not-found, the residents' list, results
visibility, the delivery options of a campaign file, and who may take part (eligibility).

Kinds import this module, never `core.campaigns.service`: the lifecycle there dispatches to the
kinds' specs (core/campaigns/registry.py), so the dependency points one way only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from core.campaigns.audience import Audience
from core.campaigns.eligibility import Eligibility
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus
from core.citizens.model import Citizen
from core.kernel.errors import CampaignNotFoundError, ResultsHiddenError
from core.kernel.unit_of_work import UnitOfWork

T = TypeVar("T")

# Who the audit log names for what the scheduler's sweeps do.
SCHEDULER_ACTOR = "scheduler"
# How many closed campaigns of a kind residents still see listed (for their results).
RECENTLY_CLOSED_SHOWN = 5


def found(item: T | None, campaign_id: int) -> T:
    """What a repository's `get` returned, or the campaign-not-found refusal."""
    if item is None:
        raise CampaignNotFoundError(campaign_id=campaign_id)
    return item


async def for_residents(
    uow: UnitOfWork,
    kind: CampaignKind,
    now: datetime,
    *,
    recently_closed: int = RECENTLY_CLOSED_SHOWN,
) -> list[Campaign]:
    """Open campaigns of a kind still accepting, then the latest few closed ones.

    One query: the list shows titles and states, not the kind's details.
    """
    listed = await uow.campaigns.list(
        kinds=[kind], statuses=[CampaignStatus.OPEN, CampaignStatus.CLOSED]
    )
    accepting = [c for c in listed if c.is_accepting(now)]
    closed = [c for c in listed if not c.is_accepting(now)][:recently_closed]
    return accepting + closed


def ensure_results_visible(
    campaign: Campaign, *, now: datetime, for_official: bool, visible: bool | None = None
) -> None:
    """Officials always see results; residents as the campaign's visibility setting allows,
    or as the kind's own rule (`visible`) says."""
    shown = campaign.results_visible_to_residents(now) if visible is None else visible
    if not for_official and not shown:
        raise ResultsHiddenError(poll_id=campaign.id, closes_at=campaign.closes_at)


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


async def set_eligibility(
    uow: UnitOfWork, campaign: Campaign, eligibility: Eligibility
) -> Campaign:
    """Store who may take part (as created; officials set it with the campaign)."""
    if not eligibility.restricted and not campaign.eligibility.restricted:
        return campaign
    await uow.campaigns.set_eligibility(campaign.id, eligibility)
    return replace(campaign, eligibility=eligibility)


async def set_receipts(uow: UnitOfWork, campaign: Campaign, on: bool) -> Campaign:
    """Receipts are on unless the official turned them off (`--receipts off`, `receipts:`)."""
    if on == campaign.receipts:
        return campaign
    await uow.campaigns.set_receipts(campaign.id, on)
    return replace(campaign, receipts=on)


async def ensure_eligible(uow: UnitOfWork, campaign: Campaign, citizen_id: int) -> None:
    """Refuse (`NotEligibleError`) a resident the campaign does not admit.

    Every kind's participation calls this before writing: a vote, an answer, an idea or a
    support in an idea call, a contest entry or vote. An open campaign costs nothing extra;
    a restricted one reads the resident's row (their verification and home district now, not
    as a dialog saw them).
    """
    if not campaign.eligibility.restricted:
        return
    # A citizen id nobody has (a merged-away resident) meets the rule as a newcomer would.
    citizen = await uow.citizens.get(citizen_id) or Citizen(id=citizen_id, locale=None)
    campaign.eligibility.ensure(citizen, campaign_id=campaign.id, kind=campaign.kind.value)
