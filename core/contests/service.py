"""Contests: create from a plan, entries (with optional premoderation), votes, phases, ranking."""

from __future__ import annotations

from datetime import datetime

from core.audit import service as audit
from core.campaigns import template
from core.campaigns.breakdown import Breakdown, ResultsBreakdown, assemble
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, validate_window
from core.campaigns.receipts import new_receipt
from core.contests import announcements
from core.contests.model import (
    FINISHED_FROM,
    REJECT_REASON_MAX,
    VOTING_FROM,
    Contest,
    ContestPhase,
    ContestResults,
    Entry,
    EntryStatus,
    rank,
    validate_entry,
)
from core.contests.plan import ContestPlan
from core.contests.ports import CONTESTS
from core.kernel.errors import (
    EntryLimitError,
    EntryNotFoundError,
    InvalidTransitionError,
    ValidationError,
    VoteLimitError,
)
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require


async def create_contest(
    uow: UnitOfWork, plan: ContestPlan, *, actor: str, now: datetime
) -> Contest:
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    validate_window(plan.submissions_open_at, plan.voting_close_at, now=now)
    contest = await uow.repository(CONTESTS).add(
        title=plan.title,
        description=plan.problem,
        status=CampaignStatus.SCHEDULED,
        opens_at=plan.submissions_open_at,
        closes_at=plan.voting_close_at,
        created_by=actor,
        now=now,
        submissions_close_at=plan.submissions_close_at,
        voting_opens_at=plan.voting_opens_at,
        votes_per_resident=plan.votes_per_resident,
        winners=plan.winners,
        entries_per_resident=plan.entries_per_resident,
        premoderation=plan.premoderation,
        audience=plan.audience,
    )
    contest.campaign = await template.set_file_delivery(
        uow,
        contest.campaign,
        audience=plan.audience,
        reminders=plan.reminders,
        send_results=plan.send_results,
    )
    contest.campaign = await template.set_eligibility(uow, contest.campaign, plan.eligibility)
    contest.campaign = await template.set_receipts(uow, contest.campaign, plan.receipts)
    await audit.record(
        uow,
        actor=actor,
        action="contest.create",
        object_type="campaign",
        object_id=contest.id,
        now=now,
        after={
            "title": plan.title,
            "submissions": [
                plan.submissions_open_at.isoformat(),
                plan.submissions_close_at.isoformat(),
            ],
            "voting": [plan.voting_opens_at.isoformat(), plan.voting_close_at.isoformat()],
            "votes_per_resident": plan.votes_per_resident,
            "winners": plan.winners,
            "entries_per_resident": plan.entries_per_resident,
            "premoderation": plan.premoderation,
            "reminders": plan.reminders,
            "send_results": plan.send_results,
            "eligible": plan.eligibility.as_list(),
            "receipts": plan.receipts,
        },
    )
    return contest


async def get_contest(uow: UnitOfWork, contest_id: int) -> Contest:
    return template.found(await uow.repository(CONTESTS).get(contest_id), contest_id)


async def get_entry(uow: UnitOfWork, entry_id: int) -> Entry:
    found = await uow.repository(CONTESTS).get_entry(entry_id)
    if found is None:
        raise EntryNotFoundError(entry_id=entry_id)
    return found


async def contests_for_residents(uow: UnitOfWork, now: datetime) -> list[Campaign]:
    """Running contests, then a few finished ones (for their winners)."""
    return await template.for_residents(uow, CampaignKind.CONTEST, now)


async def submit_entry(
    uow: UnitOfWork,
    *,
    contest_id: int,
    citizen_id: int,
    title: str,
    description: str,
    photo_ref: str | None,
    now: datetime,
) -> Entry:
    contest = await get_contest(uow, contest_id)
    contest.ensure_accepts_entries(now)
    await template.ensure_eligible(uow, contest.campaign, citizen_id)
    title, description = validate_entry(title, description)
    # Under the citizen's lock the count is exact; the unique (contest, author, seq) backs it.
    await uow.repository(CONTESTS).lock_participant(contest_id, citizen_id, now)
    count = await uow.repository(CONTESTS).count_entries(contest_id, citizen_id)
    if count >= contest.entries_per_resident:
        raise EntryLimitError(contest_id=contest_id, limit=contest.entries_per_resident)
    return await uow.repository(CONTESTS).add_entry(
        contest_id=contest_id,
        author_id=citizen_id,
        author_seq=count + 1,
        title=title,
        description=description,
        photo_ref=photo_ref,
        status=EntryStatus.PENDING if contest.premoderation else EntryStatus.APPROVED,
        now=now,
    )


