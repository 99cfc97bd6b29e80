"""`spilno-admin residents export|forget IDENTITY`: answering a resident's request by letter
for their data, or to be forgotten (core/citizens/export.py, core/citizens/forget.py).
Registered on the `residents` group (admin_cli/residents.py) in admin_cli/app.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from admin_cli.context import EXIT_ERROR
from admin_cli.files import writable_first, write_bytes
from core.citizens import export, forget
from core.citizens.data_ports import ForgetCounts
from core.kernel.i18n import _

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Exported:
    document: bytes  # the JSON file, as written
    rows: int


@action("residents.export")
async def export_action(ctx: ActionContext, uow: UnitOfWork, *, identity: str) -> Exported:
    """Everything Spilno holds about one resident (telegram:ID or viber:ID), as a JSON
    document (audit-logged)."""
    now = ctx.now()
    citizen_id = await forget.export_check(uow, identity, actor=ctx.official, now=now)
    document = await export.export_resident(uow, citizen_id, now=now)
    rows = sum(len(s["rows"]) for s in document["sections"])
    return Exported(export.as_json_bytes(document), rows)


def export_command(
    identity: Annotated[str, typer.Argument(help="telegram:ID or viber:ID")],
    output: Annotated[Path, typer.Option(help="The JSON file to write.")],
) -> None:
    """Everything Spilno holds about one resident, as JSON (audit-logged)."""
    # The file must be writable before the export is made (and logged): no file, no log.
    with writable_first(output):
        exported = client().call(export_action, identity=identity)
    write_bytes(output, exported.document)
    typer.echo(_("{n} records written to {path}.").format(n=exported.rows, path=output))


@action("residents.forget")
async def forget_action(ctx: ActionContext, uow: UnitOfWork, *, identity: str) -> ForgetCounts:
    """Delete a resident's data (telegram:ID or viber:ID): votes in open campaigns are
    withdrawn, those in closed ones and public texts stay anonymous. Cannot be undone
    (audit-logged)."""
    return await forget.forget_by_official(
        uow,
        identity,
        actor=ctx.official,
        now=ctx.now(),
        locale=ctx.app.settings.default_locale,
    )


def forget_command(
    identity: Annotated[str, typer.Argument(help="telegram:ID or viber:ID")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Delete a resident's data: votes in open campaigns are withdrawn, those in closed ones
    and public texts stay anonymous. Cannot be undone (audit-logged)."""
    if not yes and not typer.confirm(
        _("Delete every record of {identity}? This cannot be undone.").format(identity=identity)
    ):
        typer.echo(_("Nothing was deleted."), err=True)
        raise typer.Exit(EXIT_ERROR)

    counts = client().call(forget_action, identity=identity)
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
