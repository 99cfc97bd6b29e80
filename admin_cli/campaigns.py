"""`spilno-admin campaign …`: list, show, open, close, results."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from admin_cli import campaign_results, words
from admin_cli.context import EXIT_USAGE, Official, city_moment, fail, run_in_uow
from admin_cli.files import write_text
from admin_cli.output import print_found
from admin_cli.params import id_argument
from admin_cli.polls import poll_as_dict
from core.audit import service as audit
from core.bootstrap import App
from core.campaigns import results
from core.campaigns import service as campaigns
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork
from core.polls import service as polls
from core.polls.model import PollResults

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
        headers=(_("ID"), _("Kind"), _("Status"), _("Title"), _("Opens"), _("Closes")),
        row=lambda c: (
            str(c.id),
            words.kind(c.kind),
            words.status(c.status),
            c.title,
            words.when(c.opens_at),
            words.when(c.closes_at),
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
    }


@campaign_cli.command("show")
def show(
    campaign_id: Annotated[int, id_argument("Campaign id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one campaign with its options and how many have taken part."""

    async def work(app: App, uow: UnitOfWork) -> tuple[dict[str, object], PollResults | None]:
        campaign = await campaigns.get_campaign(uow, campaign_id)
        if campaign.kind != CampaignKind.POLL:
            return (await campaign_results.details(uow, campaign)) or _campaign_dict(campaign), None
        poll = await polls.get_poll(uow, campaign_id)
        tally = await results.poll_results(uow, campaign_id, now=app.clock(), for_official=True)
        return poll_as_dict(poll) | {"voters": tally.voters}, tally

    data, _tally = run_in_uow(work, commit=False)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    console = Console(width=160)
    console.print(f"[bold]#{data['id']}[/bold] {data.get('question') or data.get('title')}")
    console.print(_("Kind: {kind}").format(kind=words.kind(data["kind"])))
    console.print(_("Status: {status}").format(status=words.status(data["status"])))
    for key, label in (("opens_at", _("Opens")), ("closes_at", _("Closes"))):
        if data.get(key):
            console.print(f"{label}: {words.when(str(data[key]))}")
    if data.get("results"):
        console.print(
            _("Results: {visibility}").format(visibility=words.results_visibility(data["results"]))
        )
    if "options" in data:
        console.print(_("Choices per resident: {n}").format(n=data["max_choices"]))
        for option in data["options"]:  # type: ignore[attr-defined]
            console.print(f"  [{option['id']}] {option['label']}")
        console.print(_("Voters so far: {n}").format(n=data["voters"]))
    campaign_results.print_details(console, data)


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
) -> None:
    """Results (officials see them at any time): table, JSON, CSV, or PNG charts (--output)."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> PollResults | campaign_results.KindResults:
        now = app.clock()
        campaign = await campaigns.get_campaign(uow, campaign_id)
        if campaign.kind != CampaignKind.POLL:
            outcome: PollResults | campaign_results.KindResults = await campaign_results.load(
                uow, campaign, now
            )
        else:
            outcome = await results.poll_results(uow, campaign_id, now=now, for_official=True)
        await audit.record(
            uow,
            actor=official.name,
            action="campaign.results",
            object_type="campaign",
            object_id=campaign_id,
            now=now,
            after={"format": fmt.value},
        )
        return outcome

    outcome = run_in_uow(work)
    if not isinstance(outcome, PollResults):
        campaign_results.emit(outcome, fmt.value, output)
        return
    if fmt == ResultsFormat.PNG:
        campaign_results.write_png(outcome, output)
        return
    text = render_results(outcome, fmt)
    if output is not None:
        write_text(output, text)
        typer.echo(_("Results written to {path}").format(path=output), err=True)
    elif fmt == ResultsFormat.TABLE:
        _print_table(outcome)
    else:
        typer.echo(text, nl=False)


def results_as_dict(outcome: PollResults) -> dict[str, object]:
    return {
        "campaign_id": outcome.poll_id,
        "question": outcome.question,
        "voters": outcome.voters,
        "options": [
            {"id": r.option_id, "label": r.label, "votes": r.votes, "percent": r.percent}
            for r in outcome.options
        ],
    }


def render_results(outcome: PollResults, fmt: ResultsFormat) -> str:
    if fmt == ResultsFormat.JSON:
        return json.dumps(results_as_dict(outcome), ensure_ascii=False, indent=2) + "\n"
    if fmt == ResultsFormat.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["option_id", "option", "votes", "percent"])
        for r in outcome.options:
            writer.writerow([r.option_id, r.label, r.votes, r.percent])
        return buffer.getvalue()
    lines = [outcome.question, _("Voters: {n}").format(n=outcome.voters)]
    lines += [f"{r.label}\t{r.votes}\t{words.percent(r.percent)}%" for r in outcome.options]
    return "\n".join(lines) + "\n"


def _print_table(outcome: PollResults) -> None:
    table = Table(title=outcome.question, caption=_("Voters: {n}").format(n=outcome.voters))
    table.add_column(_("Option"))
    table.add_column(_("Votes"), justify="right")
    table.add_column("%", justify="right")
    table.add_column("")
    for r in outcome.options:
        table.add_row(r.label, str(r.votes), words.percent(r.percent), "█" * round(r.percent / 5))
    Console(width=160).print(table)
