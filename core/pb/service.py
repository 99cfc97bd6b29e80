"""Participatory budgets: create from a plan, proposals and their review, ballots within
budgets, phases by the scheduler's sweep, results by both rules, implementation milestones."""

from __future__ import annotations

import asyncio
from datetime import datetime

from core.audit import service as audit
from core.campaigns import template
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, validate_window
from core.campaigns.receipts import new_receipt
from core.citizens.model import Citizen
from core.kernel.errors import (
    InvalidTransitionError,
    NotEligibleError,
    ValidationError,
)
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require
from core.pb import announcements
from core.pb.model import (
    MILESTONE_MAX,
    REASON_MAX,
    Ballot,
    EmptyBallotError,
    Milestone,
    ParticipatoryBudget,
    PbPhase,
    PbResults,
    PbRule,
    PotOutcome,
    Progress,
    Project,
    ProjectNotFoundError,
    ProjectStatus,
    Tallied,
    check_addition,
    earlier_than,
    rank_key,
    validate_cost,
    validate_proposal,
)
from core.pb.plan import PbPlan
from core.pb.ports import PBS

IMAGE_MAX_BYTES = 5 * 1024 * 1024  # a milestone photo: what both messengers accept


async def create_pb(
    uow: UnitOfWork, plan: PbPlan, *, actor: str, now: datetime
) -> ParticipatoryBudget:
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    validate_window(plan.submission_opens_at, plan.voting_closes_at, now=now)
    pb = await uow.repository(PBS).add(
        title=plan.title,
        description=plan.description,
        status=CampaignStatus.SCHEDULED,
        opens_at=plan.submission_opens_at,
        closes_at=plan.voting_closes_at,
        created_by=actor,
        now=now,
        review_at=plan.review_at,
        voting_opens_at=plan.voting_opens_at,
        announce_at=plan.announce_at,
        rule=plan.rule,
        pots=plan.pots,
    )
    pb.campaign = await template.set_file_delivery(
        uow,
        pb.campaign,
        audience=plan.audience,
        reminders=plan.reminders,
        send_results=plan.send_results,
    )
    pb.campaign = await template.set_eligibility(uow, pb.campaign, plan.eligibility)
    pb.campaign = await template.set_receipts(uow, pb.campaign, plan.receipts)
    await audit.record(
        uow,
        actor=actor,
        action="pb.create",
        object_type="campaign",
        object_id=pb.id,
        now=now,
        after={
            "title": plan.title,
            "submission": [plan.submission_opens_at.isoformat(), plan.review_at.isoformat()],
            "voting": [plan.voting_opens_at.isoformat(), plan.voting_closes_at.isoformat()],
            "results": plan.announce_at.isoformat(),
            "rule": plan.rule.value,
            "pots": [
                {"pot": p.code, "budget": p.budget, "style": p.style.value, "max": p.max_choices}
                for p in plan.pots
            ],
            "eligible": plan.eligibility.as_list(),
            "receipts": plan.receipts,
        },
    )
    return pb


async def get_pb(uow: UnitOfWork, pb_id: int) -> ParticipatoryBudget:
    return template.found(await uow.repository(PBS).get(pb_id), pb_id)


async def get_project(uow: UnitOfWork, project_id: int) -> Project:
    found = await uow.repository(PBS).get_project(project_id)
    if found is None:
        raise ProjectNotFoundError(project_id=project_id)
    return found


async def pbs_for_residents(uow: UnitOfWork, now: datetime) -> list[Campaign]:
    """Running PBs, then a few finished ones (for their winners and their progress)."""
    return await template.for_residents(uow, CampaignKind.PB, now)


# --- proposals --------------------------------------------------------------------------------


async def propose_project(
    uow: UnitOfWork,
    *,
    pb_id: int,
    citizen_id: int,
    pot: str,
    title: str,
    description: str,
    cost: int,
    photo_ref: str | None,
    now: datetime,
) -> Project:
    """A verified resident's proposal: city-wide, or for their own home district."""
    pb = await get_pb(uow, pb_id)
    pb.ensure_accepts_projects(now)
    await template.ensure_eligible(uow, pb.campaign, citizen_id)
    pb.pot(pot)  # a pot this PB has
    await _ensure_district(uow, pb, citizen_id, pot)
    title, description, cost = validate_proposal(title, description, cost)
    return await uow.repository(PBS).add_project(
        pb_id=pb_id,
        author_id=citizen_id,
        pot=pot,
        title=title,
        description=description,
        cost=cost,
        photo_ref=photo_ref,
        now=now,
    )


