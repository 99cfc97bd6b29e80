"""Polls: create, list for residents, cast and change votes (one ballot per citizen per poll)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.audit import service as audit
from core.campaigns import template
from core.campaigns.eligibility import EVERYONE, Eligibility
from core.campaigns.model import (
    Campaign,
    CampaignKind,
    ResultsVisibility,
    check_description,
    initial_status,
    validate_window,
)
from core.campaigns.receipts import new_receipt
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require
from core.polls.model import Poll, validate_poll
from core.polls.ports import BALLOTS


async def create_poll(
    uow: UnitOfWork,
    *,
    question: str,
    options: list[str],
    actor: str,
    now: datetime,
    max_choices: int = 1,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    visibility: ResultsVisibility = ResultsVisibility.LIVE,
    description: str = "",
    eligibility: Eligibility = EVERYONE,
    receipts: bool = True,
) -> Poll:
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    question, options = validate_poll(question, options, max_choices)
    validate_window(opens_at, closes_at, now=now)
    poll = await uow.campaigns.add_poll(
        title=question,
        description=check_description(description),
        status=initial_status(opens_at),
        opens_at=opens_at,
        closes_at=closes_at,
        visibility=visibility,
        created_by=actor,
        now=now,
        max_choices=max_choices,
        options=options,
    )
    poll.campaign = await template.set_eligibility(uow, poll.campaign, eligibility)
    poll.campaign = await template.set_receipts(uow, poll.campaign, receipts)
    await audit.record(
        uow,
        actor=actor,
        action="poll.create",
        object_type="campaign",
        object_id=poll.id,
        now=now,
        after={
            "question": question,
            "options": options,
            "max_choices": max_choices,
            "opens_at": opens_at.isoformat() if opens_at else None,
            "closes_at": closes_at.isoformat() if closes_at else None,
            "results": visibility.value,
            "status": poll.campaign.status.value,
            "eligible": eligibility.as_list(),
            "receipts": receipts,
        },
    )
    return poll


async def get_poll(uow: UnitOfWork, poll_id: int) -> Poll:
    return template.found(await uow.campaigns.get_poll(poll_id), poll_id)


async def polls_for_residents(uow: UnitOfWork, now: datetime) -> list[Campaign]:
    """Open polls still accepting votes, then the five latest closed ones (for their results)."""
    return await template.for_residents(uow, CampaignKind.POLL, now)


async def my_choices(uow: UnitOfWork, poll_id: int, citizen_id: int) -> frozenset[int]:
    return await uow.repository(BALLOTS).choices(poll_id, citizen_id)


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    poll: Poll  # returned so the screen can be drawn without reading the poll again
    chosen: frozenset[int]
    # The new receipt of this ballot; None when receipts are off or nothing is chosen.
    receipt: str | None = None


async def _issue_receipt(
    uow: UnitOfWork, poll: Poll, ballot_id: int, chosen: frozenset[int]
) -> str | None:
    """Every change of a vote gets a new code; a ballot with no choice counts for nothing."""
    receipt = new_receipt() if poll.campaign.receipts and chosen else None
    await uow.repository(BALLOTS).set_receipt(ballot_id, receipt)
    return receipt


async def my_receipt(uow: UnitOfWork, poll_id: int, citizen_id: int) -> str | None:
    return await uow.repository(BALLOTS).receipt(poll_id, citizen_id)


async def cast_vote(
    uow: UnitOfWork, *, poll_id: int, citizen_id: int, option_ids: frozenset[int], now: datetime
) -> VoteOutcome:
    """Replace the citizen's choices in this poll. Changing one's vote is allowed until close."""
    poll = await get_poll(uow, poll_id)
    poll.campaign.ensure_accepting(now)
    await template.ensure_eligible(uow, poll.campaign, citizen_id)
    poll.check_choices(option_ids)
    ballot_id = await uow.repository(BALLOTS).lock_ballot(poll_id, citizen_id, now)
    await uow.repository(BALLOTS).replace_choices(ballot_id, poll_id, option_ids)
    return VoteOutcome(poll, option_ids, await _issue_receipt(uow, poll, ballot_id, option_ids))


async def toggle_choice(
    uow: UnitOfWork, *, poll_id: int, citizen_id: int, option_id: int, now: datetime
) -> VoteOutcome:
    """Single choice: the tapped option becomes the vote. Multiple: a tap adds or removes it.

    Raises a typed error when refused; the caller must then roll back (nothing is committed
    half-way: the choices are taken out before the maximum is checked).
    """
    poll = await get_poll(uow, poll_id)
    poll.campaign.ensure_accepting(now)
    await template.ensure_eligible(uow, poll.campaign, citizen_id)
    poll.option(option_id)
    ballot_id = await uow.repository(BALLOTS).lock_ballot(poll_id, citizen_id, now)
    if not poll.is_multiple:
        # Whatever was chosen before, the tapped option is the vote now.
        chosen = frozenset({option_id})
        await uow.repository(BALLOTS).replace_choices(ballot_id, poll_id, chosen)
        return VoteOutcome(poll, chosen, await _issue_receipt(uow, poll, ballot_id, chosen))
    # Lock first, read after: the maximum is checked against what is really stored.
    current = await uow.repository(BALLOTS).take_choices(ballot_id)
    chosen = current ^ {option_id}
    poll.check_choices(chosen)
    await uow.repository(BALLOTS).add_choices(ballot_id, poll_id, chosen)
    return VoteOutcome(poll, chosen, await _issue_receipt(uow, poll, ballot_id, chosen))
