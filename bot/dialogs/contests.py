"""Contests in chat: the list, one contest, submitting an entry, browsing and voting, results.

While an entry is being written, its title and description wait in the dialog state (a small
draft); the entry goes to the database in one step when the resident finishes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogs import entry_steps
from bot.dialogs.campaign_list import campaign_list
from bot.dialogs.eligibility import standing
from bot.dialogs.feature import Feature, MenuEntry, Params, Row, own, state_int
from bot.dialogs.nav import page_rows, short
from bot.dialogs.receipts import receipt_line
from bot.dialogs.turn import Route, Turn, on
from bot.ui import (
    Action,
    Button,
    Id,
    Reply,
    Small,
)
from core.campaigns.model import CampaignKind
from core.contests import service as contests
from core.contests.model import DESCRIPTION_MAX, TITLE_MAX, Contest, ContestPhase, Entry
from core.contests.service import ContestResults
from core.hromadas.taxonomy import N_
from core.kernel.errors import (
    CampaignClosedError,
    EntryLimitError,
    EntryNotFoundError,
    InvalidTransitionError,
    OwnEntryError,
    SpilnoError,
    ValidationError,
    VoteLimitError,
    WrongPhaseError,
)
from core.kernel.i18n import _, format_datetime, format_number, ngettext


@dataclass(frozen=True, slots=True)
class ListContests(Action):
    PREFIX = "kts"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ShowContest(Action):
    PREFIX = "kt"
    contest_id: Id


@dataclass(frozen=True, slots=True)
class NewEntry(Action):
    PREFIX = "kte"
    contest_id: Id


@dataclass(frozen=True, slots=True)
class SkipPhoto(Action):
    PREFIX = "ktsk"
    IGNORES_EXTRA = True
    contest_id: Id | None = None  # carried for the screen's sake; the draft knows its contest


@dataclass(frozen=True, slots=True)
class CancelEntry(Action):
    PREFIX = "ktx"
    contest_id: Id


@dataclass(frozen=True, slots=True)
class ListEntries(Action):
    PREFIX = "ktl"
    contest_id: Id
    page: Small


ENTRIES = ListEntries.PREFIX


@dataclass(frozen=True, slots=True)
class ShowEntry(Action):
    PREFIX = "ktn"
    entry_id: Id


@dataclass(frozen=True, slots=True)
class VoteEntry(Action):
    PREFIX = "ktv"
    entry_id: Id


@dataclass(frozen=True, slots=True)
class ShowContestResults(Action):
    PREFIX = "ktr"
    contest_id: Id


SCREEN_PREFIX = "contest:"  # dialog_state["screen"] while an entry's text or photo is awaited
PAGE_SIZE = 8


async def contest_list(turn: Turn, _action: ListContests | None = None) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": "contests"}
    return campaign_list(
        turn,
        await contests.contests_for_residents(turn.uow, turn.now),
        icon="🏆 ",
        show=ShowContest,
        intro=_("Contests: suggest your solution to a city problem and vote for the best ones."),
        none_open=_("There are no contests right now. We will let you know when one starts."),
    )


async def contest_screen(turn: Turn, action: ShowContest) -> list[Reply]:
    contest_id = action.contest_id
    return [await render_contest(turn, contest_id)]


async def render_contest(turn: Turn, contest_id: int, notice: str | None = None) -> Reply:
    contest = await contests.get_contest(turn.uow, contest_id)
    turn.citizen.dialog_state = {"screen": "contest", "k": contest_id}
    campaign = contest.campaign
    lines = [notice, ""] if notice else []
    lines += ["🏆 " + campaign.title, campaign.description, ""]
    rows: list[tuple[Button, ...]] = []
    mine = await contests.my_entries(turn.uow, contest_id, turn.citizen.id)
    # Who may take part, explained, with what fixes it in place of the buttons to take part.
    rule = standing(turn.citizen, campaign, turn.now)
    running = contest.accepts_entries(turn.now) or contest.accepts_votes(turn.now)
    lines += rule.lines if running else rule.lines[:1]
    rows += rule.rows if running else []
    if contest.accepts_entries(turn.now):
        lines.append(
            _("Entries are accepted until {date}. Voting starts on {voting}.").format(
                date=format_datetime(contest.submissions_close_at),
                voting=format_datetime(contest.voting_opens_at),
            )
        )
        if len(mine) < contest.entries_per_resident and rule.eligible:
            rows.append((Button(_("✍️ Submit an entry"), NewEntry(contest_id).pack()),))
    elif contest.accepts_votes(turn.now):
        lines.append(
            ngettext(
                "Voting is open until {date}. You can support up to {n} entry.",
                "Voting is open until {date}. You can support up to {n} entries.",
                contest.votes_per_resident,
            ).format(
                date=format_datetime(campaign.closes_at),  # type: ignore[arg-type]
                n=contest.votes_per_resident,
            )
        )
        rows.append((Button(_("🗳 Entries and voting"), ListEntries(contest_id, 0).pack()),))
    elif contest.is_finished(turn.now):
        lines.append(_("This contest is over."))
        rows.append((Button(_("📈 Results"), ShowContestResults(contest_id).pack()),))
    elif contest.phase == ContestPhase.SUBMISSIONS and campaign.opens_at and not mine:
        lines.append(
            _("Entries are accepted from {date}.").format(date=format_datetime(campaign.opens_at))
            if campaign.opens_at > turn.now
            else _("Entries are closed. Voting starts on {date}.").format(
                date=format_datetime(contest.voting_opens_at)
            )
        )
    finished = contest.is_finished(turn.now)
    for entry in mine:
        lines.append(_entry_status_line(entry, finished=finished))
    rows.append((Button(_("« All contests"), ListContests().pack()),))
    return Reply("\n".join(lines).strip(), buttons=tuple(rows))


def _entry_status_line(entry: Entry, *, finished: bool) -> str:
    match entry.status.value:
        case "pending":
            return _("Your entry “{title}” is waiting for moderation.").format(title=entry.title)
        case "rejected":
            return _("Your entry “{title}” was not accepted: {reason}").format(
                title=entry.title, reason=entry.reject_reason or "—"
            )
        case _ if finished:
            return _("Your entry “{title}” took part in the contest.").format(title=entry.title)
        case _:
            return _("Your entry “{title}” takes part in the contest.").format(title=entry.title)


async def new_entry(turn: Turn, action: NewEntry) -> list[Reply]:
    contest_id = action.contest_id
    contest = await contests.get_contest(turn.uow, contest_id)
    contest.ensure_accepts_entries(turn.now)
    if not standing(turn.citizen, contest.campaign, turn.now).eligible:
        return [await render_contest(turn, contest_id)]  # says why, with what fixes it
    mine = await contests.my_entries(turn.uow, contest_id, turn.citizen.id)
    if len(mine) >= contest.entries_per_resident:
        return [await render_contest(turn, contest_id, notice=_entry_limit_text(contest))]
    turn.citizen.dialog_state = {"screen": SCREEN_PREFIX + "title", "k": contest_id}
    return [
        _ask(
            _("Step 1 of 3. Send the title of your solution (up to {n} characters).").format(
                n=TITLE_MAX
            ),
            contest_id,
        )
    ]


def _entry_limit_text(contest: Contest) -> str:
    return ngettext(
        "You have already submitted {n} entry, the most this contest allows.",
        "You have already submitted {n} entries, the most this contest allows.",
        contest.entries_per_resident,
    ).format(n=contest.entries_per_resident)


def _ask(text: str, contest_id: int, *, skip: bool = False) -> Reply:
    skipped = SkipPhoto(contest_id).pack() if skip else None
    return entry_steps.ask(text, cancel=CancelEntry(contest_id).pack(), skip=skipped)


async def entry_input(turn: Turn) -> list[Reply]:
    """Typed title and description, then a photo: each checked before the next step."""
    state = dict(turn.citizen.dialog_state)
    contest_id = int(state.get("k", 0))
    step = str(state.get("screen", "")).removeprefix(SCREEN_PREFIX)
    incoming = turn.incoming
    if step == "photo":
        if incoming.photo_ref is None:
            return [_ask(entry_steps.no_photo(), contest_id, skip=True)]
        return await _finish(turn, state, incoming.photo_ref)
    text = (incoming.text or "").strip()
    if incoming.text is None:
        return [_ask(_("Please send text here; a photo comes at step 3."), contest_id)]
    if step == "title":
        refusal = entry_steps.length_refusal(
            text,
            TITLE_MAX,
            _(
                "The title must be 1 to {n} characters long; yours has {length}. Please send it again."
            ),
        )
        if refusal:
            return [_ask(refusal, contest_id)]
        turn.citizen.dialog_state = {**state, "screen": SCREEN_PREFIX + "description", "t": text}
        return [
            _ask(
                _(
                    "Step 2 of 3. Describe your solution: what, where, why it helps "
                    "(up to {n} characters)."
                ).format(n=DESCRIPTION_MAX),
                contest_id,
            )
        ]
    if step == "description":
        if refusal := entry_steps.description_refusal(text, DESCRIPTION_MAX):
            return [_ask(refusal, contest_id)]
        turn.citizen.dialog_state = {**state, "screen": SCREEN_PREFIX + "photo", "d": text}
        return [
            _ask(
                _("Step 3 of 3. Send a photo or a sketch, if you have one."), contest_id, skip=True
            )
        ]
    return await render_contest_or_list(turn, contest_id)


async def render_contest_or_list(turn: Turn, contest_id: int) -> list[Reply]:
    if contest_id:
        return [await render_contest(turn, contest_id)]
    return await contest_list(turn)


async def skip_photo(turn: Turn, _action: SkipPhoto | None = None) -> list[Reply]:
    state = dict(turn.citizen.dialog_state)
    if state.get("screen") != SCREEN_PREFIX + "photo":
        return await render_contest_or_list(turn, int(state.get("k", 0)))
    return await _finish(turn, state, None)


async def _finish(turn: Turn, state: dict[str, object], photo_ref: str | None) -> list[Reply]:
    contest_id = int(state.get("k", 0))  # type: ignore[call-overload]
    entry = await contests.submit_entry(
        turn.uow,
        contest_id=contest_id,
        citizen_id=turn.citizen.id,
        title=str(state.get("t", "")),
        description=str(state.get("d", "")),
        photo_ref=photo_ref,
        now=turn.now,
    )
    notice = (
        _("✅ Thank you! Your entry is saved and will appear after moderation.")
        if entry.status.value == "pending"
        else _("✅ Thank you! Your entry takes part in the contest.")
    )
    return [await render_contest(turn, contest_id, notice=notice)]


async def cancel(turn: Turn, action: CancelEntry) -> list[Reply]:
    contest_id = action.contest_id
    return [await render_contest(turn, contest_id, notice=_("The entry was not saved."))]


async def entries_screen(turn: Turn, action: ListEntries) -> list[Reply]:
    contest_id, page = action.contest_id, action.page
    return [await render_entries(turn, contest_id, page)]


async def render_entries(turn: Turn, contest_id: int, page: int) -> Reply:
    contest = await contests.get_contest(turn.uow, contest_id)
    entries = await contests.entries_for_voting(turn.uow, contest_id)
    voted = await contests.my_votes(turn.uow, contest_id, turn.citizen.id)
    turn.citizen.dialog_state = {"screen": "contest_entries", "k": contest_id, "page": page}
    pages = max(1, (len(entries) + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    lines = ["🏆 " + contest.campaign.title]
    if not entries:
        lines.append(_("There are no entries yet."))
    else:
        lines.append(
            _("You have used {used} of {n} votes. Open an entry to read it and vote.").format(
                used=len(voted), n=contest.votes_per_resident
            )
        )
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page + 1, pages=pages))
    rows: list[tuple[Button, ...]] = [
        (Button(("✅ " if e.id in voted else "") + short(e.title), ShowEntry(e.id).pack()),)
        for e in entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    rows += page_rows(page, page < pages - 1, lambda n: ListEntries(contest_id, n))
    rows.append((Button(_("« Back to the contest"), ShowContest(contest_id).pack()),))
    return Reply("\n".join(lines), buttons=tuple(rows))


async def entry_screen(turn: Turn, action: ShowEntry) -> list[Reply]:
    entry_id = action.entry_id
    return [await render_entry(turn, entry_id)]


async def render_entry(turn: Turn, entry_id: int, notice: str | None = None) -> Reply:
    entry = await contests.get_entry(turn.uow, entry_id)
    contest = await contests.get_contest(turn.uow, entry.contest_id)
    voted = await contests.my_votes(turn.uow, contest.id, turn.citizen.id)
    turn.citizen.dialog_state = {"screen": "contest_entry", "k": contest.id, "e": entry_id}
    lines = [notice, ""] if notice else []
    lines += [_("“{title}”").format(title=entry.title), entry.description]
    rows: list[tuple[Button, ...]] = []
    if entry.author_id == turn.citizen.id:
        lines += ["", _("This is your entry; you cannot vote for it.")]
    elif contest.accepts_votes(turn.now):
        label = _("↩️ Take my vote back") if entry_id in voted else _("👍 Vote for this entry")
        rows.append((Button(label, VoteEntry(entry_id).pack()),))
    rows.append((Button(_("« All entries"), ListEntries(contest.id, 0).pack()),))
    return Reply("\n".join(lines), buttons=tuple(rows), image=entry.photo_ref)


async def vote(turn: Turn, action: VoteEntry) -> list[Reply]:
    entry_id = action.entry_id
    voted, mine = await contests.toggle_vote(
        turn.uow, entry_id=entry_id, citizen_id=turn.citizen.id, now=turn.now
    )
    notice = _("✅ Your vote is saved.") if voted else _("Your vote is taken back.")
    entry = await contests.get_entry(turn.uow, entry_id)
    receipt = await contests.my_receipt(turn.uow, entry.contest_id, turn.citizen.id)
    if receipt and mine:
        notice += "\n" + receipt_line(receipt)
    return [await render_entry(turn, entry_id, notice=notice)]


async def results_screen(turn: Turn, action: ShowContestResults) -> list[Reply]:
    contest_id = action.contest_id
    outcome = await contests.results(turn.uow, contest_id, now=turn.now)
    return [
        Reply(
            render_results(outcome),
            buttons=((Button(_("« Back to the contest"), ShowContest(contest_id).pack()),),),
        )
    ]


def render_results(outcome: ContestResults) -> str:
    lines = [
        _("📈 Results: {title}").format(title=outcome.contest.campaign.title),
        ngettext("{n} person voted.", "{n} people voted.", outcome.voters).format(
            n=format_number(outcome.voters)
        ),
        "",
    ]
    for row in outcome.ranked:
        lines.append(
            f"{'🏆 ' if row.winner else ''}{row.rank}. {row.entry.title} — "
            + ngettext("{n} vote", "{n} votes", row.votes).format(n=format_number(row.votes))
            + f" ({format_number(row.percent)}%)"
        )
    if not outcome.ranked:
        lines.append(_("There were no entries."))
    return "\n".join(lines)


ROUTES: tuple[Route, ...] = (
    on(ListContests, contest_list),
    on(ShowContest, contest_screen),
    on(NewEntry, new_entry),
    on(SkipPhoto, skip_photo),
    on(CancelEntry, cancel),
    on(ListEntries, entries_screen),
    on(ShowEntry, entry_screen),
    on(VoteEntry, vote),
    on(ShowContestResults, results_screen),
)


def _way_back(screen: str, state: Mapping[str, Any]) -> tuple[Button | None, Button | None] | None:
    contest_id = state_int(state, "k")
    this = Button(_("« Back to the contest"), ShowContest(contest_id).pack())
    every = Button(_("« All contests"), ListContests().pack())
    if screen.startswith(SCREEN_PREFIX):
        return this, every
    match screen:
        case "contests":
            return None, every
        case "contest":
            return this, every
        case "contest_entries":
            page = state_int(state, "page")
            return Button(_("« All entries"), ListEntries(contest_id, page).pack()), this
        case "contest_entry":
            entry = Button(_("« Back to the entry"), ShowEntry(state_int(state, "e")).pack())
            return entry, Button(_("« All entries"), ListEntries(contest_id, 0).pack())
    return None


def _mentioned(error: SpilnoError) -> list[Row]:
    match error:
        case VoteLimitError() if contest_id := error.params.get("contest_id"):
            # "Take one back from another entry": the entries are where that is done.
            entries = ListEntries(contest_id, 0).pack()  # type: ignore[arg-type]
            return [(Button(_("« All entries"), entries),)]
    return []


def _phase_date(p: Params) -> str:
    return format_datetime(p["voting_opens_at"])  # type: ignore[arg-type]


def _vote_limit(p: Params) -> str:
    n = int(p.get("limit", 1))  # type: ignore[call-overload]
    return ngettext(
        "You have used your {n} vote. Take it back from another entry to vote here.",
        "You have used all {n} votes. Take one back from another entry to vote here.",
        n,
    ).format(n=n)


FEATURE = Feature(
    routes=ROUTES,
    commands={"contests": contest_list},
    input_screens={SCREEN_PREFIX: entry_input},
    menu=(
        MenuEntry(
            N_("🏆 Contests"),
            ListContests(),
            N_("submit your solution to a city problem and vote for the best entries."),
            2,
        ),
    ),
    kind=CampaignKind.CONTEST,
    opener=lambda turn, contest_id: contest_screen(turn, ShowContest(contest_id)),
    results=lambda turn, contest_id: results_screen(turn, ShowContestResults(contest_id)),
    error_texts={
        (WrongPhaseError, "submissions_closed"): lambda p: _(
            "Entries are no longer accepted. Voting starts on {date}."
        ).format(date=_phase_date(p)),
        (WrongPhaseError, "voting_not_open"): lambda p: _(
            "Voting has not started yet. It starts on {date}."
        ).format(date=_phase_date(p)),
        own(VoteLimitError): _vote_limit,
        own(OwnEntryError): lambda p: _("You cannot vote for your own entry."),
        own(EntryLimitError): lambda p: _(
            "You have already submitted as many entries as this contest allows."
        ),
        own(EntryNotFoundError): lambda p: _("This entry is no longer available."),
        (ValidationError, "entry_not_approved"): lambda p: _("This entry is not in the vote."),
    },
    kind_texts={
        CampaignClosedError: lambda p: _("This contest is over."),
    },
    officials_only=(
        (ValidationError, "phases_out_of_order"),
        (InvalidTransitionError, "entry_status"),
    ),
    way_back=_way_back,
    mentioned=_mentioned,
)