async def _ensure_district(
    uow: UnitOfWork, pb: ParticipatoryBudget, citizen_id: int, pot: str
) -> None:
    """A district pot is its residents' own: proposing for it and voting in it."""
    if pb.pot(pot).city_wide:
        return
    citizen = await uow.citizens.get(citizen_id) or Citizen(id=citizen_id, locale=None)
    if citizen.home_district == pot:
        return
    params = {
        "campaign_id": pb.id,
        "kind": CampaignKind.PB.value,
        "verified": True,
        "districts": (pot,),
        "home_district": citizen.home_district,
        "district_changeable_at": citizen.district_changeable_at,
    }
    if citizen.home_district is None:
        raise NotEligibleError("no_district", missing=("no_district",), **params)
    raise NotEligibleError("wrong_district", missing=("wrong_district",), **params)


async def my_projects(uow: UnitOfWork, pb_id: int, citizen_id: int) -> list[Project]:
    return await uow.repository(PBS).projects(pb_id, author_id=citizen_id)


async def list_projects(
    uow: UnitOfWork, pb_id: int, *, statuses: list[ProjectStatus] | None = None
) -> list[Project]:
    await get_pb(uow, pb_id)
    return await uow.repository(PBS).projects(pb_id, statuses=statuses)


async def ballot_projects(uow: UnitOfWork, pb_id: int, pot: str) -> list[Project]:
    """What residents choose from in a pot: the accepted projects, cheapest first."""
    found = await uow.repository(PBS).projects(pb_id, statuses=[ProjectStatus.ACCEPTED], pot=pot)
    return sorted(found, key=lambda p: (p.cost, p.id))


async def review_project(
    uow: UnitOfWork,
    project_id: int,
    *,
    accept: bool,
    actor: str,
    now: datetime,
    cost: int | None = None,
    reason: str | None = None,
) -> Project:
    """Accept (optionally at the cost officials estimate) or reject with a reason; the author
    is told either way. Until voting opens a decision may be revisited."""
    await require(uow, actor, Permission.MODERATE)
    project = await get_project(uow, project_id)
    pb = await get_pb(uow, project.pb_id)
    if pb.phase not in (PbPhase.SUBMISSION, PbPhase.REVIEW):
        raise InvalidTransitionError(
            "pb_review_closed", project_id=project_id, phase=pb.phase.value
        )
    if accept and reason:
        raise ValidationError("pb_reason_on_accept")
    if not accept:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("pb_reason_missing")
        if len(reason) > REASON_MAX:
            raise ValidationError("text_too_long", field="reason", max=REASON_MAX)
        if cost is not None:
            raise ValidationError("pb_cost_on_reject")
    if cost is not None:
        validate_cost(cost)
    target = ProjectStatus.ACCEPTED if accept else ProjectStatus.REJECTED
    allowed = [s for s in ProjectStatus if s != target] or [target]
    if accept and cost is not None and project.status == ProjectStatus.ACCEPTED:
        allowed = [ProjectStatus.ACCEPTED]  # a new cost for an accepted project
    if not await uow.repository(PBS).review_project(
        project_id,
        from_statuses=allowed,
        to_status=target,
        cost=cost,
        reason=None if accept else reason,
        now=now,
    ):
        raise InvalidTransitionError(
            "pb_project_status",
            project_id=project_id,
            status=project.status.value,
            target=target.value,
        )
    await audit.record(
        uow,
        actor=actor,
        action="pb.accept" if accept else "pb.reject",
        object_type="pb_project",
        object_id=project_id,
        now=now,
        before={"status": project.status.value, "cost": project.cost},
        after={
            "status": target.value,
            **({"cost": cost} if cost is not None else {}),
            **({"reason": reason} if reason else {}),
        },
    )
    reviewed = await get_project(uow, project_id)
    await announcements.project_reviewed(uow, pb, reviewed, now)
    return reviewed


# --- ballots ----------------------------------------------------------------------------------


async def ballot(uow: UnitOfWork, pb_id: int, citizen_id: int, pot: str) -> Ballot:
    """The resident's ballot in a pot (empty if they have not chosen anything)."""
    pb = await get_pb(uow, pb_id)
    the_pot = pb.pot(pot)
    stored = {b.pot: b for b in await uow.repository(PBS).ballots(pb_id, citizen_id)}
    found = stored.get(pot)
    if found is None:
        return Ballot(the_pot)
    return Ballot(
        the_pot,
        tuple(await uow.repository(PBS).selection(found.id)),
        await uow.repository(PBS).cast(found.id),
        found.submitted_at,
        found.receipt,
    )


