"""`spilno-admin open-data export`: campaigns as files anyone can recount with
`python tools/recount.py DIR` (README, "Open data")."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from admin_cli.context import EXIT_USAGE, CliError
from admin_cli.files import os_problem, write_bytes
from admin_cli.output import echo_audit_head
from admin_cli.params import id_value
from core.kernel.i18n import _, ngettext
from core.trust import open_data

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

open_data_cli = typer.Typer(
    help="Open data: campaigns' ballots and results as files anyone can recount.",
    no_args_is_help=True,
)


@dataclass(frozen=True, slots=True)
class Folder:
    """One campaign's files: their names and contents, in the folder `name`."""

    name: str
    files: dict[str, bytes]


@dataclass(frozen=True, slots=True)
class Exported:
    folders: list[Folder]
    head: str  # the audit log's head, which records this export


@action("open-data.export")
async def export_action(
    ctx: ActionContext, uow: UnitOfWork, *, campaign_ids: list[int] | None = None
) -> Exported:
    """Campaigns' open data (None: every campaign): campaign.json, ballots.csv or answers.csv,
    and manifest.json per campaign, recountable with `python tools/recount.py DIR`."""
    exports, head = await open_data.export_campaigns(
        uow, campaign_ids, actor=ctx.official, now=ctx.now()
    )
    return Exported([Folder(item.directory, dict(item.files)) for item in exports], head)


@open_data_cli.command("export")
def export(
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
    if bool(campaign) == every:
        raise CliError(_("name the campaigns with --campaign ID, or use --all"), EXIT_USAGE)
    ids = None if every else sorted(set(campaign or []))
    # The folder is made before the export (and its audit entry): no folder, no log.
    created = not output.exists()
    _make_folder(output)
    try:
        exported = client().call(export_action, campaign_ids=ids)
    except BaseException:
        if created:  # nothing was exported: leave no empty folder behind
            with contextlib.suppress(OSError):
                output.rmdir()
        raise
    for item in exported.folders:
        folder = output / _plain_name(item.name)
        _make_folder(folder)
        for name, data in item.files.items():
            write_bytes(folder / _plain_name(name), data)
    count = len(exported.folders)
    typer.echo(
        ngettext(
            "{n} campaign exported to {path}.", "{n} campaigns exported to {path}.", count
        ).format(n=count, path=output)
    )
    typer.echo(_("Recount it anywhere with: python tools/recount.py {path}").format(path=output))
    echo_audit_head(exported.head)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CliError(
            _("cannot write {path}: {problem}").format(path=folder, problem=os_problem(error)),
            EXIT_USAGE,
        ) from None


def _plain_name(name: str) -> str:
    """A file or folder name the installation sent: one name, never a path elsewhere."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise CliError(
            _("the installation sent a file name that is not plain: {name!r}").format(name=name)
        )
    return name
