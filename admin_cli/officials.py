"""`spilno-admin officials …`: city-wide roles (city_admin, moderator)."""

from __future__ import annotations

from typing import Annotated

import typer

from admin_cli import words
from admin_cli.context import Official, run_in_uow
from admin_cli.output import echo_json, print_table
from core.bootstrap import App
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork
from core.officials import service as officials
from core.officials.model import Grant, Role, parse_city_role
from core.organizations import service as organizations

officials_cli = typer.Typer(help="Officials and their roles.", no_args_is_help=True)

_ROLE_NAMES = {Role.ORG_ADMIN: "admin", Role.ORG_EDITOR: "editor"}


@officials_cli.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The official's name (as in --as).")],
    role: Annotated[
        str, typer.Option(help="city_admin (everything) or moderator (ideas, reports).")
    ],
) -> None:
    """Give an official a city-wide role."""
    actor: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> bool:
        return await officials.grant_city_role(
            uow, actor=actor.name, official=name, role=parse_city_role(role), now=app.clock()
        )

    granted = run_in_uow(work)
    role_words = words.role(parse_city_role(role))
    if granted:
        typer.echo(_("{official} is now {role}.").format(official=name, role=role_words))
    else:
        typer.echo(_("{official} already was {role}.").format(official=name, role=role_words))


@officials_cli.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every official with their roles (organization roles name the organization)."""

    async def work(_app: App, uow: UnitOfWork) -> list[tuple[Grant, str | None]]:
        grants = await officials.list_grants(uow)
        orgs = await organizations.get_many(uow, [g.org_id for g in grants if g.org_id])
        return [(g, orgs[g.org_id].slug if g.org_id in orgs else None) for g in grants]

    rows = run_in_uow(work, commit=False)
    if as_json:
        data = [
            {"official": g.official, "role": _ROLE_NAMES.get(g.role, g.role.value), "org": slug}
            for g, slug in rows
        ]
        echo_json(data)
        return
    if not rows:
        typer.echo(
            _(
                "No roles yet: every official may do everything until a city admin is added "
                "(spilno-admin officials add NAME --role city_admin)."
            )
        )
        return
    print_table(
        _("Officials"),
        (_("Official"), _("Role"), _("Organization")),
        ((grant.official, words.role(grant.role), slug or words.NOTHING) for grant, slug in rows),
    )
