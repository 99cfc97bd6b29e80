"""Polls in chat: the list, one poll with its options as buttons, voting, results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogs.eligibility import standing
from bot.dialogs.feature import Feature, MenuEntry, Params, Row, own, state_int
from bot.dialogs.nav import back_to_menu_row
from bot.dialogs.receipts import receipt_line
from bot.dialogs.turn import Route, Turn, on
from bot.ui import (
    Action,
    Button,
    Id,
    Reply,
    Small,
)
from core.campaigns import results
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus
from core.hromadas.taxonomy import N_
from core.kernel.errors import (
    CampaignClosedError,
    SpilnoError,
    TooManyChoicesError,
    UnknownOptionError,
    ValidationError,
)
from core.kernel.i18n import _, format_datetime, format_number, ngettext
from core.polls import service as polls
from core.polls.model import PollResults


@dataclass(frozen=True, slots=True)
class ListPolls(Action):
    PREFIX = "polls"
    page: Small = 0


LIST = ListPolls.PREFIX


@dataclass(frozen=True, slots=True)
class ShowPoll(Action):
    PREFIX = "poll"
    poll_id: Id


@dataclass(frozen=True, slots=True)
class VotePoll(Action):
    PREFIX = "vote"
    poll_id: Id
    option_id: Id


VOTE = VotePoll.PREFIX


@dataclass(frozen=True, slots=True)
class ShowPollResults(Action):
    PREFIX = "pres"
    poll_id: Id


PAGE_SIZE = 6
BAR_WIDTH = 10
_CHECKED = "✅ "


async def poll_list(turn: Turn, action: ListPolls = ListPolls()) -> list[Reply]:
    page = action.page
    turn.citizen.dialog_state = {"screen": "polls", "page": page}
    available = await polls.polls_for_residents(turn.uow, turn.now)
    if not available:
        return [
            Reply(
                _("There are no polls right now. We will let you know when one opens."),
                buttons=(back_to_menu_row(),),
            )
        ]
    pages = (len(available) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(page, pages - 1)
    shown = available[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows: list[tuple[Button, ...]] = [
        (Button(_poll_button_label(p, turn), ShowPoll(p.id).pack()),) for p in shown
    ]
    nav = []
    if page > 0:
        nav.append(Button(_("« Previous"), ListPolls(page - 1).pack()))
    if page < pages - 1:
        nav.append(Button(_("Next »"), ListPolls(page + 1).pack()))
    if nav:
        rows.append(tuple(nav))
    rows.append(back_to_menu_row())
    text = _("Polls. Choose one to vote or see its results.")
    if pages > 1:
        text += "\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    return [Reply(text, buttons=tuple(rows))]


def _poll_button_label(campaign: Campaign, turn: Turn) -> str:
    title = campaign.title if len(campaign.title) <= 60 else campaign.title[:57] + "…"
    if campaign.is_accepting(turn.now):
        return "🗳 " + title
    return "🔒 " + title


async def poll_screen(turn: Turn, action: ShowPoll) -> list[Reply]:
    poll_id = action.poll_id
    return [await render_poll(turn, poll_id)]


async def render_poll(
    turn: Turn,
    poll_id: int,
    notice: str | None = None,
    known: polls.VoteOutcome | None = None,
) -> Reply:
    """The poll screen. `known` (just voted) spares reading the poll and the vote again."""
    if known is not None:
        poll, chosen = known.poll, known.chosen
    else:
        poll = await polls.get_poll(turn.uow, poll_id)
        chosen = await polls.my_choices(turn.uow, poll_id, turn.citizen.id)
    turn.citizen.dialog_state = {"screen": "poll", "poll": poll_id}
    campaign = poll.campaign
    lines = []
    if notice:
        lines += [notice, ""]
    lines.append("📊 " + campaign.title)
    if campaign.description:
        lines.append(campaign.description)
    lines.append("")
    accepting = campaign.is_accepting(turn.now)
    # Who may vote, explained (with what fixes it) rather than the options hidden silently.
    rule = standing(turn.citizen, campaign, turn.now)
    lines += rule.lines if accepting else rule.lines[:1]
    if accepting and not rule.eligible:
        lines.append(
            _("Options: {options}").format(options=" · ".join(o.label for o in poll.options))
        )
        if campaign.closes_at:
            lines.append(_("Open until {date}.").format(date=format_datetime(campaign.closes_at)))
    elif accepting:
        if poll.is_multiple:
            lines.append(
                ngettext(
                    "Choose up to {n} option; tap again to remove.",
                    "Choose up to {n} options; tap again to remove.",
                    poll.max_choices,
                ).format(n=poll.max_choices)
            )
        else:
            lines.append(_("Choose one option. You can change your vote until the poll closes."))
        if campaign.closes_at:
            lines.append(_("Open until {date}.").format(date=format_datetime(campaign.closes_at)))
    elif campaign.is_effectively_closed(turn.now):
        lines.append(_("This poll is closed."))
    elif campaign.status != CampaignStatus.OPEN and campaign.opens_at:
        lines.append(_("Opens on {date}.").format(date=format_datetime(campaign.opens_at)))
    if chosen:
        labels = ", ".join(o.label for o in poll.options if o.id in chosen)
        lines.append(_("Your vote: {choices}").format(choices=labels))
    rows: list[tuple[Button, ...]] = []
    if accepting and not rule.eligible:
        rows = list(rule.rows)
    elif accepting:
        rows = [
            (
                Button(
                    (_CHECKED if o.id in chosen else "") + o.label,
                    VotePoll(poll.id, o.id).pack(),
                ),
            )
            for o in poll.options
        ]
    if campaign.results_visible_to_residents(turn.now):
        rows.append((Button(_("📈 Results"), ShowPollResults(poll.id).pack()),))
    rows.append((Button(_("« All polls"), ListPolls(0).pack()),))
    return Reply("\n".join(lines), buttons=tuple(rows))


async def vote(turn: Turn, action: VotePoll) -> list[Reply]:
    poll_id, option_id = action.poll_id, action.option_id
    outcome = await polls.toggle_choice(
        turn.uow, poll_id=poll_id, citizen_id=turn.citizen.id, option_id=option_id, now=turn.now
    )
    if outcome.chosen:
        notice = _("✅ Thank you! Your vote is saved.")
        if outcome.receipt:
            notice += "\n" + receipt_line(outcome.receipt)
    else:
        notice = _("Your vote is withdrawn. Choose an option to vote again.")
    return [await render_poll(turn, poll_id, notice=notice, known=outcome)]


async def results_screen(turn: Turn, action: ShowPollResults) -> list[Reply]:
    poll_id = action.poll_id
    outcome = await results.poll_results(turn.uow, poll_id, now=turn.now)
    return [
        Reply(
            render_results(outcome),
            buttons=(
                (Button(_("« Back to the poll"), ShowPoll(poll_id).pack()),),
                (Button(_("« All polls"), ListPolls(0).pack()),),
            ),
        )
    ]


def render_results(outcome: PollResults) -> str:
    lines = [
        _("📈 Results: {question}").format(question=outcome.question),
        ngettext("{n} person voted.", "{n} people voted.", outcome.voters).format(
            n=format_number(outcome.voters)
        ),
        "",
    ]
    for row in outcome.options:
        filled = round(BAR_WIDTH * row.percent / 100)
        lines.append(f"{row.label}\n{'▓' * filled}{'░' * (BAR_WIDTH - filled)} ")
        lines[-1] += (
            ngettext("{n} vote", "{n} votes", row.votes).format(n=format_number(row.votes))
            + f" ({format_number(row.percent)}%)"
        )
    return "\n".join(lines)


ROUTES: tuple[Route, ...] = (
    on(ListPolls, poll_list),
    on(ShowPoll, poll_screen),
    on(VotePoll, vote),
    on(ShowPollResults, results_screen),
)


def _too_many_choices(p: Params) -> str:
    n = int(p.get("max_choices", 1))  # type: ignore[call-overload]
    return ngettext(
        "You can choose at most {n} option. Remove one before choosing another.",
        "You can choose at most {n} options. Remove one before choosing another.",
        n,
    ).format(n=n)


def _way_back(screen: str, state: Mapping[str, Any]) -> tuple[Button | None, Button | None] | None:
    match screen:
        case "polls":
            return None, Button(_("« All polls"), ListPolls(state_int(state, "page")).pack())
        case "poll":
            poll = Button(_("« Back to the poll"), ShowPoll(state_int(state, "poll")).pack())
            return poll, Button(_("« All polls"), ListPolls(0).pack())
    return None


def _mentioned(error: SpilnoError) -> list[Row]:
    params = error.params
    match error:
        case CampaignClosedError() if params.get("kind") is None and params.get("campaign_id"):
            # "This poll is closed … You can still see its results."
            poll_id = params["campaign_id"]
            return [(Button(_("📈 Results"), ShowPollResults(poll_id).pack()),)]  # type: ignore[arg-type]
    return []


FEATURE = Feature(
    routes=ROUTES,
    commands={"polls": poll_list},
    menu=(
        MenuEntry(
            N_("🗳 Polls"),
            ListPolls(0),
            N_("vote with one tap; you can change your vote until the poll closes."),
            0,
        ),
    ),
    kind=CampaignKind.POLL,
    opener=lambda turn, poll_id: poll_screen(turn, ShowPoll(poll_id)),
    results=lambda turn, poll_id: results_screen(turn, ShowPollResults(poll_id)),
    error_texts={
        own(TooManyChoicesError): _too_many_choices,
        own(UnknownOptionError): lambda p: _("This item is no longer available."),
    },
    officials_only=tuple(
        (ValidationError, reason)
        for reason in (
            "bad_max_choices",
            "duplicate_options",
            "option_empty",
            "option_too_long",
            "question_empty",
            "question_too_long",
            "too_few_options",
            "too_many_options",
        )
    ),
    way_back=_way_back,
    mentioned=_mentioned,
)
