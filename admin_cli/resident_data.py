"""`spilno-admin residents export|forget IDENTITY`: answering a resident's request by letter
for their data, or to be forgotten (core/citizens/export.py, core/citizens/forget.py).
Registered on the `residents` group (admin_cli/residents.py) in admin_cli/app.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from admin_cli.context import EXIT_ERROR, Official, run_in_uow
from admin_cli.files import write_bytes
from core.bootstrap import App
from core.citizens import export, forget
from core.citizens.data_ports import ForgetCounts
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork


def export_command(
    ctx: typer.Context,
    identity: Annotated[str, typer.Argument(help="telegram:ID or viber:ID")],
    output: Annotated[Path, typer.Option(help="The JSON file to write.")],
) -> None:
    """Everything Spilno holds about one resident, as JSON (audit-logged)."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> int:
        now = app.clock()
        citizen_id = await forget.export_check(uow, identity, actor=official.name, now=now)
        document = await export.export_resident(uow, citizen_id, now=now)
        write_bytes(output, export.as_json_bytes(document))  # before the commit: no file, no log
        return sum(len(s["rows"]) for s in document["sections"])

    rows = run_in_uow(work)
    typer.echo(_("{n} records written to {path}.").format(n=rows, path=output))


def forget_command(
    ctx: typer.Context,
    identity: Annotated[str, typer.Argument(help="telegram:ID or viber:ID")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Delete a resident's data: votes in open campaigns are withdrawn, those in closed ones
    and public texts stay anonymous. Cannot be undone (audit-logged)."""
    official: Official = ctx.obj
    if not yes and not typer.confirm(
        _("Delete every record of {identity}? This cannot be undone.").format(identity=identity)
    ):
        typer.echo(_("Nothing was deleted."), err=True)
        raise typer.Exit(EXIT_ERROR)

    async def work(app: App, uow: UnitOfWork) -> ForgetCounts:
        return await forget.forget_by_official(
            uow,
            identity,
            actor=official.name,
            now=app.clock(),
            locale=app.settings.default_locale,
        )

    counts = run_in_uow(work)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "deleted": counts.deleted,
                    "withdrawn": counts.withdrawn,
                    "anonymized": counts.anonymized,
                }
            )
        )
        return
    typer.echo(
        _(
            "Forgotten: {deleted} records deleted, {withdrawn} withdrawn from campaigns still "
            "open, {anonymized} kept without the person (closed results, public texts)."
        ).format(
            deleted=sum(counts.deleted.values()),
            withdrawn=sum(counts.withdrawn.values()),
            anonymized=sum(counts.anonymized.values()),
        )
    )
