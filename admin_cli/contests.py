"""`spilno-admin contest …`: create from a YAML file, premoderate entries; its words, texts, results."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from admin_cli.actions import ActionContext, action
from admin_cli.campaign_files import file_error
from admin_cli.client import client
from admin_cli.context import EXIT_USAGE, CliError, fail
from admin_cli.files import read_text
from admin_cli.kind import (
    CliKind,
    KindBreakdownView,
    KindDetails,
    KindResults,
    Params,
    Text,
    own,
)
from admin_cli.output import print_found
from admin_cli.params import id_argument
from admin_cli.results_breakdown import (
    cell,
    chart_title,
    columns_table,
    csv_key,
    csv_rows,
    groups_as_dicts,
)
from admin_cli.wording import counts, lookup, percent, yes_no
from core.campaigns.breakdown import ResultsBreakdown
from core.campaigns.model import Campaign, CampaignKind
from core.contests import service as contests
from core.contests.model import Contest, ContestPhase, Entry, EntryStatus, RankedEntry
from core.contests.plan import parse_contest
from core.contests.service import ContestResults
from core.hromadas.taxonomy import N_
from core.kernel.errors import (
    CampaignFileError,
    EntryLimitError,
    EntryNotFoundError,
    InvalidTransitionError,
    OwnEntryError,
    ValidationError,
    VoteLimitError,
    WrongPhaseError,
)
from core.kernel.i18n import _, current_timezone, format_datetime, ngettext

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

contest_cli = typer.Typer(
    help="Contests: residents submit solutions, then vote for them.", no_args_is_help=True
)

ENTRY_STATUS: dict[str, str] = {
    EntryStatus.PENDING: N_("pending approval"),
    EntryStatus.APPROVED: N_("approved"),
    EntryStatus.REJECTED: N_("rejected"),
}
CONTEST_PHASE: dict[str, str] = {
    ContestPhase.SUBMISSIONS: N_("taking entries"),
    ContestPhase.VOTING: N_("voting"),
    ContestPhase.FINISHED: N_("finished"),
}


# What can be wrong with a contest's file beyond what every campaign file shares.
FILE_PROBLEMS: dict[str, Text] = {
    "phases_out_of_order": lambda p: _(
        "the dates must go in order: submissions open < submissions close "
        "≤ voting opens < voting closes"
    ),
}


def entry_status(code: object) -> str:
    return lookup(ENTRY_STATUS, code)


def contest_phase(code: object) -> str:
    return lookup(CONTEST_PHASE, code)


def entry_counts(values: dict[str, int]) -> str:
    return counts(values, ENTRY_STATUS)


def contest_as_dict(contest: Contest) -> dict[str, object]:
    campaign = contest.campaign
    return {
        "id": contest.id,
        "kind": campaign.kind.value,
        "status": campaign.status.value,
        "phase": contest.phase.value,
        "title": campaign.title,
        "problem": campaign.description,
        "submissions": [
            campaign.opens_at.isoformat() if campaign.opens_at else None,
            contest.submissions_close_at.isoformat(),
        ],
        "voting": [
            contest.voting_opens_at.isoformat(),
            campaign.closes_at.isoformat() if campaign.closes_at else None,
        ],
        "votes_per_resident": contest.votes_per_resident,
        "winners": contest.winners,
        "entries_per_resident": contest.entries_per_resident,
        "premoderation": contest.premoderation,
        "audience": contest.audience,
        "eligible": campaign.eligibility.as_list(),
    }


def entry_as_dict(entry: Entry) -> dict[str, object]:
    return {
        "id": entry.id,
        "contest_id": entry.contest_id,
        "author_id": entry.author_id,
        "title": entry.title,
        "description": entry.description,
        "photo": entry.photo_ref,
        "status": entry.status.value,
        "reject_reason": entry.reject_reason,
        "created_at": entry.created_at.isoformat(),
    }


@action("contest.create")
async def create_action(
    ctx: ActionContext, uow: UnitOfWork, *, text: str, file_name: str
) -> Contest:
    """Create a contest from its YAML file's text (`file_name` names the file in a wrong
    line's error); nothing is created if the file is wrong."""
    try:
        plan = parse_contest(text, tz=current_timezone())
    except CampaignFileError as error:
        raise file_error(file_name, error, FILE_PROBLEMS) from None
    return await contests.create_contest(uow, plan, actor=ctx.official, now=ctx.now())