async def _open_ballot(
    uow: UnitOfWork, pb: ParticipatoryBudget, citizen_id: int, pot: str, now: datetime
) -> int:
    pb.ensure_accepts_votes(now)
    await template.ensure_eligible(uow, pb.campaign, citizen_id)
    pb.pot(pot)
    await _ensure_district(uow, pb, citizen_id, pot)
    return await uow.repository(PBS).lock_ballot(pb.id, citizen_id, pot, now)


async def choose(uow: UnitOfWork, *, project_id: int, citizen_id: int, now: datetime) -> Ballot:
    """Add a project to the resident's ballot in its pot, if the pot's style lets it in.

    The ballot row is locked first and the choices read after, in one transaction: two taps
    at once queue on the lock and the second sees the first's project, so the total checked
    is the total stored (a knapsack ballot never goes past its budget).
    """
    project = await get_project(uow, project_id)
    pb = await get_pb(uow, project.pb_id)
    ballot_id = await _open_ballot(uow, pb, citizen_id, project.pot, now)
    if not project.on_ballot:
        raise ValidationError("pb_project_not_on_ballot", project_id=project_id)
    chosen = await uow.repository(PBS).selection(ballot_id)
    if all(p.id != project_id for p in chosen):
        check_addition(pb.pot(project.pot), [p.cost for p in chosen], project.cost, pb_id=pb.id)
        await uow.repository(PBS).select_project(ballot_id, project_id, now)
    return await ballot(uow, pb.id, citizen_id, project.pot)


async def unchoose(uow: UnitOfWork, *, project_id: int, citizen_id: int, now: datetime) -> Ballot:
    project = await get_project(uow, project_id)
    pb = await get_pb(uow, project.pb_id)
    ballot_id = await _open_ballot(uow, pb, citizen_id, project.pot, now)
    await uow.repository(PBS).unselect_project(ballot_id, project_id)
    return await ballot(uow, pb.id, citizen_id, project.pot)


async def submit_ballot(
    uow: UnitOfWork, *, pb_id: int, citizen_id: int, pot: str, now: datetime
) -> Ballot:
    """What the resident chose becomes their vote in this pot (replacing an earlier one), with
    a new receipt code unless the PB's receipts are off: only the final ballot's code is in
    the open data, so an earlier one, shown to someone else, proves nothing."""
    pb = await get_pb(uow, pb_id)
    ballot_id = await _open_ballot(uow, pb, citizen_id, pot, now)
    chosen = await uow.repository(PBS).selection(ballot_id)
    if not chosen:
        raise EmptyBallotError(pb_id=pb_id, pot=pot)
    # Re-checked under the lock: costs may have been corrected in review since the choice.
    the_pot = pb.pot(pot)
    costs: list[int] = []
    for project in chosen:
        check_addition(the_pot, costs, project.cost, pb_id=pb_id)
        costs.append(project.cost)
    receipt = new_receipt() if pb.campaign.receipts else None
    await uow.repository(PBS).submit(ballot_id, now, receipt)
    return await ballot(uow, pb_id, citizen_id, pot)


# --- phases and results -----------------------------------------------------------------------


async def advance_phases(
    uow: UnitOfWork, now: datetime
) -> tuple[list[int], list[int], list[int], list[int]]:
    """Scheduler sweep: submission → review → voting by their dates; → results once voting
    closed (the campaign closed); → implementation on the results date, when the winners by
    the PB's rule are stored and announced in the same transaction."""
    repo = uow.repository(PBS)
    moved: dict[PbPhase, list[int]] = {}
    for target in (PbPhase.REVIEW, PbPhase.VOTING, PbPhase.RESULTS, PbPhase.IMPLEMENTATION):
        moved[target] = []
        for pb_id in await repo.due(target, now):
            before = await get_pb(uow, pb_id)
            if not await repo.set_phase(pb_id, earlier_than(target), target):
                continue
            moved[target].append(pb_id)
            await audit.record(
                uow,
                actor=template.SCHEDULER_ACTOR,
                action="pb.phase",
                object_type="campaign",
                object_id=pb_id,
                now=now,
                before={"phase": before.phase.value},
                after={"phase": target.value},
            )
            if target == PbPhase.IMPLEMENTATION:
                await _publish(uow, pb_id, now)
    return (
        moved[PbPhase.REVIEW],
        moved[PbPhase.VOTING],
        moved[PbPhase.RESULTS],
        moved[PbPhase.IMPLEMENTATION],
    )


