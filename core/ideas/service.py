"""Ideas: submit (freely or into an idea call), moderate, support, report, discuss, answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.audit import service as audit
from core.campaigns import template
from core.campaigns.eligibility import EVERYONE, Eligibility
from core.campaigns.model import (
    DESCRIPTION_MAX,
    CampaignKind,
    CampaignStatus,
    validate_window,
)
from core.campaigns.model import initial_status as campaign_initial_status
from core.ideas import notifications as idea_notifications
from core.ideas import similarity
from core.ideas.model import (
    ANSWER_MAX,
    HIDE_AT_REPORTS,
    REJECT_REASON_MAX,
    Idea,
    IdeaCall,
    IdeaComment,
    IdeaQuery,
    IdeaStatus,
    NewIdea,
    OfficialStatus,
    ReportedItem,
    ReportReason,
    ReportTarget,
    format_code,
    initial_status,
    parse_code,
    reached_threshold,
    validate_comment,
    validate_new_idea,
)
from core.ideas.policy import IdeaPolicy
from core.ideas.ports import IDEAS
from core.kernel import paging
from core.kernel.errors import (
    CommentNotFoundError,
    IdeaCallNotOpenError,
    IdeaNotFoundError,
    IdeaNotPublicError,
    InvalidTransitionError,
    ValidationError,
)
from core.kernel.i18n import current_timezone
from core.kernel.texts import clean_text
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require

SYSTEM_ACTOR = "system"
COMMENT_NOTICE_QUIET = timedelta(hours=1)
SIMILAR_SHOWN = 3
SIMILAR_MIN_SCORE = 0.3
# How many prefiltered candidates (those sharing most stems) are scored in Python.
SIMILAR_CANDIDATES = 300
# More supports than a city has residents would never be reached (and past int64, not stored).
SUPPORT_THRESHOLD_MAX = 10_000_000


# --- idea calls ---------------------------------------------------------------------------


async def create_idea_call(
    uow: UnitOfWork,
    *,
    title: str,
    description: str,
    actor: str,
    now: datetime,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    support_threshold: int | None = None,
    eligibility: Eligibility = EVERYONE,
) -> IdeaCall:
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    title = clean_text(title, field="title", max_len=300)
    description = clean_text(
        description,
        field="description",
        max_len=DESCRIPTION_MAX,
        links_allowed=True,
        required=False,
    )
    validate_window(opens_at, closes_at, now=now)
    if support_threshold is not None and not 1 <= support_threshold <= SUPPORT_THRESHOLD_MAX:
        raise ValidationError("bad_threshold", max=SUPPORT_THRESHOLD_MAX)
    call = await uow.repository(IDEAS).add_call(
        title=title,
        description=description,
        status=campaign_initial_status(opens_at),
        opens_at=opens_at,
        closes_at=closes_at,
        support_threshold=support_threshold,
        created_by=actor,
        now=now,
    )
    call = replace(call, campaign=await template.set_eligibility(uow, call.campaign, eligibility))
    await audit.record(
        uow,
        actor=actor,
        action="idea_call.create",
        object_type="campaign",
        object_id=call.id,
        now=now,
        after={
            "title": title,
            "opens_at": opens_at.isoformat() if opens_at else None,
            "closes_at": closes_at.isoformat() if closes_at else None,
            "support_threshold": support_threshold,
            "status": call.campaign.status.value,
            "eligible": eligibility.as_list(),
        },
    )
    return call


async def open_idea_calls(uow: UnitOfWork, now: datetime) -> list[IdeaCall]:
    campaigns = await uow.campaigns.list(
        kinds=[CampaignKind.IDEA_CALL], statuses=[CampaignStatus.OPEN]
    )
    return [IdeaCall(campaign=c, support_threshold=None) for c in campaigns if c.is_accepting(now)]


async def get_idea_call(uow: UnitOfWork, call_id: int) -> IdeaCall:
    call = await uow.repository(IDEAS).get_call(call_id)
    if call is None:
        raise IdeaCallNotOpenError(call_id=call_id)
    return call


# --- submitting and finding ---------------------------------------------------------------


async def submit_idea(
    uow: UnitOfWork, draft: NewIdea, *, now: datetime, policy: IdeaPolicy | None = None
) -> Idea:
    """Store a new idea: pending until approved, or published at once without premoderation."""
    policy = policy or uow.policies.ideas
    idea = validate_new_idea(draft)
    if idea.call_id is not None:
        call = await get_idea_call(uow, idea.call_id)
        if not call.campaign.is_accepting(now):
            raise IdeaCallNotOpenError(call_id=idea.call_id, closes_at=call.campaign.closes_at)
        await template.ensure_eligible(uow, call.campaign, idea.author_id)
    year = now.astimezone(current_timezone()).year
    seq = await uow.repository(IDEAS).next_code_seq(year)
    return await uow.repository(IDEAS).add(
        idea,
        code=format_code(year, seq),
        status=initial_status(policy.premoderation),
        keywords=similarity.keywords(idea.title, idea.description),
        now=now,
    )


async def get_idea(uow: UnitOfWork, idea_id: int) -> Idea:
    idea = await uow.repository(IDEAS).get(idea_id)
    if idea is None:
        raise IdeaNotFoundError(idea=idea_id)
    return idea


async def find_idea(uow: UnitOfWork, ref: str) -> Idea:
    """An idea by its code (`ID-2026-0042`) or numeric id, as officials type it."""
    ref = ref.strip()
    idea = None
    if parse_code(ref) is not None:
        idea = await uow.repository(IDEAS).get_by_code(ref.upper())
    elif ref.isdigit():
        idea = await uow.repository(IDEAS).get(int(ref))
    if idea is None:
        raise IdeaNotFoundError(idea=ref)
    return idea


async def idea_for_resident(uow: UnitOfWork, idea_id: int, citizen_id: int) -> Idea:
    idea = await get_idea(uow, idea_id)
    if not idea.visible_to(citizen_id):
        raise IdeaNotFoundError(idea=idea_id)
    return idea


async def browse(
    uow: UnitOfWork, query: IdeaQuery, *, page: int, page_size: int
) -> tuple[list[Idea], bool]:
    """One page of ideas (counts included) and whether there is a next page."""
    search = uow.repository(IDEAS).search
    return await paging.one_page(
        lambda offset, limit: search(query, offset=offset, limit=limit),
        page=page,
        page_size=page_size,
    )


async def iter_ideas(uow: UnitOfWork, query: IdeaQuery) -> list[Idea]:
    """Every idea matching `query`, read in batches (exports)."""
    search = uow.repository(IDEAS).search
    return await paging.read_all(lambda offset, limit: search(query, offset=offset, limit=limit))


async def similar_ideas(
    uow: UnitOfWork,
    *,
    title: str,
    description: str,
    topic: str | None,
    limit: int = SIMILAR_SHOWN,
    min_score: float = SIMILAR_MIN_SCORE,
) -> list[tuple[Idea, float]]:
    """Up to `limit` public ideas most like this text, best first."""
    text = f"{title} {description}"
    stems = similarity.stems(title)[:8] or similarity.stems(text)[:8]
    candidates = await uow.repository(IDEAS).similar_candidates(
        stems, topic, limit=SIMILAR_CANDIDATES
    )
    scorer = similarity.Scorer(title, text)
    scored = []
    for idea, keywords in candidates:
        score = scorer(idea.title, keywords)
        if score >= min_score:
            scored.append((idea, round(score, 3)))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].supports))
    return scored[:limit]


# --- moderation ---------------------------------------------------------------------------


async def approve_idea(uow: UnitOfWork, ref: str, *, actor: str, now: datetime) -> Idea:
    await require(uow, actor, Permission.MODERATE)
    idea = await find_idea(uow, ref)
    allowed = (IdeaStatus.PENDING, IdeaStatus.REJECTED)
    if idea.status not in allowed or not await uow.repository(IDEAS).set_status(
        idea.id, allowed, IdeaStatus.PUBLISHED, now
    ):
        raise InvalidTransitionError(
            "idea_status", idea=idea.code, status=idea.status, target="published"
        )
    await audit.record(
        uow,
        actor=actor,
        action="idea.approve",
        object_type="idea",
        object_id=idea.code,
        now=now,
        before={"status": idea.status.value},
        after={"status": IdeaStatus.PUBLISHED.value},
    )
    idea = await get_idea(uow, idea.id)
    await idea_notifications.idea_approved(uow, idea, now=now)
    return idea


async def reject_idea(uow: UnitOfWork, ref: str, *, reason: str, actor: str, now: datetime) -> Idea:
    await require(uow, actor, Permission.MODERATE)
    reason = clean_text(reason, field="reason", max_len=REJECT_REASON_MAX, links_allowed=True)
    idea = await find_idea(uow, ref)
    allowed = (IdeaStatus.PENDING, IdeaStatus.PUBLISHED)
    if idea.status not in allowed or not await uow.repository(IDEAS).set_status(
        idea.id, allowed, IdeaStatus.REJECTED, now, reject_reason=reason
    ):
        raise InvalidTransitionError(
            "idea_status", idea=idea.code, status=idea.status, target="rejected"
        )
    await audit.record(
        uow,
        actor=actor,
        action="idea.reject",
        object_type="idea",
        object_id=idea.code,
        now=now,
        before={"status": idea.status.value},
        after={"status": IdeaStatus.REJECTED.value, "reason": reason},
    )
    idea = await get_idea(uow, idea.id)
    await idea_notifications.idea_rejected(uow, idea, now=now)
    return idea


async def answer_idea(
    uow: UnitOfWork,
    ref: str,
    *,
    status: OfficialStatus,
    text: str,
    actor: str,
    now: datetime,
) -> Idea:
    """Record the city's answer; the author and every supporter are told."""
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    text = clean_text(text, field="text", max_len=ANSWER_MAX, links_allowed=True)
    idea = await find_idea(uow, ref)
    if idea.status not in (IdeaStatus.PUBLISHED, IdeaStatus.THRESHOLD_REACHED):
        raise InvalidTransitionError(
            "idea_status", idea=idea.code, status=idea.status, target=status.value
        )
    await uow.repository(IDEAS).set_answer(idea.id, status, text, now)
    await audit.record(
        uow,
        actor=actor,
        action="idea.answer",
        object_type="idea",
        object_id=idea.code,
        now=now,
        before={"official_status": idea.official_status, "answer": idea.answer},
        after={"official_status": status.value, "answer": text},
    )
    idea = await get_idea(uow, idea.id)
    await idea_notifications.idea_answered(uow, idea, now=now)
    return idea


