"""Ideas in chat: propose (a step-by-step draft), browse, support, discuss, report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogs import idea_draft as draft_steps
from bot.dialogs.eligibility import standing
from bot.dialogs.feature import Feature, MenuEntry, Params, own, state_int
from bot.dialogs.nav import back_to_menu_row, page_rows
from bot.dialogs.text_problems import text_problem
from bot.dialogs.turn import Route, Turn, on
from bot.ui import (
    Action,
    Button,
    Id,
    IncomingKind,
    Reply,
    Small,
    StaleButtonError,
    Word,
    read_id,
)
from core.campaigns.model import CampaignKind
from core.delivery.links import Link
from core.hromadas.taxonomy import (
    N_,
    district_codes,
    district_name,
    is_district,
    is_topic,
    topic_codes,
    topic_name,
)
from core.ideas import notifications as idea_notifications
from core.ideas import service as ideas
from core.ideas.model import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    Idea,
    IdeaQuery,
    IdeaSort,
    IdeaStatus,
    ReportReason,
    ReportTarget,
    validate_description,
    validate_title,
)
from core.kernel.errors import (
    CommentNotFoundError,
    IdeaCallNotOpenError,
    IdeaNotFoundError,
    IdeaNotPublicError,
    InvalidTransitionError,
    ValidationError,
)
from core.kernel.i18n import _, format_datetime, format_number, ngettext


@dataclass(frozen=True, slots=True)
class IdeasMenu(Action):
    PREFIX = "ideas"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class NewIdea(Action):
    PREFIX = "inew"
    call_id: Id | None = None


@dataclass(frozen=True, slots=True)
class ListIdeas(Action):
    PREFIX = "il"
    kind: Word
    page: Small
    extra: Word | None = None


LIST = ListIdeas.PREFIX


@dataclass(frozen=True, slots=True)
class IdeaTopics(Action):
    PREFIX = "itp"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ShowIdea(Action):
    PREFIX = Link.IDEA.value  # "ish": notifications rendered in core link to it too
    idea_id: Id


@dataclass(frozen=True, slots=True)
class SupportIdea(Action):
    PREFIX = "isup"
    idea_id: Id


@dataclass(frozen=True, slots=True)
class UnsupportIdea(Action):
    PREFIX = "iuns"
    idea_id: Id


@dataclass(frozen=True, slots=True)
class IdeaComments(Action):
    PREFIX = "icm"
    idea_id: Id
    page: Small = 0


@dataclass(frozen=True, slots=True)
class WriteComment(Action):
    PREFIX = "icw"
    idea_id: Id


@dataclass(frozen=True, slots=True)
class ReportScreen(Action):
    PREFIX = "irp"
    target: Word
    item_id: Id


@dataclass(frozen=True, slots=True)
class ChooseReportReason(Action):
    PREFIX = "irr"
    target: Word
    item_id: Id
    reason: Word


REPORT_REASON = ChooseReportReason.PREFIX


@dataclass(frozen=True, slots=True)
class IdeaCalls(Action):
    PREFIX = "icl"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ShowCall(Action):
    PREFIX = "icc"
    call_id: Id


# Draft steps' buttons.
@dataclass(frozen=True, slots=True)
class StepBack(Action):
    PREFIX = "ibk"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class StepCancel(Action):
    PREFIX = "icn"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class StepSkip(Action):
    PREFIX = "isk"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class StepTopic(Action):
    PREFIX = "itop"
    IGNORES_EXTRA = True
    code: Word | None = None


@dataclass(frozen=True, slots=True)
class StepDistrict(Action):
    PREFIX = "idis"
    IGNORES_EXTRA = True
    code: Word | None = None


@dataclass(frozen=True, slots=True)
class StepSubmit(Action):
    PREFIX = "isub"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class StepResume(Action):
    PREFIX = "ires"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class StepDiscard(Action):
    PREFIX = "idx"  # "Yes, discard" on the confirmation
    IGNORES_EXTRA = True


PAGE_SIZE = 5
COMMENTS_PAGE = 5
_TARGETS = {"i": ReportTarget.IDEA, "c": ReportTarget.COMMENT}
_SORTS = {"top", "new", "my", "tp", "call"}


def _set_screen(turn: Turn, state: dict[str, Any]) -> None:
    """Move to a screen, carrying an unfinished draft along so it is not lost while browsing."""
    draft = draft_steps.draft_of(turn.citizen.dialog_state)
    if draft:
        state["draft"] = draft
    turn.citizen.dialog_state = state


def _to_ideas_row() -> tuple[Button, ...]:
    return (Button(_("« Ideas"), IdeasMenu().pack()),)


def status_label(idea: Idea) -> str:
    if idea.hidden:
        return _("hidden until moderators review reports")
    if idea.official_status is not None:
        return idea_notifications.official_status_label(idea.official_status)
    return {
        IdeaStatus.PENDING: _("waiting for moderation"),
        IdeaStatus.PUBLISHED: _("collecting supports"),
        IdeaStatus.THRESHOLD_REACHED: _("enough supports, sent to the city"),
        IdeaStatus.REJECTED: _("not published"),
    }[idea.status]


def _supports_text(n: int) -> str:
    return ngettext("{n} support", "{n} supports", n).format(n=format_number(n))


# --- the ideas menu -----------------------------------------------------------------------


async def ideas_menu(turn: Turn, _action: IdeasMenu | None = None) -> list[Reply]:
    _set_screen(turn, {"screen": "ideas"})
    rows: list[tuple[Button, ...]] = []
    if draft_steps.draft_of(turn.citizen.dialog_state):
        rows.append((Button(_("📝 Continue my idea"), StepResume().pack()),))
    rows += [
        (Button(_("💡 Propose an idea"), NewIdea().pack()),),
        (
            Button(_("🔥 Top ideas"), ListIdeas("top", 0).pack()),
            Button(_("🆕 Newest"), ListIdeas("new", 0).pack()),
        ),
        (
            Button(_("🗂 By topic"), IdeaTopics().pack()),
            Button(_("🙋 My ideas"), ListIdeas("my", 0).pack()),
        ),
    ]
    if await ideas.open_idea_calls(turn.uow, turn.now):
        rows.append((Button(_("📣 Idea calls from the city"), IdeaCalls().pack()),))
    rows.append(back_to_menu_row())
    text = _(
        "Ideas. Propose how to make our city better, support the ideas you like "
        "and discuss them. Ideas with enough supports go to the city for an answer."
    )
    return [Reply(text, buttons=tuple(rows))]


async def topics_screen(turn: Turn, _action: IdeaTopics | None = None) -> list[Reply]:
    codes = topic_codes()
    rows = [
        tuple(Button(topic_name(c), ListIdeas("tp", 0, c).pack()) for c in codes[i : i + 2])
        for i in range(0, len(codes), 2)
    ]
    return [Reply(_("Choose a topic."), buttons=(*rows, _to_ideas_row()))]


async def calls_screen(turn: Turn, _action: IdeaCalls | None = None) -> list[Reply]:
    calls = await ideas.open_idea_calls(turn.uow, turn.now)
    if not calls:
        return [Reply(_("There are no open idea calls right now."), buttons=(_to_ideas_row(),))]
    rows = [
        (Button("📣 " + ideas.short_title(c.campaign.title), ShowCall(c.id).pack()),) for c in calls
    ]
    return [
        Reply(
            _("Idea calls: the city asks for ideas on a theme."), buttons=(*rows, _to_ideas_row())
        )
    ]


async def call_screen(turn: Turn, action: ShowCall) -> list[Reply]:
    call_id = action.call_id
    call = await ideas.get_idea_call(turn.uow, call_id)
    campaign = call.campaign
    lines = ["📣 " + campaign.title]
    if campaign.description:
        lines.append(campaign.description)
    if campaign.closes_at:
        lines.append(
            _("Ideas are accepted until {date}.").format(date=format_datetime(campaign.closes_at))
        )
    rows: list[tuple[Button, ...]] = []
    accepting = campaign.is_accepting(turn.now)
    rule = standing(turn.citizen, campaign, turn.now)
    lines += rule.lines if accepting else rule.lines[:1]
    if accepting and rule.eligible:
        rows.append((Button(_("💡 Propose an idea for this call"), NewIdea(call.id).pack()),))
    elif accepting:
        rows += rule.rows
    rows.append((Button(_("📋 Ideas in this call"), ListIdeas("call", 0, call.id).pack()),))
    rows.append(_to_ideas_row())
    return [Reply("\n".join(lines), buttons=tuple(rows))]


# --- browsing -----------------------------------------------------------------------------


async def idea_list(turn: Turn, action: ListIdeas) -> list[Reply]:
    kind = action.kind if action.kind in _SORTS else "new"
    page = action.page
    extra = (
        str(read_id(turn.incoming.payload, action.extra)) if kind == "call" else action.extra or ""
    )
    if kind == "tp" and not is_topic(extra):
        return await topics_screen(turn)
    query, title = _query_for(turn, kind, extra)
    _set_screen(turn, {"screen": "ideas_list", "list": kind, "page": page})
    shown, has_more = await ideas.browse(turn.uow, query, page=page, page_size=PAGE_SIZE)
    if not shown and page == 0:
        empty = (
            _("You have not proposed any ideas yet.")
            if kind == "my"
            else _("No ideas here yet. Be the first to propose one!")
        )
        return [
            Reply(
                empty,
                buttons=((Button(_("💡 Propose an idea"), NewIdea().pack()),), _to_ideas_row()),
            )
        ]
    lines = [title]
    if page:
        lines[0] += " · " + _("page {page}").format(page=page + 1)
    rows: list[tuple[Button, ...]] = []
    for idea in shown:
        line = f"{idea.code} · 👍 {format_number(idea.supports)} · {idea.title}"
        if kind == "my":
            line += f" ({status_label(idea)})"
        lines.append(line)
        rows.append(
            (
                Button(
                    f"💡 {ideas.short_title(idea.title, 40)} · 👍 {idea.supports}",
                    ShowIdea(idea.id).pack(),
                ),
            )
        )
    tail = [extra] if extra else []
    rows += page_rows(page, has_more, lambda n: ListIdeas(kind, n, *tail))
    rows.append(_to_ideas_row())
    return [Reply("\n".join(lines), buttons=tuple(rows))]


def _query_for(turn: Turn, kind: str, extra: str) -> tuple[IdeaQuery, str]:
    match kind:
        case "top":
            return IdeaQuery(sort=IdeaSort.TOP), _("🔥 Top ideas")
        case "my":
            return IdeaQuery(public_only=False, author_id=turn.citizen.id), _("🙋 My ideas")
        case "tp":
            return IdeaQuery(sort=IdeaSort.TOP, topic=extra), "🗂 " + topic_name(extra)
        case "call" if extra.isdigit():
            return IdeaQuery(sort=IdeaSort.TOP, call_id=int(extra)), _("📣 Ideas in this call")
        case _:
            return IdeaQuery(sort=IdeaSort.NEW), _("🆕 Newest ideas")


async def idea_screen(turn: Turn, action: ShowIdea) -> list[Reply]:
    idea_id = action.idea_id
    return [await render_idea(turn, idea_id)]


async def render_idea(turn: Turn, idea_id: int, notice: str | None = None) -> Reply:
    idea = await ideas.idea_for_resident(turn.uow, idea_id, turn.citizen.id)
    supported = idea.id in await ideas.supported_among(turn.uow, turn.citizen.id, [idea.id])
    _set_screen(turn, {"screen": "idea", "idea": idea.id})
    lines = [notice, ""] if notice else []
    lines += [f"💡 {idea.code}", idea.title, "", idea.description, ""]
    lines.append(
        _("Topic: {topic} · District: {district}").format(
            topic=topic_name(idea.topic),
            district=district_name(idea.district),
        )
    )
    if idea.latitude is not None and idea.longitude is not None:
        lines.append(
            _("📍 Place: {lat:.5f}, {lon:.5f}").format(lat=idea.latitude, lon=idea.longitude)
        )
    if idea.photo_ref:
        lines.append(_("📷 The author attached a photo."))
    lines.append(_("Status: {status}").format(status=status_label(idea)))
    lines.append("👍 " + _supports_text(idea.supports))
    if supported:
        lines.append(_("You support this idea."))
    if idea.answer:
        lines += ["", _("🏛 The city's answer:"), idea.answer]
    if (
        idea.status == IdeaStatus.REJECTED
        and idea.reject_reason
        and idea.author_id == turn.citizen.id
    ):
        lines += ["", _("Why it was not published: {reason}").format(reason=idea.reject_reason)]
    rows: list[tuple[Button, ...]] = []
    if idea.is_public:
        if supported:
            rows.append((Button(_("↩️ Withdraw my support"), UnsupportIdea(idea.id).pack()),))
        else:
            rows.append((Button(_("👍 Support"), SupportIdea(idea.id).pack()),))
        rows.append(
            (
                Button(
                    _("💬 Comments ({n})").format(n=idea.comments),
                    IdeaComments(idea.id, 0).pack(),
                ),
                Button(_("✍️ Comment"), WriteComment(idea.id).pack()),
            )
        )
        if idea.author_id != turn.citizen.id:
            rows.append((Button(_("⚠️ Report"), ReportScreen("i", idea.id).pack()),))
    if draft_steps.draft_of(turn.citizen.dialog_state):
        rows.append((Button(_("📝 Back to my idea"), StepResume().pack()),))
    rows.append(_to_ideas_row())
    return Reply("\n".join(lines), buttons=tuple(rows))


async def support(turn: Turn, action: SupportIdea) -> list[Reply]:
    idea_id = action.idea_id
    await ideas.support_idea(
        uow=turn.uow, idea_id=idea_id, citizen_id=turn.citizen.id, now=turn.now
    )
    return [await render_idea(turn, idea_id, notice=_("👍 Thank you for your support!"))]


async def unsupport(turn: Turn, action: UnsupportIdea) -> list[Reply]:
    idea_id = action.idea_id
    await ideas.withdraw_support(turn.uow, idea_id=idea_id, citizen_id=turn.citizen.id)
    return [await render_idea(turn, idea_id, notice=_("Your support is withdrawn."))]


# --- comments and reports -----------------------------------------------------------------


async def comments_screen(turn: Turn, action: IdeaComments) -> list[Reply]:
    idea_id, page = action.idea_id, action.page
    idea = await ideas.idea_for_resident(turn.uow, idea_id, turn.citizen.id)
    shown, has_more = await ideas.comments_page(
        turn.uow, idea_id, page=page, page_size=COMMENTS_PAGE
    )
    _set_screen(turn, {"screen": "idea_comments", "idea": idea_id})
    lines = [_("💬 Comments on {code} “{title}”").format(code=idea.code, title=idea.title), ""]
    rows: list[tuple[Button, ...]] = []
    if not shown:
        lines.append(_("No comments yet. Be the first!"))
    report_buttons = []
    for number, comment in enumerate(shown, start=1):
        lines.append(f"{number}. {comment.text}\n   — {format_datetime(comment.created_at)}")
        if comment.author_id != turn.citizen.id:
            report_buttons.append(Button(f"⚠️ {number}", ReportScreen("c", comment.id).pack()))
    if report_buttons:
        lines += ["", _("To report a comment, press ⚠️ with its number.")]
        rows.append(tuple(report_buttons))
    nav = []
    if page > 0:
        nav.append(Button(_("« Newer"), IdeaComments(idea_id, page - 1).pack()))
    if has_more:
        nav.append(Button(_("Older »"), IdeaComments(idea_id, page + 1).pack()))
    if nav:
        rows.append(tuple(nav))
    rows.append((Button(_("✍️ Comment"), WriteComment(idea_id).pack()),))
    rows.append((Button(_("« Back to the idea"), ShowIdea(idea_id).pack()),))
    return [Reply("\n".join(lines), buttons=tuple(rows))]


async def write_comment(turn: Turn, action: WriteComment) -> list[Reply]:
    idea_id = action.idea_id
    idea = await ideas.idea_for_resident(turn.uow, idea_id, turn.citizen.id)
    _set_screen(turn, {"screen": draft_steps.COMMENT_SCREEN, "idea": idea.id})
    return [
        Reply(
            _("Write your comment on “{title}” (up to {max} characters).").format(
                title=idea.title, max=COMMENT_MAX
            ),
            buttons=((Button(_("✖️ Cancel"), ShowIdea(idea.id).pack()),),),
        )
    ]


async def _comment_input(turn: Turn) -> list[Reply]:
    idea_id = int(turn.citizen.dialog_state.get("idea", 0))
    cancel = ((Button(_("✖️ Cancel"), ShowIdea(idea_id).pack()),),)
    if turn.incoming.kind != IncomingKind.TEXT:
        return [Reply(_("Please write your comment as text."), buttons=cancel)]
    try:
        await ideas.add_comment(
            turn.uow,
            idea_id=idea_id,
            citizen_id=turn.citizen.id,
            text=turn.incoming.text or "",
            now=turn.now,
        )
    except ValidationError as error:
        return [Reply(input_problem(error), buttons=cancel)]
    return [await render_idea(turn, idea_id, notice=_("💬 Thank you! Your comment is published."))]


async def report_screen(turn: Turn, action: ReportScreen) -> list[Reply]:
    target = action.target if action.target in _TARGETS else "i"
    item_id = action.item_id
    labels = {
        ReportReason.SPAM: _("Spam or advertising"),
        ReportReason.OFFENSIVE: _("Offensive"),
        ReportReason.OFF_TOPIC: _("Not about the city"),
    }
    rows = [
        (Button(label, ChooseReportReason(target, item_id, reason.value).pack()),)
        for reason, label in labels.items()
    ]
    back = ShowIdea(item_id).pack() if target == "i" else IdeasMenu().pack()
    rows.append((Button(_("✖️ Cancel"), back),))
    what = _("this idea") if target == "i" else _("this comment")
    return [Reply(_("What is wrong with {what}?").format(what=what), buttons=tuple(rows))]


async def report_reason(turn: Turn, action: ChooseReportReason) -> list[Reply]:
    if action.target not in _TARGETS or action.reason not in set(ReportReason):
        raise StaleButtonError(turn.incoming.payload, "unknown report target or reason")
    target, item_id = _TARGETS[action.target], action.item_id
    is_new = await ideas.report_item(
        turn.uow,
        target=target,
        item_id=item_id,
        citizen_id=turn.citizen.id,
        reason=ReportReason(action.reason),
        now=turn.now,
    )
    text = (
        _("Thank you. Moderators will look at it.")
        if is_new
        else _("You have already reported this. Moderators will look at it.")
    )
    return [Reply(text, buttons=(_to_ideas_row(),))]


# --- proposing: the draft, step by step ---------------------------------------------------


async def new_idea(turn: Turn, action: NewIdea = NewIdea()) -> list[Reply]:
    call_id = action.call_id
    if call_id is not None:
        call = await ideas.get_idea_call(turn.uow, call_id)
        if not call.campaign.is_accepting(turn.now):
            raise IdeaCallNotOpenError(call_id=call_id, closes_at=call.campaign.closes_at)
    unfinished = draft_steps.draft_of(turn.citizen.dialog_state)
    if draft_steps.has_content(unfinished):
        # Starting afresh would overwrite the unfinished idea: let the resident choose.
        return [_unfinished_choice(unfinished)]
    draft: dict[str, Any] = {"call": call_id} if call_id is not None else {}
    turn.citizen.dialog_state = {"screen": draft_steps.screen("title"), "draft": draft}
    return [_step_prompt(turn, "title")]


async def resume(turn: Turn, _action: StepResume | None = None) -> list[Reply]:
    draft = draft_steps.draft_of(turn.citizen.dialog_state)
    step = str(draft.get("step", "title"))
    if step not in draft_steps.STEPS:
        step = "title"
    return await _go_to(turn, step, draft)


async def _go_to(
    turn: Turn, step: str, draft: dict[str, Any], notice: str | None = None
) -> list[Reply]:
    draft["step"] = step
    turn.citizen.dialog_state = {"screen": draft_steps.screen(step), "draft": draft}
    if step == "preview":
        return await _preview(turn, draft, notice)
    replies = [Reply(notice)] if notice else []
    return [*replies, _step_prompt(turn, step)]


def _nav_rows(step: str) -> list[tuple[Button, ...]]:
    return [
        (
            Button(_("« Back"), StepBack().pack()),
            Button(_("✖️ Cancel"), StepCancel().pack()),
        )
    ]


def _step_prompt(turn: Turn, step: str) -> Reply:
    total = len(draft_steps.QUESTION_STEPS)
    header = _("Step {n} of {total}.").format(n=draft_steps.step_number(step), total=total) + " "
    draft = draft_steps.draft_of(turn.citizen.dialog_state)
    rows: list[tuple[Button, ...]] = []
    match step:
        case "title":
            text = _(
                "What is your idea? Write a short title (up to {max} characters), "
                "for example: “Benches in the park on Shevchenko street”."
            ).format(max=TITLE_MAX)
            if draft.get("title"):
                text += "\n" + _("Now: “{value}”. Send a new title or press Back.").format(
                    value=draft["title"]
                )
        case "description":
            text = _(
                "Describe the idea: what should change, where, and why it matters "
                "(up to {max} characters)."
            ).format(max=DESCRIPTION_MAX)
        case "photo":
            text = _("Do you have a photo of the place? Send it, or press Skip.")
            rows.append((Button(_("Skip »"), StepSkip().pack()),))
        case "location":
            text = _("Where is it? Share the location (📎 → Location), or press Skip.")
            rows.append((Button(_("Skip »"), StepSkip().pack()),))
        case "topic":
            text = _("Choose the topic of your idea.")
            codes = topic_codes()
            rows += [
                tuple(Button(topic_name(c), StepTopic(c).pack()) for c in codes[i : i + 2])
                for i in range(0, len(codes), 2)
            ]
        case _:
            text = _("Which part of the city is it about?")
            codes = district_codes()
            rows += [
                tuple(Button(district_name(c), StepDistrict(c).pack()) for c in codes[i : i + 2])
                for i in range(0, len(codes), 2)
            ]
    return Reply(header + text, buttons=tuple(rows + _nav_rows(step)))


async def _preview(turn: Turn, draft: dict[str, Any], notice: str | None) -> list[Reply]:
    lines = [notice, ""] if notice else []
    lines += [
        _("Please check your idea:"),
        "",
        "💡 " + str(draft.get("title", "")),
        str(draft.get("description", "")),
        "",
        _("Topic: {topic} · District: {district}").format(
            topic=topic_name(str(draft.get("topic") or "—")),
            district=district_name(str(draft.get("district") or "—")),
        ),
    ]
    if draft.get("photo"):
        lines.append(_("📷 With a photo."))
    if draft.get("lat") is not None:
        lines.append(_("📍 With a location."))
    rows: list[tuple[Button, ...]] = []
    similar = await ideas.similar_ideas(
        turn.uow,
        title=str(draft.get("title", "")),
        description=str(draft.get("description", "")),
        topic=draft.get("topic"),
    )
    if similar:
        lines += ["", _("Similar ideas already exist. Maybe support one of these instead?")]
        for idea, _score in similar:
            lines.append(f"• {idea.code} · 👍 {idea.supports} · {idea.title}")
            rows.append(
                (Button("👀 " + ideas.short_title(idea.title, 40), ShowIdea(idea.id).pack()),)
            )
    rows.append((Button(_("✅ Submit the idea"), StepSubmit().pack()),))
    rows += _nav_rows("preview")
    return [Reply("\n".join(lines), buttons=tuple(rows))]


def _draft_or_none(turn: Turn) -> tuple[str, dict[str, Any]] | None:
    step = draft_steps.current_step(turn.citizen.dialog_state)
    if step is None:
        return None
    return step, draft_steps.draft_of(turn.citizen.dialog_state)


async def _no_draft(turn: Turn) -> list[Reply]:
    reply = Reply(_("This idea draft is no longer open. You can start a new one."))
    return [reply, *await ideas_menu(turn)]


async def step_back(turn: Turn, _action: StepBack | None = None) -> list[Reply]:
    found = _draft_or_none(turn)
    if found is None:
        return await _no_draft(turn)
    step, draft = found
    previous = draft_steps.previous_step(step)
    if previous is not None:
        return await _go_to(turn, previous, draft)
    if not draft_steps.has_content(draft):
        return await _discard(turn, notice=None)
    # Back from the first step leaves the form, not the idea: it waits in the Ideas menu.
    reply = Reply(_("Your idea is saved as a draft. Press “Continue my idea” to finish it."))
    return [reply, *await ideas_menu(turn)]


async def step_cancel(turn: Turn, _action: StepCancel | None = None) -> list[Reply]:
    """Cancel asks first: an unfinished idea is only deleted on an explicit Yes."""
    draft = draft_steps.draft_of(turn.citizen.dialog_state)
    if not draft_steps.has_content(draft):
        return await _discard(turn, notice=_("Nothing was sent."))
    return [
        Reply(
            _("Discard your unfinished idea “{title}”?").format(title=draft.get("title") or "…"),
            buttons=(
                (
                    Button(_("🗑 Yes, discard it"), StepDiscard().pack()),
                    Button(_("No, continue"), StepResume().pack()),
                ),
            ),
        )
    ]


async def step_discard(turn: Turn, _action: StepDiscard | None = None) -> list[Reply]:
    return await _discard(turn, notice=_("The idea draft is deleted. Nothing was sent."))


async def _discard(turn: Turn, notice: str | None) -> list[Reply]:
    turn.end(draft_steps.DRAFT_KEY)
    turn.citizen.dialog_state = {"screen": "ideas"}
    replies = [Reply(notice)] if notice else []
    return [*replies, *await ideas_menu(turn)]


def _unfinished_choice(draft: dict[str, Any]) -> Reply:
    return Reply(
        _(
            "You have an unfinished idea “{title}”. Continue it, or discard it and start a new one?"
        ).format(title=draft.get("title") or "…"),
        buttons=(
            (Button(_("📝 Continue my idea"), StepResume().pack()),),
            (Button(_("🗑 Discard it"), StepCancel().pack()),),
            _to_ideas_row(),
        ),
    )


async def step_skip(turn: Turn, _action: StepSkip | None = None) -> list[Reply]:
    found = _draft_or_none(turn)
    if found is None or found[0] not in ("photo", "location"):
        return await _no_draft(turn) if found is None else await _go_to(turn, *found)
    step, draft = found
    draft.pop("photo" if step == "photo" else "lat", None)
    if step == "location":
        draft.pop("lon", None)
    return await _go_to(turn, draft_steps.next_step(step), draft)


async def step_choice(turn: Turn, action: StepTopic | StepDistrict) -> list[Reply]:
    """A topic or district button."""
    found = _draft_or_none(turn)
    if found is None:
        return await _no_draft(turn)
    step, draft = found
    code = action.code or ""
    field, known = (
        ("topic", is_topic) if isinstance(action, StepTopic) else ("district", is_district)
    )
    if step != field or not known(code):
        # An old button from an earlier message: show the step the resident is really on.
        return await _go_to(turn, step, draft)
    draft[field] = code
    return await _go_to(turn, draft_steps.next_step(step), draft)


async def step_submit(turn: Turn, _action: StepSubmit | None = None) -> list[Reply]:
    found = _draft_or_none(turn)
    if found is None or found[0] != "preview":
        return await _no_draft(turn) if found is None else await _go_to(turn, *found)
    _step, draft = found
    try:
        idea = await ideas.submit_idea(
            turn.uow, draft_steps.to_new_idea(draft, turn.citizen.id), now=turn.now
        )
    except ValidationError as error:
        step = _step_for(error)
        return await _go_to(turn, step, draft, notice=input_problem(error))
    turn.end(draft_steps.DRAFT_KEY)
    turn.citizen.dialog_state = {"screen": "idea", "idea": idea.id}
    if idea.status == IdeaStatus.PENDING:
        text = _(
            "🙏 Thank you! Your idea {code} is sent to the moderators. "
            "We will tell you when it is published."
        ).format(code=idea.code)
    else:
        text = _(
            "🎉 Thank you! Your idea {code} is published. Share it with your neighbours!"
        ).format(code=idea.code)
    return [
        Reply(
            text,
            buttons=(
                (Button(_("💡 Open my idea"), ShowIdea(idea.id).pack()),),
                _to_ideas_row(),
            ),
        )
    ]


def _step_for(error: ValidationError) -> str:
    field = str(error.params.get("field", ""))
    if field in draft_steps.STEPS:
        return field
    if error.reason == "unknown_district":
        return "district"
    if error.reason.startswith("location"):
        return "location"
    return "topic"


async def step_input(turn: Turn) -> list[Reply]:
    """Text, a photo or a location typed while on an idea screen goes to that step."""
    if turn.citizen.dialog_state.get("screen") == draft_steps.COMMENT_SCREEN:
        return await _comment_input(turn)
    found = _draft_or_none(turn)
    if found is None:
        return await _no_draft(turn)
    step, draft = found
    incoming = turn.incoming
    try:
        match step, incoming.kind:
            case "title", IncomingKind.TEXT:
                draft["title"] = validate_title(incoming.text or "")
            case "description", IncomingKind.TEXT:
                draft["description"] = validate_description(incoming.text or "")
            case "photo", IncomingKind.PHOTO if incoming.photo_ref:
                draft["photo"] = incoming.photo_ref
            case "location", IncomingKind.LOCATION if incoming.latitude is not None:
                draft["lat"], draft["lon"] = incoming.latitude, incoming.longitude
            case _:
                return [Reply(_wrong_kind_text(step)), *(await _go_to(turn, step, draft))]
    except ValidationError as error:
        return [Reply(input_problem(error)), _step_prompt(turn, step)]
    return await _go_to(turn, draft_steps.next_step(step), draft)


def _wrong_kind_text(step: str) -> str:
    return {
        "title": _("Please write the title of your idea as text."),
        "description": _("Please write the description as text."),
        "photo": _("I am waiting for a photo here. Send one, or press Skip."),
        "location": _(
            "I am waiting for a location here: press 📎 and choose Location, or press Skip."
        ),
    }.get(step, _("Please choose with the buttons below."))


def input_problem(error: ValidationError) -> str:
    """A polite, specific explanation of what is wrong with the typed text."""
    names = {
        "title": _("The title"),
        "description": _("The description"),
        "comment": _("The comment"),
    }
    if error.params.get("field") == "title":
        links = _("Please do not put links in the title. You can add them to the description.")
    else:
        links = _("Links are not allowed here. Please write without them.")
    others = {"unknown_district": _("Please choose a part of the city from the list.")}
    return text_problem(error, names, links=links, others=others)


ROUTES: tuple[Route, ...] = (
    on(IdeasMenu, ideas_menu),
    on(NewIdea, new_idea),
    on(ListIdeas, idea_list),
    on(IdeaTopics, topics_screen),
    on(ShowIdea, idea_screen),
    on(SupportIdea, support),
    on(UnsupportIdea, unsupport),
    on(IdeaComments, comments_screen),
    on(WriteComment, write_comment),
    on(ReportScreen, report_screen),
    on(ChooseReportReason, report_reason),
    on(IdeaCalls, calls_screen),
    on(ShowCall, call_screen),
    on(StepBack, step_back),
    on(StepCancel, step_cancel),
    on(StepSkip, step_skip),
    on(StepTopic, step_choice),
    on(StepDistrict, step_choice),
    on(StepSubmit, step_submit),
    on(StepResume, resume),
    on(StepDiscard, step_discard),
)


def _way_back(screen: str, state: Mapping[str, Any]) -> tuple[Button | None, Button | None] | None:
    ideas_menu_button = Button(_("« Ideas"), IdeasMenu().pack())
    if screen.startswith(draft_steps.SCREEN_PREFIX) and screen != draft_steps.COMMENT_SCREEN:
        return Button(_("📝 Back to my idea"), StepResume().pack()), ideas_menu_button
    match screen:
        case "ideas":
            return None, ideas_menu_button
        case "ideas_list" if state.get("list") in ("top", "new", "my"):
            listed = ListIdeas(str(state["list"]), state_int(state, "page")).pack()
            return Button(_("« Back to the list"), listed), ideas_menu_button
        case "ideas_list":
            return None, ideas_menu_button
        case "idea" | "idea_comments" | draft_steps.COMMENT_SCREEN:
            idea = Button(_("« Back to the idea"), ShowIdea(state_int(state, "idea")).pack())
            return idea, ideas_menu_button
    return None


def _idea_gone(p: Params) -> str:
    return _("This idea or comment is no longer available.")


FEATURE = Feature(
    routes=ROUTES,
    commands={"ideas": ideas_menu},
    input_screens={draft_steps.SCREEN_PREFIX: step_input},
    menu=(
        MenuEntry(
            N_("💡 Ideas"),
            IdeasMenu(),
            N_(
                "propose an idea step by step, support and discuss others' ideas; "
                "the city answers the most supported ones."
            ),
            1,
        ),
    ),
    kind=CampaignKind.IDEA_CALL,
    opener=lambda turn, call_id: call_screen(turn, ShowCall(call_id)),
    error_texts={
        own(IdeaNotFoundError): _idea_gone,
        own(CommentNotFoundError): _idea_gone,
        own(IdeaNotPublicError): lambda p: _(
            "This idea is not published right now, so it cannot be supported or discussed."
        ),
        own(IdeaCallNotOpenError): lambda p: _("This idea call is not accepting ideas right now."),
    },
    officials_only=(
        (ValidationError, "bad_threshold"),
        (InvalidTransitionError, "idea_status"),
        (InvalidTransitionError, "not_hidden"),
    ),
    way_back=_way_back,
)
