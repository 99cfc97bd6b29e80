"""Petitions: file, moderate, sign, reach the threshold, answer; close those that fell short.

Residents file and sign in chat; officials moderate and answer with `spilno-admin petitions`.
The hromada's rules (period, threshold, text limit, residents only) come from
`uow.policies.petitions`; the answer term is counted in the hromada's time zone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.audit import service as audit
from core.campaigns import template
from core.campaigns.eligibility import Eligibility, Ineligible
from core.campaigns.model import CampaignKind
from core.citizens.model import Citizen
from core.kernel import paging
from core.kernel.errors import (
    CampaignClosedError,
    CampaignNotFoundError,
    CampaignNotOpenError,
    InvalidTransitionError,
    NotEligibleError,
)
from core.kernel.i18n import current_timezone
from core.kernel.texts import clean_text
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require
from core.petitions import notifications
from core.petitions.model import (
    ANSWER_MAX,
    REJECT_NOTE_MAX,
    Decision,
    NewPetition,
    Petition,
    PetitionPolicy,
    PetitionQuery,
    PetitionStatus,
    RejectReason,
    answer_deadline,
    check_policy,
    reached_threshold,
    validate_new_petition,
)
from core.petitions.ports import PETITIONS

# Who the audit log names for what a resident's signature caused (the threshold).
SYSTEM_ACTOR = "system"
# Only residents who confirmed their phone number file and sign petitions.
SIGNERS = Eligibility(verified=True)


def author_marker(citizen_id: int) -> str:
    """`created_by` of a petition's campaign: a resident filed it, not an official."""
    return f"resident:{citizen_id}"


# --- who may file and sign ----------------------------------------------------------------


def missing(citizen: Citizen, policy: PetitionPolicy) -> list[Ineligible]:
    """What this resident lacks to file or sign, in the order to fix it; [] = may."""
    found = SIGNERS.missing(citizen)
    if policy.residents_only and citizen.home_district is None:
        found.append(Ineligible.NO_DISTRICT)
    return found


async def ensure_may_take_part(
    uow: UnitOfWork, citizen_id: int, policy: PetitionPolicy, *, petition_id: int | None = None
) -> None:
    """Refuse (NotEligibleError) a resident who is not verified or, where the hromada's rules
    say so, has not said they live in the hromada (a home district)."""
    citizen = await uow.citizens.get(citizen_id) or Citizen(id=citizen_id, locale=None)
    lacking = missing(citizen, policy)
    if lacking:
        raise NotEligibleError(
            lacking[0].value,
            campaign_id=petition_id,
            kind=CampaignKind.PETITION.value,
            verified=True,
            districts=(),
            home_district=citizen.home_district,
            district_changeable_at=citizen.district_changeable_at,
            missing=tuple(m.value for m in lacking),
        )


# --- filing and finding -------------------------------------------------------------------


async def file_petition(
    uow: UnitOfWork, draft: NewPetition, *, now: datetime, policy: PetitionPolicy | None = None
) -> Petition:
    """Store a new petition, pending premoderation."""
    policy = policy or uow.policies.petitions
    petition = validate_new_petition(draft, policy)
    await ensure_may_take_part(uow, petition.author_id, policy)
    stored = await uow.repository(PETITIONS).add(
        petition, created_by=author_marker(petition.author_id), now=now
    )
    campaign = await template.set_eligibility(uow, stored.campaign, SIGNERS)
    # Filing is a legal act (the petition is registered on that day): the log keeps it.
    await audit.record(
        uow,
        actor=author_marker(petition.author_id),
        action="petition.create",
        object_type="petition",
        object_id=stored.id,
        now=now,
        after={"title": petition.title, "addressee": petition.addressee, "topic": petition.topic},
    )
    return replace(stored, campaign=campaign)


async def get_petition(uow: UnitOfWork, petition_id: int) -> Petition:
    return template.found(await uow.repository(PETITIONS).get(petition_id), petition_id)


async def petition_for_resident(uow: UnitOfWork, petition_id: int, citizen_id: int) -> Petition:
    """A published petition, or the author's own in any state; others are not found."""
    petition = await get_petition(uow, petition_id)
    if not petition.visible_to(citizen_id):
        raise CampaignNotFoundError(campaign_id=petition_id)
    return petition


