"""`spilno-admin campaign …`: list, show, open, close, results."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from admin_cli import campaign_results, results_breakdown, words
from admin_cli.context import EXIT_USAGE, CliError, Official, city_moment, fail, run_in_uow
from admin_cli.kind import KindBreakdownView
from admin_cli.kinds import BY_KIND
from admin_cli.output import echo_audit_head, print_found
from admin_cli.params import id_argument
from core.audit import service as audit
from core.bootstrap import App
from core.campaigns import service as campaigns
from core.campaigns.breakdown import Breakdown, ResultsBreakdown
from core.campaigns.model import Campaign, CampaignStatus, ResultsVisibility
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork

campaign_cli = typer.Typer(
    help="Campaigns of every kind: lifecycle and results.", no_args_is_help=True
)


class ResultsFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    PNG = "png"


@campaign_cli.command("list")
def list_(
    status: Annotated[
        list[CampaignStatus] | None, typer.Option(help="Only these statuses; repeatable.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List campaigns, newest first."""

    async def work(_app: App, uow: UnitOfWork) -> list[Campaign]:
        return await campaigns.list_campaigns(uow, statuses=status or None)

    found = run_in_uow(work, commit=False)
    print_found(
        found,
        as_json=as_json,
        as_dict=_campaign_dict,
        nothing=_("No campaigns yet. Create one with: spilno-admin poll create …"),
        title=_("Campaigns"),
        headers=(
            _("ID"),
            _("Kind"),
            _("Status"),
            _("Title"),
            _("Opens"),
            _("Closes"),
            _("Who may take part"),
        ),
        row=lambda c: (
            str(c.id),
            words.kind(c.kind),
            words.status(c.status),
            c.title,
            words.when(c.opens_at),
            words.when(c.closes_at),
            words.eligibility(c.eligibility),
        ),
    )


def _campaign_dict(c: Campaign) -> dict[str, object]:
    return {
        "id": c.id,
        "kind": c.kind.value,
        "status": c.status.value,
        "title": c.title,
        "opens_at": c.opens_at.isoformat() if c.opens_at else None,
        "closes_at": c.closes_at.isoformat() if c.closes_at else None,
        "created_by": c.created_by,
        "eligible": c.eligibility.as_list(),
    }