async def my_entries(uow: UnitOfWork, contest_id: int, citizen_id: int) -> list[Entry]:
    return await uow.repository(CONTESTS).entries(contest_id, author_id=citizen_id)


async def entries_for_voting(uow: UnitOfWork, contest_id: int) -> list[Entry]:
    return await uow.repository(CONTESTS).entries(contest_id, statuses=[EntryStatus.APPROVED])


async def list_entries(
    uow: UnitOfWork, contest_id: int, *, statuses: list[EntryStatus] | None = None
) -> list[Entry]:
    await get_contest(uow, contest_id)
    return await uow.repository(CONTESTS).entries(contest_id, statuses=statuses)


async def voter_count(uow: UnitOfWork, contest_id: int) -> int:
    """How many residents gave at least one vote."""
    return await uow.repository(CONTESTS).voters(contest_id)


async def moderate_entry(
    uow: UnitOfWork,
    entry_id: int,
    *,
    approve: bool,
    actor: str,
    now: datetime,
    reason: str | None = None,
) -> Entry:
    """Approve or reject an entry. Approving a rejected entry (a second look) is allowed."""
    await require(uow, actor, Permission.MODERATE)
    if reason is not None and len(reason) > REJECT_REASON_MAX:
        raise ValidationError("text_too_long", field="reason", max=REJECT_REASON_MAX)
    entry = await get_entry(uow, entry_id)
    target = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
    allowed = (
        (EntryStatus.PENDING, EntryStatus.REJECTED)
        if approve
        else (EntryStatus.PENDING, EntryStatus.APPROVED)
    )
    if not await uow.repository(CONTESTS).set_entry_status(
        entry_id, allowed, target, None if approve else reason, now
    ):
        raise InvalidTransitionError(
            "entry_status", entry_id=entry_id, status=entry.status.value, target=target.value
        )
    await audit.record(
        uow,
        actor=actor,
        action="contest.approve" if approve else "contest.reject",
        object_type="contest_entry",
        object_id=entry_id,
        now=now,
        before={"status": entry.status.value},
        after={"status": target.value, **({"reason": reason} if reason else {})},
    )
    return await get_entry(uow, entry_id)


async def my_votes(uow: UnitOfWork, contest_id: int, citizen_id: int) -> frozenset[int]:
    return await uow.repository(CONTESTS).my_votes(contest_id, citizen_id)


async def toggle_vote(
    uow: UnitOfWork, *, entry_id: int, citizen_id: int, now: datetime
) -> tuple[bool, frozenset[int]]:
    """Give a vote to an entry, or take it back. Returns (voted now, all my votes)."""
    entry = await get_entry(uow, entry_id)
    contest = await get_contest(uow, entry.contest_id)
    contest.ensure_accepts_votes(now)
    await template.ensure_eligible(uow, contest.campaign, citizen_id)
    entry.ensure_votable_by(citizen_id)
    # Lock first, read after: the limit is checked against what is really stored.
    await uow.repository(CONTESTS).lock_participant(contest.id, citizen_id, now)
    current = await uow.repository(CONTESTS).my_votes(contest.id, citizen_id)
    if entry_id in current:
        await uow.repository(CONTESTS).remove_vote(entry_id, citizen_id)
        mine = current - {entry_id}
    else:
        if len(current) >= contest.votes_per_resident:
            raise VoteLimitError(contest_id=contest.id, limit=contest.votes_per_resident)
        await uow.repository(CONTESTS).add_vote(contest.id, entry_id, citizen_id, now)
        mine = current | {entry_id}
    # The voter's votes in this contest are one ballot: each change gets a new receipt.
    receipt = new_receipt() if contest.campaign.receipts and mine else None
    await uow.repository(CONTESTS).set_receipt(contest.id, citizen_id, receipt)
    return entry_id in mine, mine


