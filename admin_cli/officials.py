"""`spilno-admin officials …`: city-wide roles (city_admin, moderator), the installation's
operator (held in its own hromada: manages hromadas, issue 18) and officials' personal
tokens (issue 19): `add` prints a new official's token once, `token NAME --rotate|--revoke`."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

import typer

from admin_cli import words
from admin_cli.context import (
    EXIT_USAGE,
    CliError,
    Official,
    city_moment,
    fail,
    hromada_chosen,
    run_in_uow,
)
from admin_cli.output import echo_json, print_table
from core.bootstrap import App
from core.hromadas.scope import current_hromada_id
from core.kernel.i18n import _, ngettext
from core.kernel.unit_of_work import UnitOfWork
from core.officials import service as officials
from core.officials import tokens
from core.officials.model import Grant, Role, parse_official_role
from core.officials.token_model import IssuedToken, StoredToken
from core.organizations import service as organizations

officials_cli = typer.Typer(help="Officials and their roles.", no_args_is_help=True)

_ROLE_NAMES = {Role.ORG_ADMIN: "admin", Role.ORG_EDITOR: "editor"}


_EXPIRES_MAX_DAYS = 3650
_EXPIRES_IN_DAYS = re.compile(r"^\s*(\d{1,5})\s*d\s*$", re.IGNORECASE)
HromadaOption = Annotated[
    str | None,
    typer.Option(
        "--hromada", help="The hromada the token is for (its slug); default: the current one."
    ),
]
ExpiresOption = Annotated[
    str | None,
    typer.Option(
        help="When the token stops working: in N days (90d) or a date (2027-03-01); default: never."
    ),
]


@dataclass(frozen=True, slots=True)
class _Added:
    granted: bool
    issued: IssuedToken | None


@officials_cli.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The official's name (as in --as).")],
    role: Annotated[
        str,
        typer.Option(
            help="city_admin (everything), moderator (ideas, reports) or operator (the "
            "installation's: manages hromadas; in its own hromada only)."
        ),
    ],
    hromada: HromadaOption = None,
    expires: ExpiresOption = None,
) -> None:
    """Give an official a city-wide role and a personal token, printed once."""
    actor: Official = ctx.obj
    city_role = parse_official_role(role)

    async def work(app: App, uow: UnitOfWork) -> _Added:
        now = app.clock()
        hromada_id = current_hromada_id()
        # The token first: the first city admin ends open mode, and so the actor's right to
        # issue it, when there are no roles yet (it is checked once per call).
        issued = await tokens.issue(
            uow,
            actor=actor.name,
            official=name,
            role=city_role,
            hromada_id=hromada_id,
            now=now,
            expires_at=_expiry(app, expires, now),
        )
        granted = await officials.grant_city_role(
            uow, actor=actor.name, official=name, role=city_role, now=now
        )
        return _Added(granted, issued)

    with _scope(hromada):
        added = run_in_uow(work)
    role_words = words.role(city_role)
    if added.granted:
        typer.echo(_("{official} is now {role}.").format(official=name, role=role_words))
    else:
        typer.echo(_("{official} already was {role}.").format(official=name, role=role_words))
    if added.issued is None:
        typer.echo(
            _(
                "{official} already has a personal token; to replace it: "
                "spilno-admin officials token {official} --rotate"
            ).format(official=name)
        )
        return
    _show_token(added.issued)


@officials_cli.command("token")
def token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The official's name.")],
    rotate: Annotated[
        bool, typer.Option("--rotate", help="Issue a new token; the old one stops working.")
    ] = False,
    revoke: Annotated[bool, typer.Option("--revoke", help="The token stops working.")] = False,
    hromada: HromadaOption = None,
    expires: ExpiresOption = None,
) -> None:
    """Replace (--rotate) or revoke (--revoke) an official's personal token; alone, show it."""
    actor: Official = ctx.obj
    if rotate and revoke:
        fail(_("use either --rotate or --revoke, not both"), EXIT_USAGE)
    if expires is not None and not rotate:
        fail(_("--expires goes with --rotate (or officials add)"), EXIT_USAGE)

    async def work(app: App, uow: UnitOfWork) -> IssuedToken | int | list[StoredToken] | None:
        now = app.clock()
        hromada_id = current_hromada_id()
        if rotate:
            return await tokens.rotate(
                uow,
                actor=actor.name,
                official=name,
                hromada_id=hromada_id,
                now=now,
                expires_at=_expiry(app, expires, now),
            )
        if revoke:
            return await tokens.revoke(
                uow, actor=actor.name, official=name, hromada_id=hromada_id, now=now
            )
        return [t for t in await tokens.list_tokens(uow, hromada_id) if t.official == name]

    with _scope(hromada):
        done = run_in_uow(work, commit=rotate or revoke)
    if rotate:
        if not isinstance(done, IssuedToken):
            fail(
                _(
                    "{official} has no role to carry; give them one first: "
                    "spilno-admin officials add {official} --role …"
                ).format(official=name),
                EXIT_USAGE,
            )
            return
        typer.echo(_("The old token of {official} no longer works.").format(official=name))
        _show_token(done)
    elif revoke:
        assert isinstance(done, int)
        if done == 0:
            typer.echo(
                _("{official} has no working token; nothing to revoke.").format(official=name)
            )
        else:
            typer.echo(
                ngettext(
                    "Revoked {count} token of {official}: it no longer works.",
                    "Revoked {count} tokens of {official}: they no longer work.",
                    done,
                ).format(count=done, official=name)
            )
    else:
        assert isinstance(done, list)
        _print_tokens(name, done)


