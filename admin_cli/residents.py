"""`spilno-admin residents …`: how many residents, how verified, linked and where; one resident
by an identity. Officials see a masked phone at most, never the number."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from admin_cli import words
from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from core.citizens import residents
from core.citizens.model import VerificationLevel
from core.kernel.i18n import _

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

residents_cli = typer.Typer(
    help="Residents: counts and one resident's record.", no_args_is_help=True
)

_JSON = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@dataclass(frozen=True, slots=True)
class Counts:
    """core's ResidentCounts as it travels: districts as (code, residents) pairs, named
    districts first and "not set" (None) last (a JSON object's keys cannot be None)."""

    total: int
    by_platform: dict[str, int]
    by_level: dict[str, int]
    linked: int
    by_district: list[tuple[str | None, int]]


@action("residents.stats", commit=False)
async def stats_action(ctx: ActionContext, uow: UnitOfWork) -> Counts:
    """Residents by messenger, verification level, linked messengers and home district."""
    counts = await residents.stats(uow, actor=ctx.official)
    # Named districts first, "not set" last: it is the row officials act on.
    named = sorted((c, n) for c, n in counts.by_district.items() if c is not None)
    districts = [*named, (None, counts.by_district.get(None, 0))]
    return Counts(counts.total, counts.by_platform, counts.by_level, counts.linked, districts)


@residents_cli.command("stats")
def stats(as_json: _JSON = False) -> None:
    """Residents by messenger, verification level, linked messengers and home district."""
    counts = client().call(stats_action)
    if as_json:
        data = {
            "total": counts.total,
            "by_platform": counts.by_platform,
            "by_level": counts.by_level,
            "linked": counts.linked,
            "by_district": {code or "not_set": n for code, n in counts.by_district},
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
    for code, n in counts.by_district:
        name = words.district(code) if code else _("home district not set")
        table.add_row(_("Home district: {name}").format(name=name), words.number(n))
    Console(width=160).print(table)


@dataclass(frozen=True, slots=True)
class Resident:
    """One resident as an official sees them: a masked phone at most, never the number."""

    id: int
    phone_masked: str | None
    level: VerificationLevel
    verified_at: datetime | None
    home_district: str | None
    identities: list[str]  # telegram:ID, viber:ID
    participation: dict[str, int]  # participation table → rows, only those with any


@action("residents.show")
async def show_action(ctx: ActionContext, uow: UnitOfWork, *, identity: str) -> Resident:
    """One resident by an identity (telegram:ID or viber:ID): masked phone, verification, home
    district, messengers, participation (audit-logged)."""
    view = await residents.show(
        uow, residents.parse_identity(identity), actor=ctx.official, now=ctx.now()
    )
    citizen = view.citizen
    return Resident(
        id=citizen.id,
        phone_masked=citizen.phone_masked,
        level=view.level,
        verified_at=citizen.verified_at,
        home_district=citizen.home_district,
        identities=[str(ref) for ref in view.identities],
        participation={table: n for table, n in view.participation.items() if n},
    )


@residents_cli.command("show")
def show(
    identity: Annotated[str, typer.Argument(help="telegram:ID or viber:ID")],
    as_json: _JSON = False,
) -> None:
    """One resident: masked phone, verification, home district, messengers, participation."""
    residents.parse_identity(identity)  # a malformed one is refused before anything is sent
    view = client().call(show_action, identity=identity)
    taken = view.participation
    if as_json:
        data: dict[str, Any] = {
            "citizen": view.id,
            "phone": view.phone_masked,
            "level": view.level.value,
            "verified_at": view.verified_at.isoformat() if view.verified_at else None,
            "home_district": view.home_district,
            "identities": view.identities,
            "participation": taken,
        }
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    lines = [
        _("Resident {id}").format(id=view.id),
        _("Phone: {phone}").format(phone=view.phone_masked or words.NOTHING),
        _("Verification: {level}").format(level=words.verification_level(view.level)),
        _("Verified on: {when}").format(when=words.when(view.verified_at)),
        _("Home district: {name}").format(
            name=words.district(view.home_district)
            if view.home_district
            else _("home district not set")
        ),
        _("Messengers: {identities}").format(identities=", ".join(view.identities)),
    ]
    if taken:
        lines.append(_("Took part in:"))
        lines += [f"  {words.participation(t)}: {words.number(n)}" for t, n in taken.items()]
    else:
        lines.append(_("Took part in: nothing yet"))
    typer.echo("\n".join(lines))


def _platform(code: str) -> str:
    return {"telegram": "Telegram", "viber": "Viber"}.get(code, code)
