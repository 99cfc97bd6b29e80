"""`spilno-admin residents …`: how many residents, how verified, linked and where; one resident
by an identity. Officials see a masked phone at most, never the number."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from admin_cli import words
from admin_cli.context import Official, run_in_uow
from core.bootstrap import App
from core.citizens import residents
from core.citizens.model import ResidentCounts
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork

residents_cli = typer.Typer(
    help="Residents: counts and one resident's record.", no_args_is_help=True
)

_JSON = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@residents_cli.command("stats")
def stats(ctx: typer.Context, as_json: _JSON = False) -> None:
    """Residents by messenger, verification level, linked messengers and home district."""
    actor: Official = ctx.obj

    async def work(_app: App, uow: UnitOfWork) -> ResidentCounts:
        return await residents.stats(uow, actor=actor.name)

    counts = run_in_uow(work, commit=False)
    if as_json:
        data = {
            "total": counts.total,
            "by_platform": counts.by_platform,
            "by_level": counts.by_level,
            "linked": counts.linked,
            "by_district": {code or "not_set": n for code, n in _districts(counts)},
        }
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    table = Table(title=_("Residents: {n}").format(n=words.number(counts.total)))
    table.add_column(_("Group"))
    table.add_column(_("Residents"), justify="right")
    for platform, n in counts.by_platform.items():
        table.add_row(_("In {messenger}").format(messenger=_platform(platform)), words.number(n))
    table.add_row(_("In two or more messengers (linked)"), words.number(counts.linked))
    for level, n in counts.by_level.items():
        table.add_row(words.verification_level(level), words.number(n))
    for code, n in _districts(counts):
        name = words.district(code) if code else _("home district not set")
        table.add_row(_("Home district: {name}").format(name=name), words.number(n))
    Console(width=160).print(table)


@residents_cli.command("show")
def show(
    ctx: typer.Context,
    identity: Annotated[str, typer.Argument(help="telegram:ID or viber:ID")],
    as_json: _JSON = False,
) -> None:
    """One resident: masked phone, verification, home district, messengers, participation."""
    actor: Official = ctx.obj
    ref = residents.parse_identity(identity)

    async def work(app: App, uow: UnitOfWork) -> residents.ResidentView:
        return await residents.show(uow, ref, actor=actor.name, now=app.clock())

    view = run_in_uow(work)
    citizen = view.citizen
    taken = {table: n for table, n in view.participation.items() if n}
    if as_json:
        data: dict[str, Any] = {
            "citizen": citizen.id,
            "phone": citizen.phone_masked,
            "level": view.level.value,
            "verified_at": citizen.verified_at.isoformat() if citizen.verified_at else None,
            "home_district": citizen.home_district,
            "identities": [str(ref) for ref in view.identities],
            "participation": taken,
        }
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    lines = [
        _("Resident {id}").format(id=citizen.id),
        _("Phone: {phone}").format(phone=citizen.phone_masked or words.NOTHING),
        _("Verification: {level}").format(level=words.verification_level(view.level)),
        _("Verified on: {when}").format(when=words.when(citizen.verified_at)),
        _("Home district: {name}").format(
            name=words.district(citizen.home_district)
            if citizen.home_district
            else _("home district not set")
        ),
        _("Messengers: {identities}").format(
            identities=", ".join(str(ref) for ref in view.identities)
        ),
    ]
    if taken:
        lines.append(_("Took part in:"))
        lines += [f"  {words.participation(t)}: {words.number(n)}" for t, n in taken.items()]
    else:
        lines.append(_("Took part in: nothing yet"))
    typer.echo("\n".join(lines))


def _districts(counts: ResidentCounts) -> list[tuple[str | None, int]]:
    # Named districts first, "not set" last: it is the row officials act on.
    named = sorted((c, n) for c, n in counts.by_district.items() if c is not None)
    return [*named, (None, counts.by_district.get(None, 0))]


def _platform(code: str) -> str:
    return {"telegram": "Telegram", "viber": "Viber"}.get(code, code)