async def _publish(uow: UnitOfWork, pb_id: int, now: datetime) -> None:
    outcome = await results(uow, pb_id, now=now, for_official=True)
    winners = [r.project.id for r in outcome.winners()]
    await uow.repository(PBS).set_selected(pb_id, winners, now)
    await audit.record(
        uow,
        actor=template.SCHEDULER_ACTOR,
        action="pb.winners",
        object_type="campaign",
        object_id=pb_id,
        now=now,
        after={"rule": outcome.pb.rule.value, "winners": winners},
    )
    if outcome.pb.campaign.send_results:
        await announcements.winners(uow, await results(uow, pb_id, now=now), now)


async def results(
    uow: UnitOfWork, pb_id: int, *, now: datetime, for_official: bool = False
) -> PbResults:
    """Every pot's accepted projects ranked, with the winners.

    Officials get both rules' winners at any time (to compare them before publishing);
    residents see them once announced, under the PB's own rule, as stored when they were
    published: the Method of Equal Shares takes seconds on a real PB, and a resident's tap
    must not wait for it.
    """
    pb = await get_pb(uow, pb_id)
    template.ensure_results_visible(
        pb.campaign, now=now, for_official=for_official, visible=pb.results_published()
    )
    repo = uow.repository(PBS)
    tally = await repo.tally(pb_id)
    submitted = await repo.submitted_ballots(pb_id)
    pots = []
    for pot in pb.pots:
        projects = await repo.projects(pb_id, statuses=[ProjectStatus.ACCEPTED], pot=pot.code)
        ranked = sorted((Tallied(p, tally.get(p.id, 0)) for p in projects), key=rank_key)
        ballots = [chosen for _b, _c, code, chosen in submitted if code == pot.code]
        if for_official:
            from core.pb import rules  # pabutools (and numpy): loaded by the counting only

            winners = {
                # CPU-bound (pabutools): in a thread, so the bot's event loop keeps answering.
                rule: await asyncio.to_thread(rules.winners, rule, ranked, ballots, pot.budget)
                for rule in PbRule
            }
        else:
            winners = {pb.rule: frozenset(r.project.id for r in ranked if r.project.selected)}
        pots.append(PotOutcome(pot, ranked, voters=len(ballots), winners=winners))
    return PbResults(pb, pots, voters=len({c for _b, c, _p, _s in submitted}))


# --- implementation ---------------------------------------------------------------------------


async def add_milestone(
    uow: UnitOfWork,
    project_id: int,
    *,
    status: Progress,
    text: str,
    image: bytes | None,
    actor: str,
    now: datetime,
) -> Milestone:
    """Report a winning project's progress; its voters and its author are told."""
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    project = await get_project(uow, project_id)
    pb = await get_pb(uow, project.pb_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError("pb_milestone_empty")
    if len(text) > MILESTONE_MAX:
        raise ValidationError("text_too_long", field="text", max=MILESTONE_MAX)
    if status == Progress.PLANNED:
        raise ValidationError("pb_bad_progress", status=status.value)
    if image is not None and len(image) > IMAGE_MAX_BYTES:
        raise ValidationError("pb_image_too_large", max=IMAGE_MAX_BYTES)
    if not project.selected:
        raise InvalidTransitionError("pb_not_a_winner", project_id=project_id, phase=pb.phase.value)
    if project.progress in (Progress.DONE, Progress.CANCELLED):
        raise InvalidTransitionError(
            "pb_progress_final", project_id=project_id, progress=project.progress.value
        )
    repo = uow.repository(PBS)
    milestone = await repo.add_milestone(
        project_id=project_id, status=status, text=text, image=image, created_by=actor, now=now
    )
    await repo.set_progress(project_id, status, now)
    await audit.record(
        uow,
        actor=actor,
        action="pb.milestone",
        object_type="pb_project",
        object_id=project_id,
        now=now,
        before={"progress": project.progress.value if project.progress else None},
        after={"progress": status.value, "milestone": milestone.id, "image": image is not None},
    )
    voters = await repo.project_voters(project_id)
    await announcements.milestone(uow, project, milestone, text, image, voters, now)
    return milestone


async def milestones(uow: UnitOfWork, project_id: int) -> list[Milestone]:
    return await uow.repository(PBS).milestones(project_id)


async def milestone_image(uow: UnitOfWork, milestone_id: int) -> bytes | None:
    return await uow.repository(PBS).milestone_image(milestone_id)
