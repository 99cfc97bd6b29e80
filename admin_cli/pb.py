"""`spilno-admin pb …`: create a participatory budget from YAML, review proposals, report
milestones; its words, error texts, `campaign show` details and `campaign results` (by the
PB's rule, or both rules side by side with `--compare-rules`)."""

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
from admin_cli.files import read_limited, read_text
from admin_cli.kind import CliKind, KindDetails, KindResults, Params, Text, own
from admin_cli.output import print_found
from admin_cli.params import id_argument
from admin_cli.wording import lookup
from core.campaigns.model import Campaign, CampaignKind
from core.hromadas.taxonomy import N_
from core.kernel.errors import (
    CampaignFileError,
    InvalidTransitionError,
    ValidationError,
    WrongPhaseError,
)
from core.kernel.i18n import _, current_timezone, format_datetime, format_money
from core.pb import service as pbs
from core.pb.charts import pb_charts, pot_name
from core.pb.model import (
    ChoiceLimitError,
    EmptyBallotError,
    Milestone,
    OverBudgetError,
    ParticipatoryBudget,
    PbPhase,
    PbResults,
    PbRule,
    Progress,
    Project,
    ProjectNotFoundError,
    ProjectStatus,
    VotingStyle,
)
from core.pb.plan import parse_pb
from core.pb.service import IMAGE_MAX_BYTES

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

pb_cli = typer.Typer(
    help="Participatory budgets: residents propose projects and vote within budgets.",
    no_args_is_help=True,
)

PROJECT_STATUS: dict[str, str] = {
    ProjectStatus.SUBMITTED: N_("waiting for review"),
    ProjectStatus.ACCEPTED: N_("accepted"),
    ProjectStatus.REJECTED: N_("rejected"),
}
PB_PHASE: dict[str, str] = {
    PbPhase.SUBMISSION: N_("taking proposals"),
    PbPhase.REVIEW: N_("review"),
    PbPhase.VOTING: N_("voting"),
    PbPhase.RESULTS: N_("results (not announced yet)"),
    PbPhase.IMPLEMENTATION: N_("implementation"),
}
VOTING_STYLE: dict[str, str] = {
    VotingStyle.KNAPSACK: N_("knapsack (total cost within the budget)"),
    VotingStyle.APPROVAL: N_("approval (up to N projects)"),
}
PB_RULE: dict[str, str] = {
    PbRule.GREEDY: N_("greedy (most votes first)"),
    PbRule.EQUAL_SHARES: N_("Method of Equal Shares"),
}
PROGRESS: dict[str, str] = {
    Progress.PLANNED: N_("planned"),
    Progress.IN_PROGRESS: N_("in progress"),
    Progress.DONE: N_("done"),
    Progress.CANCELLED: N_("cancelled"),
}

# What can be wrong with a PB's file beyond what every campaign file shares.
FILE_PROBLEMS: dict[str, Text] = {
    "pb_phases_out_of_order": lambda p: _(
        "the dates must go in order: submission opens < submission closes ≤ voting opens "
        "< voting closes ≤ results"
    ),
    "pb_unknown_district": lambda p: _("{value} is not one of the city's districts").format(
        value=p.get("value")
    ),
    "pb_no_budget": lambda p: _("give a city budget, district budgets, or both"),
}


def project_status(code: object) -> str:
    return lookup(PROJECT_STATUS, code)


def pb_phase(code: object) -> str:
    return lookup(PB_PHASE, code)


def pb_as_dict(pb: ParticipatoryBudget) -> dict[str, object]:
    campaign = pb.campaign
    return {
        "id": pb.id,
        "kind": campaign.kind.value,
        "status": campaign.status.value,
        "phase": pb.phase.value,
        "title": campaign.title,
        "description": campaign.description,
        "submission": [
            campaign.opens_at.isoformat() if campaign.opens_at else None,
            pb.review_at.isoformat(),
        ],
        "voting": [
            pb.voting_opens_at.isoformat(),
            campaign.closes_at.isoformat() if campaign.closes_at else None,
        ],
        "results": pb.announce_at.isoformat(),
        "rule": pb.rule.value,
        "pots": [
            {"pot": p.code, "budget": p.budget, "style": p.style.value, "max": p.max_choices}
            for p in pb.pots
        ],
        "eligible": campaign.eligibility.as_list(),
    }


def project_as_dict(project: Project) -> dict[str, object]:
    return {
        "id": project.id,
        "pb_id": project.pb_id,
        "author_id": project.author_id,
        "pot": project.pot,
        "title": project.title,
        "description": project.description,
        "estimate": project.estimate,
        "cost": project.cost,
        "photo": project.photo_ref,
        "status": project.status.value,
        "reject_reason": project.reject_reason,
        "selected": project.selected,
        "progress": project.progress.value if project.progress else None,
        "created_at": project.created_at.isoformat(),
    }


