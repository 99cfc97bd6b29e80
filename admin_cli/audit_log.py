"""`spilno-admin audit`: what officials did, newest first."""

from __future__ import annotations

from typing import Annotated

import typer

from admin_cli import words
from admin_cli.context import city_moment, run_in_uow
from admin_cli.output import echo_json, print_table
from admin_cli.params import limit_option
from core.audit import service as audit
from core.audit.model import AuditEntry
from core.bootstrap import App
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork


def audit_command(
    limit: Annotated[int, limit_option("How many entries.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    org: Annotated[
        str | None, typer.Option(help="Only actions on this organization (its slug).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only actions from then on, ISO 8601 in city time.")
    ] = None,
) -> None:
    """List the audit log: who did what, when."""

    async def work(app: App, uow: UnitOfWork) -> list[AuditEntry]:
        start = city_moment(app, since, "--since") if since else None
        return await audit.recent(
            uow, limit=limit, org=org.strip().lower() if org else None, since=start
        )

    entries = run_in_uow(work, commit=False)
    if as_json:
        rows = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "before": e.before,
                "after": e.after,
            }
            for e in entries
        ]
        echo_json(rows)
        return
    print_table(
        _("Audit log"),
        (_("When"), _("Who"), _("Action"), _("Object")),
        (
            (
                words.when(e.at),
                words.actor(e.actor),
                words.audit_action(e.action),
                words.audit_object(e.object_type, e.object_id),
            )
            for e in entries
        ),
    )