async def browse(
    uow: UnitOfWork, query: PetitionQuery, *, page: int, page_size: int
) -> tuple[list[Petition], bool]:
    """One page and whether there is a next one."""
    search = uow.repository(PETITIONS).search
    return await paging.one_page(
        lambda offset, limit: search(query, offset=offset, limit=limit),
        page=page,
        page_size=page_size,
    )


async def iter_petitions(uow: UnitOfWork, query: PetitionQuery) -> list[Petition]:
    search = uow.repository(PETITIONS).search
    return await paging.read_all(lambda offset, limit: search(query, offset=offset, limit=limit))


async def signed_among(uow: UnitOfWork, citizen_id: int, petition_ids: list[int]) -> set[int]:
    if not petition_ids:
        return set()
    return await uow.repository(PETITIONS).signed_among(citizen_id, petition_ids)


# --- moderation ---------------------------------------------------------------------------


def _refuse(petition: Petition, target: PetitionStatus) -> InvalidTransitionError:
    return InvalidTransitionError(
        "petition_status", petition=petition.id, status=petition.status.value, target=target.value
    )


async def approve_petition(
    uow: UnitOfWork,
    petition_id: int,
    *,
    actor: str,
    now: datetime,
    policy: PetitionPolicy | None = None,
) -> Petition:
    """Publish a pending petition: open for signatures for the hromada's period, towards the
    hromada's threshold; its author signs first; the author is told."""
    await require(uow, actor, Permission.MODERATE)
    policy = check_policy(policy or uow.policies.petitions)
    petition = await get_petition(uow, petition_id)
    closes_at = now + timedelta(days=policy.days)
    if petition.status != PetitionStatus.PENDING or not await uow.repository(PETITIONS).approve(
        petition.id, threshold=policy.threshold, closes_at=closes_at, now=now
    ):
        raise _refuse(petition, PetitionStatus.OPEN)
    await audit.record(
        uow,
        actor=actor,
        action="petition.approve",
        object_type="petition",
        object_id=petition.id,
        now=now,
        before={"status": petition.status.value},
        after={
            "status": PetitionStatus.OPEN.value,
            "threshold": policy.threshold,
            "closes_at": closes_at.isoformat(),
        },
    )
    # The author's own signature counts, as on every petition platform (they met the rules
    # when they filed it).
    await uow.repository(PETITIONS).add_signature(petition.id, petition.author_id, now)
    opened = await get_petition(uow, petition.id)
    await notifications.approved(uow, opened, now=now)
    return await _threshold_check(uow, opened, now=now)


async def reject_petition(
    uow: UnitOfWork,
    petition_id: int,
    *,
    reason: RejectReason,
    note: str | None = None,
    actor: str,
    now: datetime,
) -> Petition:
    """Refuse to publish, on one of the legal grounds (and a note the author reads)."""
    await require(uow, actor, Permission.MODERATE)
    note = (
        clean_text(note, field="note", max_len=REJECT_NOTE_MAX, links_allowed=True)
        if note
        else None
    )
    petition = await get_petition(uow, petition_id)
    if petition.status != PetitionStatus.PENDING or not await uow.repository(PETITIONS).reject(
        petition.id, reason=reason, note=note, now=now
    ):
        raise _refuse(petition, PetitionStatus.REJECTED)
    await audit.record(
        uow,
        actor=actor,
        action="petition.reject",
        object_type="petition",
        object_id=petition.id,
        now=now,
        before={"status": petition.status.value},
        after={"status": PetitionStatus.REJECTED.value, "reason": reason.value, "note": note},
    )
    rejected = await get_petition(uow, petition.id)
    await notifications.rejected(uow, rejected, now=now)
    return rejected


# --- signing ------------------------------------------------------------------------------


