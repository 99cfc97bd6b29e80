"""`spilno-admin campaign …`: list, show, open, close, results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from admin_cli import words
from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from admin_cli.context import EXIT_USAGE, CliError, city_moment, fail
from admin_cli.output import echo_audit_head, print_found
from admin_cli.params import id_argument
from admin_cli.rendered import Rendered
from core.campaigns.breakdown import Breakdown
from core.campaigns.model import Campaign, CampaignStatus, ResultsVisibility
from core.kernel.i18n import _
from core.kernel.lazy import lazy

if TYPE_CHECKING:
    from admin_cli import campaign_results
    from core.audit import service as audit
    from core.campaigns import service as campaigns
    from core.kernel.unit_of_work import UnitOfWork
else:  # loaded where an action runs: a remote command needs neither; nor `list` every kind's
    campaign_results = lazy("admin_cli.campaign_results")  # details and renderers
    audit = lazy("core.audit.service")
    campaigns = lazy("core.campaigns.service")

campaign_cli = typer.Typer(
    help="Campaigns of every kind: lifecycle and results.", no_args_is_help=True
)


class ResultsFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    PNG = "png"


@action("campaign.list", commit=False)
async def list_action(
    ctx: ActionContext, uow: UnitOfWork, *, statuses: list[CampaignStatus] | None = None
) -> list[Campaign]:
    """Campaigns, newest first; only those in `statuses` when given."""
    return await campaigns.list_campaigns(uow, statuses=statuses or None)


@campaign_cli.command("list")
def list_(
    status: Annotated[
        list[CampaignStatus] | None, typer.Option(help="Only these statuses; repeatable.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List campaigns, newest first."""
    found = client().call(list_action, statuses=status)
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


@dataclass(frozen=True, slots=True)
class Shown:
    campaign: Campaign
    details: dict[str, Any]  # the kind's own (admin_cli/kind.py KindDetails), JSON as --json


@action("campaign.show", commit=False)
async def show_action(ctx: ActionContext, uow: UnitOfWork, *, campaign_id: int) -> Shown:
    """One campaign with its kind's details (options, questions, how many took part)."""
    campaign = await campaigns.get_campaign(uow, campaign_id)
    found = await campaign_results.details(uow, campaign, ctx.now())
    return Shown(campaign, found or {})