async def reported_items(uow: UnitOfWork, *, limit: int = 100) -> list[ReportedItem]:
    return await uow.repository(IDEAS).reported_items(limit=limit)


async def restore_item(
    uow: UnitOfWork, target: ReportTarget, ref: str, *, actor: str, now: datetime
) -> None:
    """Show a hidden idea or comment again; its report count starts over."""
    await require(uow, actor, Permission.MODERATE)
    if target == ReportTarget.IDEA:
        item_id = (await find_idea(uow, ref)).id
    else:
        comment = (
            await uow.repository(IDEAS).get_comment(int(ref)) if ref.strip().isdigit() else None
        )
        if comment is None:
            raise CommentNotFoundError(comment=ref)
        item_id = comment.id
    if not await uow.repository(IDEAS).set_hidden(target, item_id, False):
        raise InvalidTransitionError(item=ref, target="visible", reason="not_hidden")
    await audit.record(
        uow,
        actor=actor,
        action=f"{target.value}.restore",
        object_type=target.value,
        object_id=item_id,
        now=now,
        before={"hidden": True},
        after={"hidden": False},
    )


# --- residents' actions -------------------------------------------------------------------


async def _public_idea(uow: UnitOfWork, idea_id: int) -> Idea:
    idea = await get_idea(uow, idea_id)
    if not idea.is_public:
        raise IdeaNotPublicError(idea=idea_id, status=idea.status)
    return idea