async def my_receipt(uow: UnitOfWork, contest_id: int, citizen_id: int) -> str | None:
    return await uow.repository(CONTESTS).receipt(contest_id, citizen_id)


async def results(
    uow: UnitOfWork, contest_id: int, *, now: datetime, for_official: bool = False
) -> ContestResults:
    """Ranked approved entries. Residents see them once voting has closed."""
    contest = await get_contest(uow, contest_id)
    template.ensure_results_visible(
        contest.campaign, now=now, for_official=for_official, visible=contest.is_finished(now)
    )
    return await _ranked(uow, contest)


async def _ranked(uow: UnitOfWork, contest: Contest) -> ContestResults:
    entries = await uow.repository(CONTESTS).entries(contest.id, statuses=[EntryStatus.APPROVED])
    tally = await uow.repository(CONTESTS).tally(contest.id)
    ranked = rank([(e, tally.get(e.id, 0)) for e in entries], contest.winners)
    voters = await uow.repository(CONTESTS).voters(contest.id)
    return ContestResults(contest, ranked, voters)


async def results_by(
    uow: UnitOfWork, contest_id: int, by: Breakdown
) -> ResultsBreakdown[ContestResults]:
    """The votes per entry from each group of voters (as officials see them, at any time);
    each group ranked by its own votes, the whole city as `results` ranks it."""
    contest = await get_contest(uow, contest_id)
    entries = await uow.repository(CONTESTS).entries(contest_id, statuses=[EntryStatus.APPROVED])
    tallies = await uow.repository(CONTESTS).tally_by(contest_id, by)

    def compute(tally: tuple[dict[int, int], int]) -> ContestResults:
        counts, voters = tally
        return ContestResults(
            contest, rank([(e, counts.get(e.id, 0)) for e in entries], contest.winners), voters
        )

    return assemble(
        by, await _ranked(uow, contest), tallies, ({}, 0), compute, lambda tally: tally[1]
    )


async def advance_phases(uow: UnitOfWork, now: datetime) -> tuple[list[int], list[int]]:
    """Scheduler sweep: submissions → voting when due; → finished once the campaign closed.

    Conditional transitions, so a repeated or concurrent sweep changes nothing twice; the
    winners are announced in the same transaction as the transition to finished.
    """
    to_voting = []
    for contest_id in await uow.repository(CONTESTS).due_for_voting(now):
        if await uow.repository(CONTESTS).set_phase(contest_id, VOTING_FROM, ContestPhase.VOTING):
            to_voting.append(contest_id)
            await _audit_phase(uow, contest_id, ContestPhase.SUBMISSIONS, ContestPhase.VOTING, now)
    finished = []
    for contest_id in await uow.repository(CONTESTS).due_to_finish():
        before = await get_contest(uow, contest_id)
        if await uow.repository(CONTESTS).set_phase(
            contest_id, FINISHED_FROM, ContestPhase.FINISHED
        ):
            finished.append(contest_id)
            await _audit_phase(uow, contest_id, before.phase, ContestPhase.FINISHED, now)
            if before.campaign.send_results:  # the file's `send_results`
                outcome = await results(uow, contest_id, now=now, for_official=True)
                by_district = await results_by(uow, contest_id, Breakdown.DISTRICT)
                await announcements.contest_winners(uow, outcome, by_district, now)
    return to_voting, finished


async def _audit_phase(
    uow: UnitOfWork, contest_id: int, before: ContestPhase, after: ContestPhase, now: datetime
) -> None:
    await audit.record(
        uow,
        actor=template.SCHEDULER_ACTOR,
        action="contest.phase",
        object_type="campaign",
        object_id=contest_id,
        now=now,
        before={"phase": before.value},
        after={"phase": after.value},
    )