@campaign_cli.command("show")
def show(
    campaign_id: Annotated[int, id_argument("Campaign id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one campaign with its options and how many have taken part."""
    shown = client().call(show_action, campaign_id=campaign_id)
    campaign, details = shown.campaign, shown.details
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


@action("campaign.open")
async def open_action(ctx: ActionContext, uow: UnitOfWork, *, campaign_id: int) -> Campaign:
    """Open a draft or scheduled campaign now."""
    return await campaigns.open_campaign(uow, campaign_id, actor=ctx.official, now=ctx.now())


@campaign_cli.command("open")
def open_(campaign_id: Annotated[int, id_argument("Campaign id.")]) -> None:
    """Open a draft or scheduled campaign now."""
    campaign = client().call(open_action, campaign_id=campaign_id)
    typer.echo(_("Campaign {id} is open.").format(id=campaign.id))


@action("campaign.edit")
async def edit_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    campaign_id: int,
    opens: str | None = None,
    closes: str | None = None,
) -> Campaign:
    """Change when a draft or scheduled campaign opens or closes (times as officials type
    them: ISO 8601 in the hromada's time, or "now")."""
    now = ctx.now()
    opens_at = city_moment(ctx.app, opens, "--opens", now=now) if opens else None
    closes_at = city_moment(ctx.app, closes, "--closes", now=now) if closes else None
    return await campaigns.edit_window(
        uow, campaign_id, opens_at=opens_at, closes_at=closes_at, actor=ctx.official, now=now
    )


@campaign_cli.command("edit")
def edit(
    campaign_id: Annotated[int, id_argument("Campaign id.")],
    opens: Annotated[
        str | None, typer.Option(help="New opening time, ISO 8601 in city time, or 'now'.")
    ] = None,
    closes: Annotated[
        str | None, typer.Option(help="New closing time, ISO 8601 in city time.")
    ] = None,
) -> None:
    """Change when a draft or scheduled campaign opens or closes (e.g. a passed closing time)."""
    if opens is None and closes is None:
        fail(_("give --opens, --closes or both"), EXIT_USAGE)
    campaign = client().call(edit_action, campaign_id=campaign_id, opens=opens, closes=closes)
    typer.echo(
        _("Campaign {id} is {status}: opens {opens}, closes {closes}.").format(
            id=campaign.id,
            status=words.status(campaign.status),
            opens=words.when(campaign.opens_at),
            closes=words.when(campaign.closes_at),
        )
    )


@action("campaign.delete")
async def delete_action(ctx: ActionContext, uow: UnitOfWork, *, campaign_id: int) -> Campaign:
    """Delete a draft (never opened, so nothing residents did is lost). Audit-logged."""
    return await campaigns.delete_draft(uow, campaign_id, actor=ctx.official, now=ctx.now())


@campaign_cli.command("delete")
def delete(campaign_id: Annotated[int, id_argument("Campaign id.")]) -> None:
    """Delete a draft (never opened, so nothing residents did is lost). Audit-logged."""
    campaign = client().call(delete_action, campaign_id=campaign_id)
    typer.echo(_("Draft {id} «{title}» is deleted.").format(id=campaign.id, title=campaign.title))


@action("campaign.close")
async def close_action(ctx: ActionContext, uow: UnitOfWork, *, campaign_id: int) -> Campaign:
    """Close an open campaign now."""
    return await campaigns.close_campaign(uow, campaign_id, actor=ctx.official, now=ctx.now())


@campaign_cli.command("close")
def close(campaign_id: Annotated[int, id_argument("Campaign id.")]) -> None:
    """Close an open campaign now."""
    campaign = client().call(close_action, campaign_id=campaign_id)
    typer.echo(_("Campaign {id} is closed.").format(id=campaign.id))


@action("campaign.results")
async def results_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    campaign_id: int,
    fmt: ResultsFormat = ResultsFormat.TABLE,
    to_file: bool = False,
    by: Breakdown | None = None,
    compare_rules: bool = False,
) -> Rendered:
    """A campaign's results in a format (officials see them at any time; audit-logged): the
    table as printed, CSV, JSON, or PNG charts; `by`: per home district or verification;
    `compare_rules`: a public budget's winners under every counting rule."""
    now = ctx.now()
    campaign = await campaigns.get_campaign(uow, campaign_id)
    if by is not None:
        from admin_cli.kinds import BY_KIND

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
        from admin_cli import results_breakdown

        breakdown = await campaigns.results_by(uow, campaign, by)
        head = await _record_results(ctx, uow, campaign_id, {"format": fmt.value, "by": by.value})
        return results_breakdown.render(view, breakdown, fmt.value, to_file=to_file, head=head)
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
    head = await _record_results(
        ctx,
        uow,
        campaign_id,
        {"format": fmt.value, **({"compare_rules": True} if compare_rules else {})},
    )
    renderer, found = outcome
    return campaign_results.render_results(renderer, found, fmt.value, to_file=to_file, head=head)


async def _record_results(
    ctx: ActionContext, uow: UnitOfWork, campaign_id: int, after: dict[str, object]
) -> str:
    return await audit.record(
        uow,
        actor=ctx.official,
        action="campaign.results",
        object_type="campaign",
        object_id=campaign_id,
        now=ctx.now(),
        after=after,
    )


@campaign_cli.command("results")
def results_(
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
    if fmt is ResultsFormat.PNG and output is None:
        fail(_("--format png needs --output FILE.png"), EXIT_USAGE)
    rendered = client().call(
        results_action,
        campaign_id=campaign_id,
        fmt=fmt,
        to_file=output is not None,
        by=by,
        compare_rules=compare_rules,
    )
    campaign_results.emit(rendered, output, numbered=by is not None)
    echo_audit_head(rendered.head)  # on stderr: JSON and CSV on stdout stay machine-readable