async def support_idea(
    uow: UnitOfWork,
    *,
    idea_id: int,
    citizen_id: int,
    now: datetime,
    policy: IdeaPolicy | None = None,
) -> int:
    """Support once; a repeated tap changes nothing. Returns the support count."""
    policy = policy or uow.policies.ideas
    idea = await _public_idea(uow, idea_id)
    # An idea in an idea call is supported by those the call admits.
    call = await uow.repository(IDEAS).get_call(idea.call_id) if idea.call_id is not None else None
    if call is not None:
        await template.ensure_eligible(uow, call.campaign, citizen_id)
    count = await uow.repository(IDEAS).add_support(idea_id, citizen_id, now)
    if count is None:
        return idea.supports
    threshold = policy.support_threshold
    if call is not None and call.support_threshold is not None:
        threshold = call.support_threshold
    # The conditional UPDATE lets exactly one of several concurrent supporters cross it.
    if reached_threshold(count, threshold) and await uow.repository(IDEAS).set_status(
        idea_id, (IdeaStatus.PUBLISHED,), IdeaStatus.THRESHOLD_REACHED, now
    ):
        await audit.record(
            uow,
            actor=SYSTEM_ACTOR,
            action="idea.threshold_reached",
            object_type="idea",
            object_id=idea.code,
            now=now,
            before={"status": IdeaStatus.PUBLISHED.value},
            after={"status": IdeaStatus.THRESHOLD_REACHED.value, "supports": count},
        )
        idea.supports = count
        await idea_notifications.threshold_reached(uow, idea, threshold=threshold, now=now)
    return count


