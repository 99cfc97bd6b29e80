"""`spilno-admin contest …`: create from a YAML file, premoderate entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from admin_cli import words
from admin_cli.campaign_files import file_error
from admin_cli.context import EXIT_USAGE, Official, fail, run_in_uow
from admin_cli.files import read_text
from admin_cli.params import id_argument
from core.bootstrap import App
from core.contests import service as contests
from core.contests.model import Contest, Entry, EntryStatus
from core.contests.plan import parse_contest
from core.kernel.errors import CampaignFileError
from core.kernel.i18n import _, format_datetime
from core.kernel.unit_of_work import UnitOfWork

contest_cli = typer.Typer(
    help="Contests: residents submit solutions, then vote for them.", no_args_is_help=True
)


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


@contest_cli.command("create")
def create(
    ctx: typer.Context,
    file: Annotated[Path, typer.Option("--file", help="The contest, as YAML (see README).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Create a contest from a file. Prints its id; nothing is created if the file is wrong."""
    official: Official = ctx.obj
    text = read_text(file)

    async def work(app: App, uow: UnitOfWork) -> Contest:
        try:
            plan = parse_contest(text, tz=app.settings.tz)
        except CampaignFileError as error:
            raise file_error(file, error) from None
        return await contests.create_contest(uow, plan, actor=official.name, now=app.clock())

    contest = run_in_uow(work)
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


@contest_cli.command("entries")
def entries(
    contest_id: Annotated[int, id_argument("Contest id.")],
    status: Annotated[
        list[EntryStatus] | None, typer.Option(help="Only these statuses; repeatable.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List a contest's entries (pending ones wait for approve/reject)."""

    async def work(_app: App, uow: UnitOfWork) -> list[Entry]:
        return await contests.list_entries(uow, contest_id, statuses=status or None)

    found = run_in_uow(work, commit=False)
    if as_json:
        typer.echo(json.dumps([entry_as_dict(e) for e in found], ensure_ascii=False))
        return
    if not found:
        typer.echo(_("No entries."))
        return
    table = Table(title=_("Entries of contest {id}").format(id=contest_id))
    for header in (_("ID"), _("Status"), _("Title"), _("Description"), _("Photo")):
        table.add_column(header)
    for e in found:
        table.add_row(
            str(e.id),
            words.entry_status(e.status),
            e.title,
            e.description[:80],
            "📷" if e.photo_ref else "",
        )
    Console(width=160).print(table)


@contest_cli.command("approve")
def approve(ctx: typer.Context, entry_id: Annotated[int, id_argument("Entry id.")]) -> None:
    """Approve an entry: it can then receive votes."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> Entry:
        return await contests.moderate_entry(
            uow, entry_id, approve=True, actor=official.name, now=app.clock()
        )

    run_in_uow(work)
    typer.echo(_("Entry {id} is approved.").format(id=entry_id))


@contest_cli.command("reject")
def reject(
    ctx: typer.Context,
    entry_id: Annotated[int, id_argument("Entry id.")],
    reason: Annotated[str, typer.Option(help="Why, in words the author will understand.")],
) -> None:
    """Reject an entry with a reason."""
    official: Official = ctx.obj
    if not reason.strip():
        fail(_("--reason is empty"), EXIT_USAGE)

    async def work(app: App, uow: UnitOfWork) -> Entry:
        return await contests.moderate_entry(
            uow,
            entry_id,
            approve=False,
            actor=official.name,
            now=app.clock(),
            reason=reason.strip(),
        )

    run_in_uow(work)
    typer.echo(_("Entry {id} is rejected.").format(id=entry_id))
