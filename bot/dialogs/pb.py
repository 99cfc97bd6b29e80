"""Participatory budgets in chat: the list, one PB, proposing a project, the ballot of each pot
with its running total, submitting it, a project with its implementation history, results.

While a project is being proposed, its title, description, pot and cost wait in the dialog
state (a small draft); it goes to the database in one step when the resident finishes it.
Choices go to the database at once (the ballot row is locked on each), so a ballot is never
lost between taps, and counts once the resident submits it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogs import entry_steps
from bot.dialogs.eligibility import fix_rows, standing
from bot.dialogs.feature import Feature, MenuEntry, Params, Row, own, state_int
from bot.dialogs.nav import back_to_menu_row
from bot.dialogs.receipts import receipt_line
from bot.dialogs.turn import Route, Turn, on
from bot.ui import Action, Button, Id, Reply, Small, Word
from core.campaigns.eligibility import Ineligible
from core.campaigns.model import CampaignKind
from core.hromadas.taxonomy import N_
from core.kernel.errors import (
    CampaignClosedError,
    InvalidTransitionError,
    SpilnoError,
    ValidationError,
    WrongPhaseError,
)
from core.kernel.i18n import _, format_datetime, format_money, format_number, ngettext
from core.pb import service as pbs
from core.pb.announcements import PROGRESS_ICON, progress_words
from core.pb.charts import pot_name
from core.pb.model import (
    COST_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    Ballot,
    ChoiceLimitError,
    EmptyBallotError,
    OverBudgetError,
    ParticipatoryBudget,
    PbPhase,
    PbResults,
    Pot,
    Project,
    ProjectNotFoundError,
    ProjectStatus,
    VotingStyle,
    parse_cost,
)


@dataclass(frozen=True, slots=True)
class ListPbs(Action):
    PREFIX = "pbs"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ShowPb(Action):
    PREFIX = "pb"
    pb_id: Id


@dataclass(frozen=True, slots=True)
class NewProject(Action):
    PREFIX = "pbn"
    pb_id: Id


@dataclass(frozen=True, slots=True)
class PickPot(Action):
    PREFIX = "pbw"
    pb_id: Id
    pot: Word


@dataclass(frozen=True, slots=True)
class SkipPhoto(Action):
    PREFIX = "pbsk"
    IGNORES_EXTRA = True
    pb_id: Id | None = None


@dataclass(frozen=True, slots=True)
class CancelProject(Action):
    PREFIX = "pbx"
    pb_id: Id


@dataclass(frozen=True, slots=True)
class MyProjects(Action):
    PREFIX = "pbm"
    pb_id: Id


@dataclass(frozen=True, slots=True)
class ShowBallot(Action):
    PREFIX = "pbb"
    pb_id: Id
    pot: Word
    page: Small


@dataclass(frozen=True, slots=True)
class ShowProject(Action):
    PREFIX = "pbp"
    project_id: Id


@dataclass(frozen=True, slots=True)
class AddProject(Action):
    PREFIX = "pba"
    project_id: Id


@dataclass(frozen=True, slots=True)
class RemoveProject(Action):
    PREFIX = "pbr"
    project_id: Id


@dataclass(frozen=True, slots=True)
class ConfirmBallot(Action):
    PREFIX = "pbc"
    pb_id: Id
    pot: Word


@dataclass(frozen=True, slots=True)
class SubmitBallot(Action):
    PREFIX = "pbok"
    pb_id: Id
    pot: Word


@dataclass(frozen=True, slots=True)
class ShowPbResults(Action):
    PREFIX = "pbres"
    pb_id: Id


SCREEN_PREFIX = "pb:"  # dialog_state["screen"] while a proposal's text, cost or photo is awaited
PAGE_SIZE = 8


def _short(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _all_row() -> Row:
    return (Button(_("« All public budgets"), ListPbs().pack()),)


def _back_row(pb_id: int) -> Row:
    return (Button(_("« Back to the public budget"), ShowPb(pb_id).pack()),)


# --- the list and one PB ------------------------------------------------------------------------


async def pb_list(turn: Turn, _action: ListPbs | None = None) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": "pbs"}
    found = await pbs.pbs_for_residents(turn.uow, turn.now)
    if not found:
        return [
            Reply(
                _("There is no public budget right now. We will let you know when one starts."),
                buttons=(back_to_menu_row(),),
            )
        ]
    rows = [
        (
            Button(
                ("💰 " if c.is_accepting(turn.now) else "📋 ") + _short(c.title, 60),
                ShowPb(c.id).pack(),
            ),
        )
        for c in found
    ]
    return [
        Reply(
            _(
                "Public budget: residents propose what to do in the city and vote on how to "
                "spend the money."
            ),
            buttons=(*rows, back_to_menu_row()),
        )
    ]


async def pb_screen(turn: Turn, action: ShowPb) -> list[Reply]:
    return [await render_pb(turn, action.pb_id)]


def _pot_line(pot: Pot) -> str:
    if pot.style == VotingStyle.KNAPSACK:
        how = _("choose projects worth up to {budget} in total").format(
            budget=format_money(pot.budget)
        )
    else:
        how = ngettext(
            "choose up to {n} project; budget {budget}",
            "choose up to {n} projects; budget {budget}",
            pot.max_choices or 0,
        ).format(n=pot.max_choices, budget=format_money(pot.budget))
    return f"• {pot_name(pot.code)}: {how}"


async def render_pb(turn: Turn, pb_id: int, notice: str | None = None) -> Reply:
    pb = await pbs.get_pb(turn.uow, pb_id)
    turn.citizen.dialog_state = {"screen": "pb", "b": pb_id}
    campaign = pb.campaign
    lines = [notice, ""] if notice else []
    lines += ["💰 " + campaign.title, campaign.description, ""]
    rows: list[Row] = []
    rule = standing(turn.citizen, campaign, turn.now)
    running = pb.accepts_projects(turn.now) or pb.accepts_votes(turn.now)
    lines += rule.lines if running else rule.lines[:1]
    rows += rule.rows if running else []
    mine = await pbs.my_projects(turn.uow, pb_id, turn.citizen.id)
    if pb.accepts_projects(turn.now):
        lines.append(
            _("Proposals are accepted until {date}. Voting starts on {voting}.").format(
                date=format_datetime(pb.review_at), voting=format_datetime(pb.voting_opens_at)
            )
        )
        lines += [_pot_line(p) for p in pb.pots]
        if rule.eligible:
            rows.append((Button(_("✍️ Propose a project"), NewProject(pb_id).pack()),))
    elif pb.accepts_votes(turn.now):
        lines.append(
            _("Voting is open until {date}. You can change your ballot until then.").format(
                date=format_datetime(campaign.closes_at)  # type: ignore[arg-type]
            )
        )
        mine_pots = pb.pots_for(turn.citizen)
        lines += [_pot_line(p) for p in mine_pots]
        if rule.eligible:
            rows += [
                (
                    Button(
                        _("🗳 Vote: {pot}").format(pot=pot_name(p.code)),
                        ShowBallot(pb_id, p.code, 0).pack(),
                    ),
                )
                for p in mine_pots
            ]
            if turn.citizen.home_district is None and any(not p.city_wide for p in pb.pots):
                lines.append(_("Set your home district to vote for your district's projects too."))
                rows += fix_rows([Ineligible.NO_DISTRICT], pb_id)
    elif pb.phase == PbPhase.IMPLEMENTATION:
        lines.append(_("The results are announced; the winning projects are being implemented."))
        rows.append((Button(_("📈 Results and progress"), ShowPbResults(pb_id).pack()),))
    elif pb.phase == PbPhase.RESULTS or campaign.is_effectively_closed(turn.now):
        lines.append(
            _("Voting is over. The results will be announced on {date}.").format(
                date=format_datetime(pb.announce_at)
            )
        )
    elif pb.phase in (PbPhase.SUBMISSION, PbPhase.REVIEW) and campaign.opens_at:
        if campaign.opens_at > turn.now:
            lines.append(
                _("Proposals are accepted from {date}.").format(
                    date=format_datetime(campaign.opens_at)
                )
            )
        else:
            lines.append(
                _("The city is reviewing the proposals. Voting starts on {date}.").format(
                    date=format_datetime(pb.voting_opens_at)
                )
            )
    if mine:
        rows.append(
            (Button(_("📋 My projects ({n})").format(n=len(mine)), MyProjects(pb_id).pack()),)
        )
    rows.append(_all_row())
    return Reply("\n".join(lines).strip(), buttons=tuple(rows))


# --- proposing a project ------------------------------------------------------------------------


def _ask(text: str, pb_id: int, *, skip: bool = False, extra: tuple[Row, ...] = ()) -> Reply:
    skipped = SkipPhoto(pb_id).pack() if skip else None
    return entry_steps.ask(text, cancel=CancelProject(pb_id).pack(), skip=skipped, extra=extra)


def _proposal_pots(pb: ParticipatoryBudget, turn: Turn) -> list[Pot]:
    return pb.pots_for(turn.citizen)


async def new_project(turn: Turn, action: NewProject) -> list[Reply]:
    pb = await pbs.get_pb(turn.uow, action.pb_id)
    pb.ensure_accepts_projects(turn.now)
    if not standing(turn.citizen, pb.campaign, turn.now).eligible:
        return [await render_pb(turn, pb.id)]  # says why, with what fixes it
    if not _proposal_pots(pb, turn):
        lines = _("This budget is for districts only. Set your home district to propose a project.")
        rows = (*fix_rows([Ineligible.NO_DISTRICT], pb.id), _back_row(pb.id))
        return [Reply(lines, buttons=tuple(rows))]
    turn.citizen.dialog_state = {"screen": SCREEN_PREFIX + "title", "b": pb.id}
    return [
        _ask(
            _("Step 1 of 5. Send the name of your project (up to {n} characters).").format(
                n=TITLE_MAX
            ),
            pb.id,
        )
    ]


async def proposal_input(turn: Turn) -> list[Reply]:
    """Typed title, description and cost, then a photo: each checked before the next step."""
    state = dict(turn.citizen.dialog_state)
    pb_id = state_int(state, "b")
    step = str(state.get("screen", "")).removeprefix(SCREEN_PREFIX)
    incoming = turn.incoming
    if step == "photo":
        if incoming.photo_ref is None:
            return [_ask(entry_steps.no_photo(), pb_id, skip=True)]
        return await _finish(turn, state, incoming.photo_ref)
    if step == "pot":
        return [await _ask_pot(turn, pb_id, _("Please choose with a button below."))]
    if incoming.text is None:
        return [_ask(_("Please send text here; a photo comes at the last step."), pb_id)]
    text = incoming.text.strip()
    if step == "title":
        refusal = entry_steps.length_refusal(
            text,
            TITLE_MAX,
            _(
                "The name must be 1 to {n} characters long; yours has {length}. Please send it again."
            ),
        )
        if refusal:
            return [_ask(refusal, pb_id)]
        turn.citizen.dialog_state = {**state, "screen": SCREEN_PREFIX + "description", "t": text}
        return [
            _ask(
                _(
                    "Step 2 of 5. Describe the project: what exactly, where, and who it helps "
                    "(up to {n} characters)."
                ).format(n=DESCRIPTION_MAX),
                pb_id,
            )
        ]
    if step == "description":
        if refusal := entry_steps.description_refusal(text, DESCRIPTION_MAX):
            return [_ask(refusal, pb_id)]
        turn.citizen.dialog_state = {**state, "screen": SCREEN_PREFIX + "pot", "d": text}
        return [await _ask_pot(turn, pb_id)]
    if step == "cost":
        cost = parse_cost(text)
        if cost is None or not 0 < cost <= COST_MAX:
            return [
                _ask(
                    _("Please send the cost as a whole number of hryvnias, for example 250000."),
                    pb_id,
                )
            ]
        pb = await pbs.get_pb(turn.uow, pb_id)
        pot = pb.pot(str(state.get("w", "")))
        if cost > pot.budget:
            return [
                _ask(
                    _(
                        "That is more than the whole budget for {pot} ({budget}). Please "
                        "send a smaller estimate."
                    ).format(pot=pot_name(pot.code), budget=format_money(pot.budget)),
                    pb_id,
                )
            ]
        turn.citizen.dialog_state = {**state, "screen": SCREEN_PREFIX + "photo", "c": cost}
        return [
            _ask(
                _("Step 5 of 5. Send a photo of the place or a sketch, if you have one."),
                pb_id,
                skip=True,
            )
        ]
    return [await render_pb(turn, pb_id)]


async def _ask_pot(turn: Turn, pb_id: int, notice: str | None = None) -> Reply:
    pb = await pbs.get_pb(turn.uow, pb_id)
    choices = tuple(
        (Button(pot_name(p.code), PickPot(pb_id, p.code).pack()),) for p in _proposal_pots(pb, turn)
    )
    text = _("Step 3 of 5. Is it a project for the whole city or for your district?")
    return _ask(f"{notice}\n\n{text}" if notice else text, pb_id, extra=choices)


async def pick_pot(turn: Turn, action: PickPot) -> list[Reply]:
    state = dict(turn.citizen.dialog_state)
    if state.get("screen") != SCREEN_PREFIX + "pot" or state_int(state, "b") != action.pb_id:
        return [await render_pb(turn, action.pb_id)]
    pb = await pbs.get_pb(turn.uow, action.pb_id)
    if all(p.code != action.pot for p in _proposal_pots(pb, turn)):
        return [await _ask_pot(turn, pb.id)]
    turn.citizen.dialog_state = {**state, "screen": SCREEN_PREFIX + "cost", "w": action.pot}
    return [
        _ask(
            _(
                "Step 4 of 5. How much will it cost, roughly, in hryvnias? The city checks "
                "the estimate during review."
            ),
            pb.id,
        )
    ]


async def skip_photo(turn: Turn, _action: SkipPhoto | None = None) -> list[Reply]:
    state = dict(turn.citizen.dialog_state)
    if state.get("screen") != SCREEN_PREFIX + "photo":
        return await _pb_or_list(turn, state_int(state, "b"))
    return await _finish(turn, state, None)


async def _pb_or_list(turn: Turn, pb_id: int) -> list[Reply]:
    return [await render_pb(turn, pb_id)] if pb_id else await pb_list(turn)


async def _finish(turn: Turn, state: dict[str, Any], photo_ref: str | None) -> list[Reply]:
    pb_id = state_int(state, "b")
    await pbs.propose_project(
        turn.uow,
        pb_id=pb_id,
        citizen_id=turn.citizen.id,
        pot=str(state.get("w", "")),
        title=str(state.get("t", "")),
        description=str(state.get("d", "")),
        cost=state_int(state, "c"),
        photo_ref=photo_ref,
        now=turn.now,
    )
    return [
        await render_pb(
            turn,
            pb_id,
            notice=_(
                "✅ Thank you! Your project is saved. The city will review it and we will "
                "tell you the outcome here."
            ),
        )
    ]


async def cancel(turn: Turn, action: CancelProject) -> list[Reply]:
    return [await render_pb(turn, action.pb_id, notice=_("The project was not saved."))]


async def my_projects(turn: Turn, action: MyProjects) -> list[Reply]:
    mine = await pbs.my_projects(turn.uow, action.pb_id, turn.citizen.id)
    turn.citizen.dialog_state = {"screen": "pb_mine", "b": action.pb_id}
    lines = [_("Your projects:")] + [f"• {p.title} — {_status_words(p)}" for p in mine]
    rows = [(Button(_short(p.title), ShowProject(p.id).pack()),) for p in mine]
    return [Reply("\n".join(lines), buttons=(*rows, _back_row(action.pb_id)))]


def _status_words(project: Project) -> str:
    if project.selected:
        return _("won; {progress}").format(
            progress=progress_words(project.progress) if project.progress else "—"
        )
    if project.selected is False:
        return _("did not win")
    match project.status:
        case ProjectStatus.SUBMITTED:
            return _("waiting for review")
        case ProjectStatus.ACCEPTED:
            return _("on the ballot at {cost}").format(cost=format_money(project.cost))
    return _("not accepted: {reason}").format(reason=project.reject_reason or "—")


# --- the ballot ---------------------------------------------------------------------------------


def _total_line(ballot: Ballot) -> str:
    n = len(ballot.chosen)
    if ballot.pot.style == VotingStyle.KNAPSACK:
        return ngettext(
            "{n} project chosen, {total} of {budget}.",
            "{n} projects chosen, {total} of {budget}.",
            n,
        ).format(n=n, total=format_money(ballot.total), budget=format_money(ballot.pot.budget))
    return ngettext(
        "{n} of {max} project chosen.", "{n} of {max} projects chosen.", ballot.pot.max_choices or 0
    ).format(n=n, max=ballot.pot.max_choices)


def _submitted_line(ballot: Ballot) -> str | None:
    if ballot.changed_since_submitted:
        return _("⚠️ You changed your choice: submit the ballot again for the change to count.")
    if ballot.submitted:
        return _("✅ Your ballot is submitted. You can change it until voting closes.")
    return None


async def ballot_screen(turn: Turn, action: ShowBallot) -> list[Reply]:
    return [await render_ballot(turn, action.pb_id, action.pot, action.page)]


async def render_ballot(
    turn: Turn, pb_id: int, pot_code: str, page: int, notice: str | None = None
) -> Reply:
    pb = await pbs.get_pb(turn.uow, pb_id)
    pot = pb.pot(pot_code)
    ballot = await pbs.ballot(turn.uow, pb_id, turn.citizen.id, pot.code)
    projects = await pbs.ballot_projects(turn.uow, pb_id, pot.code)
    turn.citizen.dialog_state = {"screen": "pb_ballot", "b": pb_id, "w": pot.code, "page": page}
    pages = max(1, (len(projects) + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    lines = [notice, ""] if notice else []
    lines += [f"🗳 {pb.campaign.title} — {pot_name(pot.code)}", _total_line(ballot)]
    if (line := _submitted_line(ballot)) is not None:
        lines.append(line)
    if not projects:
        lines.append(_("There are no projects on this ballot."))
    else:
        lines.append(_("Open a project to read about it and add it to your ballot (✅ = chosen)."))
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page + 1, pages=pages))
    chosen = ballot.chosen_ids
    rows: list[Row] = [
        (
            Button(
                ("✅ " if p.id in chosen else "") + f"{_short(p.title)} · {format_money(p.cost)}",
                ShowProject(p.id).pack(),
            ),
        )
        for p in projects[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    nav = []
    if page > 0:
        nav.append(Button(_("« Previous"), ShowBallot(pb_id, pot.code, page - 1).pack()))
    if page < pages - 1:
        nav.append(Button(_("Next »"), ShowBallot(pb_id, pot.code, page + 1).pack()))
    if nav:
        rows.append(tuple(nav))
    if (
        ballot.chosen
        and pb.accepts_votes(turn.now)
        and (not ballot.submitted or ballot.changed_since_submitted)
    ):
        rows.append((Button(_("📨 Submit my ballot"), ConfirmBallot(pb_id, pot.code).pack()),))
    rows.append(_back_row(pb_id))
    return Reply("\n".join(lines), buttons=tuple(rows))


async def project_screen(turn: Turn, action: ShowProject) -> list[Reply]:
    return [await render_project(turn, action.project_id)]


async def render_project(turn: Turn, project_id: int, notice: str | None = None) -> Reply:
    project = await pbs.get_project(turn.uow, project_id)
    pb = await pbs.get_pb(turn.uow, project.pb_id)
    turn.citizen.dialog_state = {
        "screen": "pb_project",
        "b": pb.id,
        "w": project.pot,
        "p": project_id,
    }
    lines = [notice, ""] if notice else []
    lines += [
        _("“{title}”").format(title=project.title),
        _("{pot} · {cost}").format(pot=pot_name(project.pot), cost=format_money(project.cost)),
        "",
        project.description,
    ]
    if project.author_id == turn.citizen.id or project.selected is not None:
        lines += ["", _("Status: {status}").format(status=_status_words(project))]
    rows: list[Row] = []
    voting = pb.accepts_votes(turn.now) and project.on_ballot
    image: str | bytes | None = project.photo_ref
    if voting and any(p.code == project.pot for p in pb.pots_for(turn.citizen)):
        ballot = await pbs.ballot(turn.uow, pb.id, turn.citizen.id, project.pot)
        lines += ["", _total_line(ballot)]
        if project.id in ballot.chosen_ids:
            rows.append((Button(_("➖ Remove from my ballot"), RemoveProject(project_id).pack()),))
        else:
            rows.append((Button(_("➕ Add to my ballot"), AddProject(project_id).pack()),))
        if ballot.chosen and (not ballot.submitted or ballot.changed_since_submitted):
            rows.append(
                (Button(_("📨 Submit my ballot"), ConfirmBallot(pb.id, project.pot).pack()),)
            )
    history = await pbs.milestones(turn.uow, project_id) if project.selected else []
    if history:
        lines += ["", _("Progress:")]
        lines += [
            f"{PROGRESS_ICON.get(m.status, '📌')} {format_datetime(m.created_at)} — "
            f"{progress_words(m.status)}: {m.text}"
            for m in history
        ]
        with_image = [m for m in history if m.has_image]
        if with_image:
            image = await pbs.milestone_image(turn.uow, with_image[-1].id)
    if voting:
        rows.append((Button(_("« Back to the ballot"), ShowBallot(pb.id, project.pot, 0).pack()),))
    elif pb.phase == PbPhase.IMPLEMENTATION:
        rows.append((Button(_("« Results"), ShowPbResults(pb.id).pack()),))
    rows.append(_back_row(pb.id))
    return Reply("\n".join(lines), buttons=tuple(rows), image=image)


async def add_project(turn: Turn, action: AddProject) -> list[Reply]:
    ballot = await pbs.choose(
        turn.uow, project_id=action.project_id, citizen_id=turn.citizen.id, now=turn.now
    )
    notice = _("➕ Added to your ballot. {total}").format(total=_total_line(ballot))
    return [await render_project(turn, action.project_id, notice=notice)]


async def remove_project(turn: Turn, action: RemoveProject) -> list[Reply]:
    ballot = await pbs.unchoose(
        turn.uow, project_id=action.project_id, citizen_id=turn.citizen.id, now=turn.now
    )
    notice = _("➖ Removed from your ballot. {total}").format(total=_total_line(ballot))
    return [await render_project(turn, action.project_id, notice=notice)]


async def confirm_ballot(turn: Turn, action: ConfirmBallot) -> list[Reply]:
    pb = await pbs.get_pb(turn.uow, action.pb_id)
    pb.ensure_accepts_votes(turn.now)
    ballot = await pbs.ballot(turn.uow, pb.id, turn.citizen.id, action.pot)
    if not ballot.chosen:
        raise EmptyBallotError(pb_id=pb.id, pot=action.pot)
    turn.citizen.dialog_state = {"screen": "pb_confirm", "b": pb.id, "w": action.pot}
    lines = [
        _("Submit your ballot for {pot}?").format(pot=pot_name(action.pot)),
        _total_line(ballot),
        "",
        *(f"• {p.title} — {format_money(p.cost)}" for p in ballot.chosen),
        "",
        _("You can change it until voting closes on {date}.").format(
            date=format_datetime(pb.campaign.closes_at)  # type: ignore[arg-type]
        ),
    ]
    rows = (
        (Button(_("✅ Yes, submit"), SubmitBallot(pb.id, action.pot).pack()),),
        (Button(_("« Back to the ballot"), ShowBallot(pb.id, action.pot, 0).pack()),),
    )
    return [Reply("\n".join(lines), buttons=rows)]


async def submit_ballot(turn: Turn, action: SubmitBallot) -> list[Reply]:
    ballot = await pbs.submit_ballot(
        turn.uow, pb_id=action.pb_id, citizen_id=turn.citizen.id, pot=action.pot, now=turn.now
    )
    notice = _("✅ Thank you! Your ballot is submitted.")
    if ballot.receipt:
        notice += "\n" + receipt_line(ballot.receipt)
    return [await render_ballot(turn, action.pb_id, action.pot, 0, notice=notice)]


# --- results ------------------------------------------------------------------------------------


async def results_screen(turn: Turn, action: ShowPbResults) -> list[Reply]:
    outcome = await pbs.results(turn.uow, action.pb_id, now=turn.now)
    turn.citizen.dialog_state = {"screen": "pb_results", "b": action.pb_id}
    winners = outcome.winners()
    rows: list[Row] = [
        (Button("🏆 " + _short(w.project.title), ShowProject(w.project.id).pack()),)
        for w in winners[:20]
    ]
    return [Reply(render_results(outcome), buttons=(*rows, _back_row(action.pb_id)))]


def render_results(outcome: PbResults) -> str:
    lines = [
        _("📈 Results: {title}").format(title=outcome.pb.campaign.title),
        ngettext("{n} person voted.", "{n} people voted.", outcome.voters).format(
            n=format_number(outcome.voters)
        ),
    ]
    rule = outcome.pb.rule
    for pot in outcome.pots:
        lines += [
            "",
            f"{pot_name(pot.pot.code)} — {format_money(pot.spent(rule))} / {format_money(pot.pot.budget)}",
        ]
        for r in pot.ranked:
            won = r.project.id in pot.winners[rule]
            lines.append(
                f"{'🏆 ' if won else '▫️ '}{r.project.title} — {format_money(r.project.cost)}, "
                + ngettext("{n} vote", "{n} votes", r.votes).format(n=format_number(r.votes))
            )
        if not pot.ranked:
            lines.append(_("There were no projects."))
    return "\n".join(lines)


ROUTES: tuple[Route, ...] = (
    on(ListPbs, pb_list),
    on(ShowPb, pb_screen),
    on(NewProject, new_project),
    on(PickPot, pick_pot),
    on(SkipPhoto, skip_photo),
    on(CancelProject, cancel),
    on(MyProjects, my_projects),
    on(ShowBallot, ballot_screen),
    on(ShowProject, project_screen),
    on(AddProject, add_project),
    on(RemoveProject, remove_project),
    on(ConfirmBallot, confirm_ballot),
    on(SubmitBallot, submit_ballot),
    on(ShowPbResults, results_screen),
)


def _way_back(screen: str, state: Mapping[str, Any]) -> tuple[Button | None, Button | None] | None:
    pb_id = state_int(state, "b")
    this = Button(_("« Back to the public budget"), ShowPb(pb_id).pack())
    every = Button(_("« All public budgets"), ListPbs().pack())
    pot = str(state.get("w", "")) or "city"
    ballot = Button(_("« Back to the ballot"), ShowBallot(pb_id, pot, 0).pack())
    if screen.startswith(SCREEN_PREFIX):
        return this, every
    match screen:
        case "pbs":
            return None, every
        case "pb" | "pb_mine" | "pb_results":
            return this, every
        case "pb_ballot" | "pb_confirm":
            return ballot, this
        case "pb_project":
            project = Button(_("« Back to the project"), ShowProject(state_int(state, "p")).pack())
            return project, ballot
    return None


def _mentioned(error: SpilnoError) -> list[Row]:
    match error:
        case OverBudgetError() | ChoiceLimitError() | EmptyBallotError():
            pb_id, pot = error.params.get("pb_id"), error.params.get("pot")
            if isinstance(pb_id, int) and isinstance(pot, str):
                return [(Button(_("« Back to the ballot"), ShowBallot(pb_id, pot, 0).pack()),)]
    return []


def _voting_date(p: Params) -> str:
    return format_datetime(p["voting_opens_at"])  # type: ignore[arg-type]


def _over_budget(p: Params) -> str:
    return _(
        "This project does not fit: your choices would go over the budget by {over}. "
        "Remove another project first."
    ).format(over=format_money(int(p.get("over", 0))))  # type: ignore[call-overload]


def _choice_limit(p: Params) -> str:
    n = int(p.get("limit", 1))  # type: ignore[call-overload]
    return ngettext(
        "You have chosen {n} project, the most allowed here. Remove it to choose another.",
        "You have chosen {n} projects, the most allowed here. Remove one to choose another.",
        n,
    ).format(n=n)


FEATURE = Feature(
    routes=ROUTES,
    commands={"budget": pb_list},
    input_screens={SCREEN_PREFIX: proposal_input},
    menu=(
        MenuEntry(
            N_("💰 Public budget"),
            ListPbs(),
            N_("propose a project for the city and vote on how to spend the budget."),
            2,
        ),
    ),
    kind=CampaignKind.PB,
    opener=lambda turn, pb_id: pb_screen(turn, ShowPb(pb_id)),
    results=lambda turn, pb_id: results_screen(turn, ShowPbResults(pb_id)),
    error_texts={
        (WrongPhaseError, "pb_submission_closed"): lambda p: _(
            "Proposals are no longer accepted. Voting starts on {date}."
        ).format(date=_voting_date(p)),
        (WrongPhaseError, "pb_voting_not_open"): lambda p: _(
            "Voting has not started yet. It starts on {date}."
        ).format(date=_voting_date(p)),
        own(OverBudgetError): _over_budget,
        own(ChoiceLimitError): _choice_limit,
        own(EmptyBallotError): lambda p: _("Choose at least one project first."),
        own(ProjectNotFoundError): lambda p: _("This project is no longer available."),
        (ValidationError, "pb_project_not_on_ballot"): lambda p: _(
            "This project is not on the ballot."
        ),
        (ValidationError, "pb_unknown_pot"): lambda p: _("This ballot is no longer available."),
        (ValidationError, "pb_bad_cost"): lambda p: _(
            "Please send the cost as a whole number of hryvnias, for example 250000."
        ),
    },
    kind_texts={
        CampaignClosedError: lambda p: _("Voting in this public budget is over."),
    },
    officials_only=(
        (ValidationError, "pb_phases_out_of_order"),
        (ValidationError, "pb_reason_missing"),
        (ValidationError, "pb_reason_on_accept"),
        (ValidationError, "pb_cost_on_reject"),
        (ValidationError, "pb_milestone_empty"),
        (ValidationError, "pb_bad_progress"),
        (ValidationError, "pb_image_too_large"),
        (InvalidTransitionError, "pb_project_status"),
        (InvalidTransitionError, "pb_review_closed"),
        (InvalidTransitionError, "pb_not_a_winner"),
        (InvalidTransitionError, "pb_progress_final"),
    ),
    way_back=_way_back,
    mentioned=_mentioned,
)