async def withdraw_support(uow: UnitOfWork, *, idea_id: int, citizen_id: int) -> int:
    """Withdraw one's support; an idea that reached its threshold keeps that status."""
    idea = await get_idea(uow, idea_id)
    count = await uow.repository(IDEAS).remove_support(idea_id, citizen_id)
    return idea.supports if count is None else count


async def supported_among(uow: UnitOfWork, citizen_id: int, idea_ids: list[int]) -> set[int]:
    return await uow.repository(IDEAS).supports_of(citizen_id, idea_ids) if idea_ids else set()


async def report_item(
    uow: UnitOfWork,
    *,
    target: ReportTarget,
    item_id: int,
    citizen_id: int,
    reason: ReportReason,
    now: datetime,
) -> bool:
    """One report per resident per item; at HIDE_AT_REPORTS the item is hidden. True if new.

    A report on an item already hidden (an old button) changes nothing: it awaits review."""
    if target == ReportTarget.IDEA:
        idea = await get_idea(uow, item_id)
        if idea.hidden:
            return False
        if not idea.is_public:
            raise IdeaNotPublicError(idea=item_id, status=idea.status)
    else:
        comment = await uow.repository(IDEAS).get_comment(item_id)
        if comment is None:
            raise CommentNotFoundError(comment=item_id)
        if comment.hidden:
            return False
    count = await uow.repository(IDEAS).add_report(target, item_id, citizen_id, reason.value, now)
    if count is None:
        return False
    if count >= HIDE_AT_REPORTS and await uow.repository(IDEAS).set_hidden(target, item_id, True):
        await audit.record(
            uow,
            actor=SYSTEM_ACTOR,
            action=f"{target.value}.hide",
            object_type=target.value,
            object_id=item_id,
            now=now,
            after={"hidden": True, "reports": count},
        )
    return True


async def add_comment(
    uow: UnitOfWork, *, idea_id: int, citizen_id: int, text: str, now: datetime
) -> IdeaComment:
    text = validate_comment(text)
    idea = await _public_idea(uow, idea_id)
    comment = await uow.repository(IDEAS).add_comment(idea_id, citizen_id, text, now)
    if idea.author_id != citizen_id and await uow.repository(IDEAS).claim_comment_notice(
        idea_id, now, now - COMMENT_NOTICE_QUIET
    ):
        await idea_notifications.new_comments(uow, idea, now=now)
    return comment


async def comments_page(
    uow: UnitOfWork, idea_id: int, *, page: int, page_size: int
) -> tuple[list[IdeaComment], bool]:
    comments = uow.repository(IDEAS).comments
    return await paging.one_page(
        lambda offset, limit: comments(idea_id, offset=offset, limit=limit),
        page=page,
        page_size=page_size,
    )


def short_title(title: str, width: int = 60) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"