def _show_token(issued: IssuedToken) -> None:
    stored = issued.stored
    typer.echo(
        _(
            "Personal token of {official} ({role}). It is shown only now: pass it to them "
            "privately; Spilno keeps only its fingerprint."
        ).format(official=stored.official, role=words.role(stored.role))
    )
    typer.echo(issued.token)
    if stored.expires_at is None:
        typer.echo(
            _(
                "It does not expire; revoke it with: spilno-admin officials token {official} "
                "--revoke"
            ).format(official=stored.official)
        )
    else:
        typer.echo(_("It works until {when}.").format(when=words.when(stored.expires_at)))


def _print_tokens(name: str, found: list[StoredToken]) -> None:
    if not found:
        typer.echo(_("{official} has no personal token.").format(official=name))
        return
    print_table(
        _("Personal tokens of {official}").format(official=name),
        (_("ID"), _("Role"), _("Issued"), _("By"), _("Expires"), _("Revoked")),
        (
            (
                str(t.id),
                words.role(t.role),
                words.when(t.created_at),
                t.created_by,
                words.when(t.expires_at) if t.expires_at else _("never"),
                words.when(t.revoked_at) if t.revoked_at else words.NOTHING,
            )
            for t in found
        ),
    )


def _scope(slug: str | None) -> AbstractContextManager[None]:
    """`--hromada SLUG`: the command's unit of work opens in that hromada (as its roles and
    tokens are there); without it, in the current one."""
    if slug is None:
        return nullcontext()

    async def find(_app: App, uow: UnitOfWork) -> int | None:
        return await tokens.hromada_id_of(uow, slug.strip().lower())

    # Only the slug is looked up (the hromadas table, no one's rows): in the installation's
    # hromada, whichever the official works in.
    found = run_in_uow(find, commit=False, operator=True)
    if found is None:
        fail(_("there is no hromada {slug!r}").format(slug=slug), EXIT_USAGE)
        raise AssertionError("unreachable")
    return hromada_chosen(slug)


def _expiry(app: App, value: str | None, now: datetime) -> datetime | None:
    """`--expires`: in N days (90d) or a date and time in city time; it must be ahead."""
    if value is None:
        return None
    if match := _EXPIRES_IN_DAYS.match(value):
        days = int(match.group(1))
        if not 1 <= days <= _EXPIRES_MAX_DAYS:
            raise CliError(
                _("--expires: from 1 to {max} days (e.g. 90d)").format(max=_EXPIRES_MAX_DAYS),
                EXIT_USAGE,
            )
        return now + timedelta(days=days)
    moment = city_moment(app, value, "--expires", now=now)
    if moment <= now:
        raise CliError(_("--expires: {value!r} has already passed").format(value=value), EXIT_USAGE)
    return moment


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