@contest_cli.command("create")
def create(
    file: Annotated[Path, typer.Option("--file", help="The contest, as YAML (see README).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Create a contest from a file. Prints its id; nothing is created if the file is wrong."""
    contest = client().call(create_action, text=read_text(file), file_name=str(file))
    if as_json:
        typer.echo(json.dumps(contest_as_dict(contest), ensure_ascii=False))
        return
    typer.echo(contest.id)
    typer.echo(
        _("Contest {id} created; submissions open on {date}.").format(
            id=contest.id,
            date=format_datetime(contest.campaign.opens_at),  # type: ignore[arg-type]
        ),
        err=True,
    )


@action("contest.entries", commit=False)
async def entries_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    contest_id: int,
    statuses: list[EntryStatus] | None = None,
) -> list[Entry]:
    """A contest's entries; only those in `statuses` when given."""
    return await contests.list_entries(uow, contest_id, statuses=statuses or None)


@contest_cli.command("entries")
def entries(
    contest_id: Annotated[int, id_argument("Contest id.")],
    status: Annotated[
        list[EntryStatus] | None, typer.Option(help="Only these statuses; repeatable.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List a contest's entries (pending ones wait for approve/reject)."""
    found = client().call(entries_action, contest_id=contest_id, statuses=status)
    print_found(
        found,
        as_json=as_json,
        as_dict=entry_as_dict,
        nothing=_("No entries."),
        title=_("Entries of contest {id}").format(id=contest_id),
        headers=(_("ID"), _("Status"), _("Title"), _("Description"), _("Photo")),
        row=lambda e: (
            str(e.id),
            entry_status(e.status),
            e.title,
            e.description[:80],
            "📷" if e.photo_ref else "",
        ),
    )


@action("contest.approve")
async def approve_action(ctx: ActionContext, uow: UnitOfWork, *, entry_id: int) -> Entry:
    """Approve an entry: it can then receive votes."""
    return await contests.moderate_entry(
        uow, entry_id, approve=True, actor=ctx.official, now=ctx.now()
    )


@contest_cli.command("approve")
def approve(entry_id: Annotated[int, id_argument("Entry id.")]) -> None:
    """Approve an entry: it can then receive votes."""
    client().call(approve_action, entry_id=entry_id)
    typer.echo(_("Entry {id} is approved.").format(id=entry_id))


@action("contest.reject")
async def reject_action(
    ctx: ActionContext, uow: UnitOfWork, *, entry_id: int, reason: str
) -> Entry:
    """Reject an entry with a reason its author is told."""
    if not reason.strip():
        raise CliError(_("--reason is empty"), EXIT_USAGE)
    return await contests.moderate_entry(
        uow, entry_id, approve=False, actor=ctx.official, now=ctx.now(), reason=reason.strip()
    )


@contest_cli.command("reject")
def reject(
    entry_id: Annotated[int, id_argument("Entry id.")],
    reason: Annotated[str, typer.Option(help="Why, in words the author will understand.")],
) -> None:
    """Reject an entry with a reason."""
    if not reason.strip():
        fail(_("--reason is empty"), EXIT_USAGE)
    client().call(reject_action, entry_id=entry_id, reason=reason.strip())
    typer.echo(_("Entry {id} is rejected.").format(id=entry_id))


# --- campaign show / campaign results ---------------------------------------------------------


async def details(uow: UnitOfWork, campaign: Campaign, _now: datetime) -> dict[str, object]:
    contest = await contests.get_contest(uow, campaign.id)
    entries = await contests.list_entries(uow, campaign.id)
    return contest_as_dict(contest) | {
        "entries": {
            s: sum(1 for e in entries if e.status == s) for s in ("pending", "approved", "rejected")
        },
        "voters": await contests.voter_count(uow, campaign.id),
    }


def print_details(console: Console, data: dict[str, Any]) -> None:
    console.print(_("Phase: {phase}").format(phase=contest_phase(data["phase"])))
    console.print(
        _("Votes per resident: {n} · winners: {k} · premoderation: {p}").format(
            n=data["votes_per_resident"], k=data["winners"], p=yes_no(data["premoderation"])
        )
    )
    console.print(_("Entries: {counts}").format(counts=entry_counts(data["entries"])))
    console.print(_("Voters so far: {n}").format(n=data["voters"]))


async def load_results(uow: UnitOfWork, contest_id: int, now: datetime) -> ContestResults:
    return await contests.results(uow, contest_id, now=now, for_official=True)


def results_as_dict(outcome: ContestResults) -> dict[str, object]:
    return {
        "campaign_id": outcome.contest.id,
        "kind": "contest",
        "title": outcome.contest.campaign.title,
        "voters": outcome.voters,
        "winners": outcome.contest.winners,
        "entries": [
            {
                "rank": r.rank,
                "id": r.entry.id,
                "title": r.entry.title,
                "votes": r.votes,
                "percent": r.percent,
                "winner": r.winner,
            }
            for r in outcome.ranked
        ],
    }


def results_as_csv(outcome: ContestResults) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rank", "entry_id", "title", "votes", "percent", "winner"])
    for r in outcome.ranked:
        writer.writerow([r.rank, r.entry.id, r.entry.title, r.votes, r.percent, r.winner])
    return buffer.getvalue()


def print_results(outcome: ContestResults) -> None:
    table = Table(
        title=outcome.contest.campaign.title, caption=_("Voters: {n}").format(n=outcome.voters)
    )
    for header in ("#", _("Entry"), _("Votes"), "%", ""):
        table.add_column(header)
    for r in outcome.ranked:
        table.add_row(
            str(r.rank),
            f"[{r.entry.id}] {r.entry.title}",
            str(r.votes),
            percent(r.percent),
            "🏆" if r.winner else "",
        )
    Console(width=160).print(table)


def results_charts(outcome: ContestResults) -> list[bytes]:
    from core.contests.charts import contest_chart  # matplotlib loads only for --format png

    return [contest_chart(outcome)]


ContestBreakdown = ResultsBreakdown[ContestResults]


def _in_city_order(outcome: ContestResults, city: ContestResults) -> list[RankedEntry]:
    """The group's entries in the city's ranking order, so every group lines up."""
    by_id = {r.entry.id: r for r in outcome.ranked}
    return [by_id[r.entry.id] for r in city.ranked]


def breakdown_as_dict(breakdown: ContestBreakdown) -> dict[str, object]:
    city = breakdown.whole

    def entries(outcome: ContestResults) -> dict[str, object]:
        return {
            "entries": [
                {
                    "rank": r.rank,  # within this group's votes
                    "id": r.entry.id,
                    "title": r.entry.title,
                    "votes": r.votes,
                    "percent": r.percent,
                }
                for r in _in_city_order(outcome, city)
            ]
        }

    return {
        "campaign_id": city.contest.id,
        "kind": "contest",
        "title": city.contest.campaign.title,
        "by": breakdown.by.value,
        "groups": groups_as_dicts(breakdown, "voters", entries),
        "total": {
            k: v for k, v in results_as_dict(city).items() if k in ("voters", "winners", "entries")
        },
    }


def breakdown_as_csv(breakdown: ContestBreakdown) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([breakdown.by.value, "voters", "entry_id", "title", "votes", "percent"])
    for g in csv_rows(breakdown, breakdown.whole.voters):
        for r in _in_city_order(g.results, breakdown.whole):
            writer.writerow(
                [csv_key(g.key), g.counted, r.entry.id, r.entry.title, r.votes, r.percent]
            )
    return buffer.getvalue()


def print_breakdown(breakdown: ContestBreakdown) -> None:
    city = breakdown.whole
    table = columns_table(city.contest.campaign.title, breakdown)
    groups = [g.results for g in breakdown.groups] + [city]
    table.add_row(_("Voters"), *(str(r.voters) for r in groups))
    table.add_section()
    rows = [_in_city_order(r, city) for r in groups]
    for i, r in enumerate(city.ranked):
        label = f"{r.rank}. [{r.entry.id}] {r.entry.title}" + (" 🏆" if r.winner else "")
        table.add_row(label, *(cell(row[i].votes, row[i].percent) for row in rows))
    Console(width=160).print(table)


def breakdown_charts(breakdown: ContestBreakdown) -> list[bytes]:
    from core.campaigns.charts import Bar, bar_chart_png  # matplotlib only for --format png

    city = breakdown.whole
    return [
        bar_chart_png(
            chart_title(city.contest.campaign.title, breakdown, g),
            [
                Bar(r.entry.title, r.votes, r.percent, highlight=r.winner)
                for r in _in_city_order(g.results, city)
            ],
            caption=ngettext("{n} person voted", "{n} people voted", g.counted).format(n=g.counted),
        )
        for g in breakdown.groups
    ]


# --- what the shared commands and tables take from contests -----------------------------------


def _entry_status_text(p: Params) -> str:
    return _("entry {id} is {status}; it cannot become {target}").format(
        id=p.get("entry_id"),
        status=entry_status(p.get("status")),
        target=entry_status(p.get("target")),
    )


CLI_KIND = CliKind(
    kind=CampaignKind.CONTEST,
    name=N_("contest"),
    commands=(("contest", contest_cli),),
    participation={
        "contest_entries": N_("contest entries"),
        "contest_votes": N_("contest votes"),
    },
    enum_words=((EntryStatus, ENTRY_STATUS), (ContestPhase, CONTEST_PHASE)),
    audit_actions={
        "contest.approve": N_("approved a contest entry"),
        "contest.create": N_("created a contest"),
        "contest.phase": N_("moved a contest to its next phase"),
        "contest.reject": N_("turned down a contest entry"),
    },
    audit_objects={"contest_entry": N_("contest entry")},
    push_kinds={
        "contest.opened": N_("new contest"),
        "contest.reminder": N_("contest reminder"),
        "contest.results": N_("contest closed"),
        "contest.winners": N_("contest winners"),
    },
    residents_only=(
        own(EntryLimitError),
        own(OwnEntryError),
        own(VoteLimitError),
        (WrongPhaseError, "submissions_closed"),
        (WrongPhaseError, "voting_not_open"),
        (ValidationError, "entry_not_approved"),
    ),
    error_texts={
        own(EntryNotFoundError): lambda p: _("there is no contest entry with id {id}").format(
            id=p.get("entry_id")
        ),
        (InvalidTransitionError, "entry_status"): _entry_status_text,
        (ValidationError, "phases_out_of_order"): FILE_PROBLEMS["phases_out_of_order"],
    },
    details=KindDetails(details, print_details),
    results=KindResults(
        load=load_results,
        as_dict=results_as_dict,
        as_csv=results_as_csv,
        print_table=print_results,
        charts=results_charts,
    ),
    breakdown=KindBreakdownView(
        as_dict=breakdown_as_dict,
        as_csv=breakdown_as_csv,
        print_table=print_breakdown,
        charts=breakdown_charts,
    ),
)