@campaign_cli.command("show")
def show(
    campaign_id: Annotated[int, id_argument("Campaign id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one campaign with its options and how many have taken part."""

    async def work(app: App, uow: UnitOfWork) -> tuple[Campaign, dict[str, object]]:
        campaign = await campaigns.get_campaign(uow, campaign_id)
        found = await campaign_results.details(uow, campaign, app.clock())
        return campaign, found or {}

    campaign, details = run_in_uow(work, commit=False)
    # The header comes from the campaign itself: a kind's details need not carry its kind,
    # and their "status" may be the kind's own (a petition's), not the campaign's.
    if as_json:
        typer.echo(json.dumps(_campaign_dict(campaign) | details, ensure_ascii=False))
        return
    console = Console(width=160)
    title = details.get("question") or campaign.title
    console.print(f"[bold]#{campaign.id}[/bold] {escape(str(title))}")
    console.print(_("Kind: {kind}").format(kind=words.kind(campaign.kind)))
    console.print(_("Status: {status}").format(status=words.status(campaign.status)))
    for moment, label in ((campaign.opens_at, _("Opens")), (campaign.closes_at, _("Closes"))):
        if moment:
            console.print(f"{label}: {words.when(moment)}")
    console.print(_("Who may take part: {who}").format(who=words.eligibility(campaign.eligibility)))
    results = _results_line(details.get("results"))
    if results:
        console.print(_("Results: {visibility}").format(visibility=results))
    if details:
        campaign_results.print_details(console, campaign.kind, details)


def _results_line(value: object) -> str | None:
    """When residents see the results: a visibility code (polls, consultations) or the moment
    they are announced (a public budget's ISO date), in words; None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    if value in {v.value for v in ResultsVisibility}:
        return words.results_visibility(value)
    try:
        return words.when(datetime.fromisoformat(value))
    except ValueError:
        return None


@campaign_cli.command("open")
def open_(ctx: typer.Context, campaign_id: Annotated[int, id_argument("Campaign id.")]) -> None:
    """Open a draft or scheduled campaign now."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> Campaign:
        return await campaigns.open_campaign(uow, campaign_id, actor=official.name, now=app.clock())

    campaign = run_in_uow(work)
    typer.echo(_("Campaign {id} is open.").format(id=campaign.id))


@campaign_cli.command("edit")
def edit(
    ctx: typer.Context,
    campaign_id: Annotated[int, id_argument("Campaign id.")],
    opens: Annotated[
        str | None, typer.Option(help="New opening time, ISO 8601 in city time, or 'now'.")
    ] = None,
    closes: Annotated[
        str | None, typer.Option(help="New closing time, ISO 8601 in city time.")
    ] = None,
) -> None:
    """Change when a draft or scheduled campaign opens or closes (e.g. a passed closing time)."""
    official: Official = ctx.obj
    if opens is None and closes is None:
        fail(_("give --opens, --closes or both"), EXIT_USAGE)

    async def work(app: App, uow: UnitOfWork) -> Campaign:
        now = app.clock()
        opens_at = city_moment(app, opens, "--opens", now=now) if opens else None
        closes_at = city_moment(app, closes, "--closes", now=now) if closes else None
        return await campaigns.edit_window(
            uow, campaign_id, opens_at=opens_at, closes_at=closes_at, actor=official.name, now=now
        )

    campaign = run_in_uow(work)
    typer.echo(
        _("Campaign {id} is {status}: opens {opens}, closes {closes}.").format(
            id=campaign.id,
            status=words.status(campaign.status),
            opens=words.when(campaign.opens_at),
            closes=words.when(campaign.closes_at),
        )
    )


@campaign_cli.command("delete")
def delete(ctx: typer.Context, campaign_id: Annotated[int, id_argument("Campaign id.")]) -> None:
    """Delete a draft (never opened, so nothing residents did is lost). Audit-logged."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> Campaign:
        return await campaigns.delete_draft(uow, campaign_id, actor=official.name, now=app.clock())

    campaign = run_in_uow(work)
    typer.echo(_("Draft {id} «{title}» is deleted.").format(id=campaign.id, title=campaign.title))


@campaign_cli.command("close")
def close(ctx: typer.Context, campaign_id: Annotated[int, id_argument("Campaign id.")]) -> None:
    """Close an open campaign now."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> Campaign:
        return await campaigns.close_campaign(
            uow, campaign_id, actor=official.name, now=app.clock()
        )

    campaign = run_in_uow(work)
    typer.echo(_("Campaign {id} is closed.").format(id=campaign.id))


@campaign_cli.command("results")
def results_(
    ctx: typer.Context,
    campaign_id: Annotated[int, id_argument("Campaign id.")],
    fmt: Annotated[
        ResultsFormat, typer.Option("--format", help="Output format.")
    ] = ResultsFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option(help="Write to this file instead of the terminal.")
    ] = None,
    by: Annotated[
        Breakdown | None,
        typer.Option(
            help="Break the results (a poll, a contest, a consultation) down by the participants'"
            " home district or verification."
        ),
    ] = None,
    compare_rules: Annotated[
        bool,
        typer.Option(
            "--compare-rules",
            help="A public budget: the winners under every counting rule, side by side.",
        ),
    ] = False,
) -> None:
    """Results (officials see them at any time): table, JSON, CSV, or PNG charts (--output)."""
    official: Official = ctx.obj
    if by is not None:
        results_breakdown.emit(*_breakdown(official, campaign_id, by, fmt), fmt.value, output)
        return

    async def work(app: App, uow: UnitOfWork) -> tuple[campaign_results.Outcome, str]:
        now = app.clock()
        campaign = await campaigns.get_campaign(uow, campaign_id)
        outcome = await campaign_results.load(uow, campaign, now, compare=compare_rules)
        if outcome is None and compare_rules:
            raise CliError(
                _("campaign {id} is {kind}: it has one way of counting, nothing to compare").format(
                    id=campaign_id, kind=words.kind(campaign.kind)
                ),
                EXIT_USAGE,
            )
        if outcome is None:
            raise CliError(
                _("campaign {id} is {kind}: it has no results to show").format(
                    id=campaign_id, kind=words.kind(campaign.kind)
                )
            )
        head = await audit.record(
            uow,
            actor=official.name,
            action="campaign.results",
            object_type="campaign",
            object_id=campaign_id,
            now=now,
            after={"format": fmt.value, **({"compare_rules": True} if compare_rules else {})},
        )
        return outcome, head

    (renderer, outcome), head = run_in_uow(work)
    campaign_results.emit(renderer, outcome, fmt.value, output)
    echo_audit_head(head)  # on stderr: JSON and CSV on stdout stay machine-readable


def _breakdown(
    official: Official, campaign_id: int, by: Breakdown, fmt: ResultsFormat
) -> tuple[KindBreakdownView[Any], ResultsBreakdown[Any]]:
    async def work(
        app: App, uow: UnitOfWork
    ) -> tuple[KindBreakdownView[Any], ResultsBreakdown[Any], str]:
        now = app.clock()
        campaign = await campaigns.get_campaign(uow, campaign_id)
        kind = BY_KIND.get(campaign.kind)
        view = None if kind is None else kind.breakdown
        if view is None or not campaigns.has_breakdown(campaign):
            raise CliError(
                _(
                    "campaign {id} is {kind}: it has no tally to break down"
                    " (--by works for polls, contests and consultations)"
                ).format(id=campaign_id, kind=words.kind(campaign.kind)),
                EXIT_USAGE,
            )
        outcome = await campaigns.results_by(uow, campaign, by)
        head = await audit.record(
            uow,
            actor=official.name,
            action="campaign.results",
            object_type="campaign",
            object_id=campaign_id,
            now=now,
            after={"format": fmt.value, "by": by.value},
        )
        return view, outcome, head

    view, outcome, head = run_in_uow(work)
    echo_audit_head(head)  # on stderr: JSON and CSV on stdout stay machine-readable
    return view, outcome