@action("pb.create")
async def create_action(
    ctx: ActionContext, uow: UnitOfWork, *, text: str, file_name: str
) -> ParticipatoryBudget:
    """Create a public budget from its YAML file's text (`file_name` names the file in a wrong
    line's error); nothing is created if the file is wrong."""
    try:
        plan = parse_pb(text, tz=current_timezone())
    except CampaignFileError as error:
        raise file_error(file_name, error, FILE_PROBLEMS) from None
    return await pbs.create_pb(uow, plan, actor=ctx.official, now=ctx.now())


@pb_cli.command("create")
def create(
    file: Annotated[Path, typer.Option("--file", help="The public budget, as YAML (see README).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Create a public budget from a file. Prints its id; nothing is created if the file is wrong."""
    pb = client().call(create_action, text=read_text(file), file_name=str(file))
    if as_json:
        typer.echo(json.dumps(pb_as_dict(pb), ensure_ascii=False))
        return
    typer.echo(pb.id)
    typer.echo(
        _("Public budget {id} created; proposals open on {date}.").format(
            id=pb.id,
            date=format_datetime(pb.campaign.opens_at),  # type: ignore[arg-type]
        ),
        err=True,
    )


@action("pb.projects", commit=False)
async def projects_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    pb_id: int,
    statuses: list[ProjectStatus] | None = None,
) -> list[Project]:
    """A public budget's projects; only those in `statuses` when given."""
    return await pbs.list_projects(uow, pb_id, statuses=statuses or None)


@pb_cli.command("projects")
def projects(
    pb_id: Annotated[int, id_argument("Public budget id.")],
    status: Annotated[
        list[ProjectStatus] | None, typer.Option(help="Only these statuses; repeatable.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List a public budget's projects (those waiting for review: --status submitted)."""
    found = client().call(projects_action, pb_id=pb_id, statuses=status)
    print_found(
        found,
        as_json=as_json,
        as_dict=project_as_dict,
        nothing=_("No projects."),
        title=_("Projects of public budget {id}").format(id=pb_id),
        headers=(_("ID"), _("Status"), _("Where"), _("Cost"), _("Title"), _("Photo")),
        row=lambda p: (
            str(p.id),
            project_status(p.status),
            pot_name(p.pot),
            format_money(p.cost),
            p.title,
            "📷" if p.photo_ref else "",
        ),
    )


@action("pb.review")
async def review_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    project_id: int,
    accept: bool,
    cost: int | None = None,
    reason: str | None = None,
) -> Project:
    """Accept a proposal for the vote (optionally at a cost in hryvnias) or reject it with a
    reason; its author is told either way."""
    return await pbs.review_project(
        uow,
        project_id,
        accept=accept,
        actor=ctx.official,
        now=ctx.now(),
        cost=cost,
        reason=(reason or "").strip() or None,
    )


@pb_cli.command("review")
def review(
    project_id: Annotated[int, id_argument("Project id.")],
    accept: Annotated[bool, typer.Option("--accept", help="Put it on the ballot.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Keep it off the ballot.")] = False,
    cost: Annotated[
        int | None,
        typer.Option(min=1, help="With --accept: the cost on the ballot, in hryvnias."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="With --reject: why, in words the author will understand.")
    ] = None,
) -> None:
    """Accept a proposal for the vote (optionally at your cost estimate) or reject it with a
    reason. The author is told either way."""
    if accept == reject:
        fail(_("say --accept or --reject"), EXIT_USAGE)
    if reject and not (reason or "").strip():
        fail(_("--reject needs --reason"), EXIT_USAGE)
    if accept and reason is not None:
        fail(_("--reason goes with --reject"), EXIT_USAGE)
    if reject and cost is not None:
        fail(_("--cost goes with --accept"), EXIT_USAGE)
    project = client().call(
        review_action, project_id=project_id, accept=accept, cost=cost, reason=reason
    )
    if accept:
        typer.echo(
            _("Project {id} is on the ballot at {cost}.").format(
                id=project.id, cost=format_money(project.cost)
            )
        )
    else:
        typer.echo(_("Project {id} is rejected; its author is told why.").format(id=project.id))


def _is_photo(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")


@action("pb.milestone")
async def milestone_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    project_id: int,
    status: Progress,
    text: str,
    image: bytes | None = None,
) -> Milestone:
    """Report a winning project's progress, with a photo (PNG or JPEG) or none; its voters and
    its author are told."""
    if image is not None and not _is_photo(image):  # the client checked; the API trusts no one
        raise CliError(_("--image is not a PNG or JPEG photo"), EXIT_USAGE)
    return await pbs.add_milestone(
        uow, project_id, status=status, text=text, image=image, actor=ctx.official, now=ctx.now()
    )


@pb_cli.command("milestone")
def milestone(
    project_id: Annotated[int, id_argument("Project id (a winner).")],
    status: Annotated[Progress, typer.Option(help="in_progress, done or cancelled.")],
    text: Annotated[str, typer.Option(help="What happened, for residents.")],
    image: Annotated[Path | None, typer.Option(help="A photo (PNG or JPEG, at most 5 MB).")] = None,
) -> None:
    """Report a winning project's progress: its voters and its author are told."""
    if status == Progress.PLANNED:
        fail(_("--status: use in_progress, done or cancelled"), EXIT_USAGE)
    if not text.strip():
        fail(_("--text is empty"), EXIT_USAGE)
    data = None
    if image is not None:
        data = read_limited(image, max_bytes=IMAGE_MAX_BYTES, option="--image")
        if not _is_photo(data):
            fail(_("--image: {path} is not a PNG or JPEG photo").format(path=image), EXIT_USAGE)
    client().call(milestone_action, project_id=project_id, status=status, text=text, image=data)
    typer.echo(
        _("Milestone saved for project {id}; its voters and author are being told.").format(
            id=project_id
        )
    )


# --- campaign show / campaign results ---------------------------------------------------------


async def details(uow: UnitOfWork, campaign: Campaign, _now: datetime) -> dict[str, object]:
    pb = await pbs.get_pb(uow, campaign.id)
    found = await pbs.list_projects(uow, campaign.id)
    return pb_as_dict(pb) | {
        "projects": {s.value: sum(1 for p in found if p.status == s) for s in ProjectStatus},
    }


def print_details(console: Console, data: dict[str, Any]) -> None:
    console.print(_("Phase: {phase}").format(phase=pb_phase(data["phase"])))
    console.print(_("Counting rule: {rule}").format(rule=lookup(PB_RULE, data["rule"])))
    for pot in data["pots"]:
        style = lookup(VOTING_STYLE, pot["style"])
        if pot["max"]:
            style += f" · max {pot['max']}"
        console.print(f"  {pot_name(pot['pot'])}: {format_money(pot['budget'])} · {style}")
    console.print(
        _("Projects: {counts}").format(
            counts=", ".join(f"{project_status(s)} {n}" for s, n in data["projects"].items())
        )
    )


async def load_results(uow: UnitOfWork, pb_id: int, now: datetime) -> PbResults:
    return await pbs.results(uow, pb_id, now=now, for_official=True)


def results_as_dict(outcome: PbResults) -> dict[str, object]:
    return {
        "campaign_id": outcome.pb.id,
        "kind": "pb",
        "title": outcome.pb.campaign.title,
        "rule": outcome.pb.rule.value,
        "phase": outcome.pb.phase.value,
        "voters": outcome.voters,
        "pots": [
            {
                "pot": pot.pot.code,
                "budget": pot.pot.budget,
                "style": pot.pot.style.value,
                "voters": pot.voters,
                "spent": {rule.value: pot.spent(rule) for rule in PbRule},
                "projects": [
                    {
                        "id": r.project.id,
                        "title": r.project.title,
                        "cost": r.project.cost,
                        "votes": r.votes,
                        "winner": {
                            rule.value: r.project.id in pot.winners[rule] for rule in PbRule
                        },
                    }
                    for r in pot.ranked
                ],
            }
            for pot in outcome.pots
        ],
    }


def results_as_csv(outcome: PbResults) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["pot", "project_id", "title", "cost", "votes", "greedy", "equal_shares"])
    for pot in outcome.pots:
        for r in pot.ranked:
            writer.writerow(
                [
                    pot.pot.code,
                    r.project.id,
                    r.project.title,
                    r.project.cost,
                    r.votes,
                    r.project.id in pot.winners[PbRule.GREEDY],
                    r.project.id in pot.winners[PbRule.EQUAL_SHARES],
                ]
            )
    return buffer.getvalue()


def _print(outcome: PbResults, rules: tuple[PbRule, ...]) -> None:
    console = Console(width=160)
    for pot in outcome.pots:
        caption = " · ".join(
            [_("Voters: {n}").format(n=pot.voters)]
            + [
                _("{rule}: {spent} of {budget}").format(
                    rule=lookup(PB_RULE, rule),
                    spent=format_money(pot.spent(rule)),
                    budget=format_money(pot.pot.budget),
                )
                for rule in rules
            ]
        )
        table = Table(
            title=f"{outcome.pb.campaign.title} — {pot_name(pot.pot.code)}", caption=caption
        )
        for header in (_("Project"), _("Cost"), _("Votes"), *(lookup(PB_RULE, r) for r in rules)):
            table.add_column(header)
        for r in pot.ranked:
            table.add_row(
                f"[{r.project.id}] {r.project.title}",
                format_money(r.project.cost),
                str(r.votes),
                *("🏆" if r.project.id in pot.winners[rule] else "" for rule in rules),
            )
        console.print(table)


def print_results(outcome: PbResults) -> None:
    _print(outcome, (outcome.pb.rule,))


def print_comparison(outcome: PbResults) -> None:
    _print(outcome, tuple(PbRule))


def results_charts(outcome: PbResults) -> list[bytes]:
    return pb_charts(outcome)


RESULTS = KindResults(
    load=load_results,
    as_dict=results_as_dict,
    as_csv=results_as_csv,
    print_table=print_results,
    charts=results_charts,
)


# --- what the shared commands and tables take from participatory budgets ----------------------


def _project_status_text(p: Params) -> str:
    return _("project {id} is {status}; it cannot become {target}").format(
        id=p.get("project_id"),
        status=project_status(p.get("status")),
        target=project_status(p.get("target")),
    )


CLI_KIND = CliKind(
    kind=CampaignKind.PB,
    name=N_("public budget"),
    commands=(("pb", pb_cli),),
    participation={
        "pb_projects": N_("public budget projects"),
        "pb_ballots": N_("public budget ballots"),
    },
    enum_words=(
        (ProjectStatus, PROJECT_STATUS),
        (PbPhase, PB_PHASE),
        (VotingStyle, VOTING_STYLE),
        (PbRule, PB_RULE),
        (Progress, PROGRESS),
    ),
    audit_actions={
        "pb.accept": N_("accepted a public budget project"),
        "pb.create": N_("created a public budget"),
        "pb.milestone": N_("reported a public budget project's progress"),
        "pb.phase": N_("moved a public budget to its next phase"),
        "pb.reject": N_("rejected a public budget project"),
        "pb.winners": N_("announced a public budget's winners"),
    },
    audit_objects={"pb_project": N_("public budget project")},
    push_kinds={
        "pb.opened": N_("new public budget"),
        "pb.reminder": N_("public budget reminder"),
        "pb.results": N_("public budget closed"),
        "pb.reviewed": N_("public budget project reviewed"),
        "pb.winners": N_("public budget winners"),
        "pb.milestone": N_("public budget project progress"),
    },
    residents_only=(
        own(OverBudgetError),
        own(ChoiceLimitError),
        own(EmptyBallotError),
        (WrongPhaseError, "pb_submission_closed"),
        (WrongPhaseError, "pb_voting_not_open"),
        (ValidationError, "pb_project_not_on_ballot"),
        (ValidationError, "pb_unknown_pot"),
    ),
    error_texts={
        own(ProjectNotFoundError): lambda p: _(
            "there is no public budget project with id {id}"
        ).format(id=p.get("project_id")),
        (InvalidTransitionError, "pb_project_status"): _project_status_text,
        (InvalidTransitionError, "pb_review_closed"): lambda p: _(
            "project {id} can no longer be reviewed: the public budget is at {phase}"
        ).format(id=p.get("project_id"), phase=pb_phase(p.get("phase"))),
        (InvalidTransitionError, "pb_not_a_winner"): lambda p: _(
            "project {id} did not win (or the winners are not announced yet): it has no milestones"
        ).format(id=p.get("project_id")),
        (InvalidTransitionError, "pb_progress_final"): lambda p: _(
            "project {id} is already {progress}: no more milestones"
        ).format(id=p.get("project_id"), progress=lookup(PROGRESS, p.get("progress"))),
        (ValidationError, "pb_phases_out_of_order"): FILE_PROBLEMS["pb_phases_out_of_order"],
        (ValidationError, "pb_reason_missing"): lambda p: _("--reject needs --reason"),
        (ValidationError, "pb_reason_on_accept"): lambda p: _("--reason goes with --reject"),
        (ValidationError, "pb_cost_on_reject"): lambda p: _("--cost goes with --accept"),
        (ValidationError, "pb_bad_cost"): lambda p: _(
            "the cost must be a whole number of hryvnias, from 1 to {max}"
        ).format(max=p.get("max")),
        (ValidationError, "pb_milestone_empty"): lambda p: _("--text is empty"),
        (ValidationError, "pb_bad_progress"): lambda p: _(
            "--status: use in_progress, done or cancelled"
        ),
        (ValidationError, "pb_image_too_large"): lambda p: _("--image is larger than 5 MB"),
    },
    details=KindDetails(details, print_details),
    results=RESULTS,
    compare=KindResults(
        load=load_results,
        as_dict=results_as_dict,
        as_csv=results_as_csv,
        print_table=print_comparison,
        charts=results_charts,
    ),
)
