"""`spilno-admin open-data export`: campaigns as files anyone can recount with
`python tools/recount.py DIR` (README, "Open data")."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from admin_cli.context import EXIT_USAGE, CliError, Official, run_in_uow
from admin_cli.files import os_problem, write_bytes
from admin_cli.output import echo_audit_head
from admin_cli.params import id_value
from core.bootstrap import App
from core.kernel.i18n import _, ngettext
from core.kernel.unit_of_work import UnitOfWork
from core.trust import open_data

open_data_cli = typer.Typer(
    help="Open data: campaigns' ballots and results as files anyone can recount.",
    no_args_is_help=True,
)


@open_data_cli.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option(help="The folder to write to (one sub-folder per campaign).")
    ],
    campaign: Annotated[
        list[int] | None,
        typer.Option(
            "--campaign", parser=id_value, metavar="ID", help="A campaign id; repeat for more."
        ),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every campaign.")] = False,
) -> None:
    """Write campaign.json, ballots.csv or answers.csv, and manifest.json per campaign."""
    official: Official = ctx.obj
    if bool(campaign) == every:
        raise CliError(_("name the campaigns with --campaign ID, or use --all"), EXIT_USAGE)
    ids = None if every else sorted(set(campaign or []))

    async def work(app: App, uow: UnitOfWork) -> tuple[int, str]:
        exports, head = await open_data.export_campaigns(
            uow, ids, actor=official.name, now=app.clock()
        )
        # Written before the commit: a folder that cannot be written leaves no audit entry.
        for item in exports:
            folder = output / item.directory
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise CliError(
                    _("cannot write {path}: {problem}").format(
                        path=folder, problem=os_problem(error)
                    ),
                    EXIT_USAGE,
                ) from None
            for name, data in item.files.items():
                write_bytes(folder / name, data)
        return len(exports), head

    count, head = run_in_uow(work)
    typer.echo(
        ngettext(
            "{n} campaign exported to {path}.", "{n} campaigns exported to {path}.", count
        ).format(n=count, path=output)
    )
    typer.echo(_("Recount it anywhere with: python tools/recount.py {path}").format(path=output))
    echo_audit_head(head)