async def sign_petition(
    uow: UnitOfWork,
    *,
    petition_id: int,
    citizen_id: int,
    now: datetime,
    policy: PetitionPolicy | None = None,
) -> tuple[Petition, bool]:
    """Sign once. Returns the petition as it now stands and whether this was a new signature
    (a second tap, or one from the resident's other messenger, changes nothing)."""
    policy = policy or uow.policies.petitions
    petition = await petition_for_resident(uow, petition_id, citizen_id)
    if not petition.is_signable(now):
        kind = CampaignKind.PETITION.value
        if petition.status == PetitionStatus.PENDING:
            raise CampaignNotOpenError(campaign_id=petition.id, kind=kind, opens_at=None)
        raise CampaignClosedError(
            campaign_id=petition.id, kind=kind, closes_at=petition.campaign.closes_at
        )
    await ensure_may_take_part(uow, citizen_id, policy, petition_id=petition.id)
    count = await uow.repository(PETITIONS).add_signature(petition.id, citizen_id, now)
    if count is None:
        return petition, False
    signed = replace(petition, signatures=count)
    return await _threshold_check(uow, signed, now=now), True


async def _threshold_check(uow: UnitOfWork, petition: Petition, *, now: datetime) -> Petition:
    """At the threshold the petition goes to the city: the answer term starts. The conditional
    UPDATE lets exactly one of several concurrent signers cross it."""
    if petition.status != PetitionStatus.OPEN or not reached_threshold(
        petition.signatures, petition.threshold
    ):
        return petition
    due = answer_deadline(now, current_timezone())
    if not await uow.repository(PETITIONS).reach_threshold(petition.id, due_at=due, now=now):
        return await get_petition(uow, petition.id)
    await audit.record(
        uow,
        actor=SYSTEM_ACTOR,
        action="petition.threshold_reached",
        object_type="petition",
        object_id=petition.id,
        now=now,
        before={"status": PetitionStatus.OPEN.value},
        after={
            "status": PetitionStatus.THRESHOLD_REACHED.value,
            "signatures": petition.signatures,
            "answer_due_at": due.isoformat(),
        },
    )
    reached = await get_petition(uow, petition.id)
    await notifications.threshold_reached(uow, reached, now=now)
    return reached


# --- the answer and the end ---------------------------------------------------------------


async def answer_petition(
    uow: UnitOfWork,
    petition_id: int,
    *,
    decision: Decision,
    text: str,
    actor: str,
    now: datetime,
) -> Petition:
    """The city's answer to a petition under consideration: recorded, published on the
    petition's screen, and sent to its author and every signer; signing ends."""
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    text = clean_text(text, field="text", max_len=ANSWER_MAX, links_allowed=True)
    petition = await get_petition(uow, petition_id)
    if petition.status != PetitionStatus.THRESHOLD_REACHED or not await uow.repository(
        PETITIONS
    ).answer(petition.id, decision=decision, text=text, now=now):
        raise _refuse(petition, PetitionStatus.ANSWERED)
    await audit.record(
        uow,
        actor=actor,
        action="petition.answer",
        object_type="petition",
        object_id=petition.id,
        now=now,
        before={"status": petition.status.value},
        after={
            "status": PetitionStatus.ANSWERED.value,
            "decision": decision.value,
            "answer": text,
            "overdue": petition.is_overdue(now),
        },
    )
    answered = await get_petition(uow, petition.id)
    await notifications.answered(uow, answered, now=now)
    return answered


async def sweep(uow: UnitOfWork, now: datetime) -> tuple[list[int], ...]:
    """Scheduler: petitions whose period ended below the threshold close as *not enough
    signatures*, and their signers are told. Idempotent (conditional UPDATE, deduped push)."""
    closed = []
    for petition_id in await uow.repository(PETITIONS).expired(now):
        if not await uow.repository(PETITIONS).close_unsuccessful(petition_id, now):
            continue
        closed.append(petition_id)
        petition = await get_petition(uow, petition_id)
        await audit.record(
            uow,
            actor=template.SCHEDULER_ACTOR,
            action="petition.not_enough_signatures",
            object_type="petition",
            object_id=petition_id,
            now=now,
            before={"status": PetitionStatus.OPEN.value},
            after={
                "status": PetitionStatus.NOT_ENOUGH_SIGNATURES.value,
                "signatures": petition.signatures,
                "threshold": petition.threshold,
            },
        )
        await notifications.not_enough(uow, petition, now=now)
    return (closed,)
