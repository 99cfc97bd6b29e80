"""`spilno-admin officials …`: city-wide roles (city_admin, moderator), the installation's
operator (held in its own hromada: manages hromadas, issue 18) and officials' personal
tokens (issue 19): `add` prints a new official's token once, `token NAME --rotate|--revoke`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from admin_cli import words
from admin_cli.actions import ActionContext, action
from admin_cli.client import Client, HttpClient, client
from admin_cli.context import EXIT_USAGE, CliError, city_moment, fail, hromada_chosen
from admin_cli.output import echo_json, print_table
from core.hromadas.scope import current_hromada_id
from core.kernel.i18n import _, ngettext
from core.officials import service as officials
from core.officials import tokens
from core.officials.model import Role, parse_official_role
from core.officials.token_model import IssuedToken, StoredToken
from core.organizations import service as organizations

if TYPE_CHECKING:
    from core.bootstrap import App
    from core.kernel.unit_of_work import UnitOfWork

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
class Added:
    granted: bool
    issued: IssuedToken | None  # None: the official already has a working token


@action("officials.add")
async def add_action(
    ctx: ActionContext, uow: UnitOfWork, *, name: str, role: str, expires: str | None = None
) -> Added:
    """Give an official a city-wide role (city_admin, moderator, operator) and a personal token
    (shown once); `expires`: in N days (90d) or a date in the hromada's time."""
    city_role = parse_official_role(role)  # never an organization's role, whoever asks
    now = ctx.now()
    # The token first: the first city admin ends open mode, and so the actor's right to
    # issue it, when there are no roles yet (it is checked once per call).
    issued = await tokens.issue(
        uow,
        actor=ctx.official,
        official=name,
        role=city_role,
        hromada_id=current_hromada_id(),
        now=now,
        expires_at=_expiry(ctx.app, expires, now),
    )
    granted = await officials.grant_city_role(
        uow, actor=ctx.official, official=name, role=city_role, now=now
    )
    return Added(granted, issued)


@officials_cli.command("add")
def add(
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
    city_role = parse_official_role(role)  # a typo is refused before anything is looked up
    with _in_hromada(hromada) as chosen:
        added = chosen.call(add_action, name=name, role=role, expires=expires)
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


@action("officials.token.show", commit=False)
async def tokens_action(ctx: ActionContext, uow: UnitOfWork, *, name: str) -> list[StoredToken]:
    """An official's personal tokens as stored (never the tokens themselves)."""
    return [t for t in await tokens.list_tokens(uow, current_hromada_id()) if t.official == name]


@action("officials.token.rotate")
async def rotate_action(
    ctx: ActionContext, uow: UnitOfWork, *, name: str, expires: str | None = None
) -> IssuedToken | None:
    """Issue an official a new personal token (shown once); the old one stops working. None:
    the official holds no role for a token to carry."""
    now = ctx.now()
    return await tokens.rotate(
        uow,
        actor=ctx.official,
        official=name,
        hromada_id=current_hromada_id(),
        now=now,
        expires_at=_expiry(ctx.app, expires, now),
    )


@action("officials.token.revoke")
async def revoke_action(ctx: ActionContext, uow: UnitOfWork, *, name: str) -> int:
    """Revoke an official's personal tokens; how many were working."""
    return await tokens.revoke(
        uow, actor=ctx.official, official=name, hromada_id=current_hromada_id(), now=ctx.now()
    )


@officials_cli.command("token")
def token(
    name: Annotated[str, typer.Argument(help="The official's name.")],
    rotate: Annotated[
        bool, typer.Option("--rotate", help="Issue a new token; the old one stops working.")
    ] = False,
    revoke: Annotated[bool, typer.Option("--revoke", help="The token stops working.")] = False,
    hromada: HromadaOption = None,
    expires: ExpiresOption = None,
) -> None:
    """Replace (--rotate) or revoke (--revoke) an official's personal token; alone, show it."""
    if rotate and revoke:
        fail(_("use either --rotate or --revoke, not both"), EXIT_USAGE)
    if expires is not None and not rotate:
        fail(_("--expires goes with --rotate (or officials add)"), EXIT_USAGE)
    with _in_hromada(hromada) as chosen:
        if rotate:
            _rotated(name, chosen.call(rotate_action, name=name, expires=expires))
        elif revoke:
            _revoked(name, chosen.call(revoke_action, name=name))
        else:
            _print_tokens(name, chosen.call(tokens_action, name=name))


def _rotated(name: str, issued: IssuedToken | None) -> None:
    if issued is None:
        fail(
            _(
                "{official} has no role to carry; give them one first: "
                "spilno-admin officials add {official} --role …"
            ).format(official=name),
            EXIT_USAGE,
        )
        return
    typer.echo(_("The old token of {official} no longer works.").format(official=name))
    _show_token(issued)


def _revoked(name: str, count: int) -> None:
    if count == 0:
        typer.echo(_("{official} has no working token; nothing to revoke.").format(official=name))
        return
    typer.echo(
        ngettext(
            "Revoked {count} token of {official}: it no longer works.",
            "Revoked {count} tokens of {official}: they no longer work.",
            count,
        ).format(count=count, official=name)
    )


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


@contextmanager
def _in_hromada(slug: str | None) -> Iterator[Client]:
    """`--hromada SLUG`: the command's actions run in that hromada (its roles and tokens are
    there) — locally as the root's `--hromada` would choose it, remotely by the header the
    client sends; without it, in the current one."""
    current = client()
    if slug is None:
        yield current
        return
    # An unknown slug is refused where the hromada is entered (admin_cli/context.py), on
    # either side, in one line.
    if isinstance(current, HttpClient):
        yield HttpClient(current.login, hromada=slug, locale=current.locale)
        return
    with hromada_chosen(slug):
        yield current


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


@dataclass(frozen=True, slots=True)
class Held:
    official: str
    role: Role
    org: str | None  # an organization role's organization (its slug)


@action("officials.list", commit=False)
async def list_action(ctx: ActionContext, uow: UnitOfWork) -> list[Held]:
    """Every official with their roles (organization roles name the organization)."""
    grants = await officials.list_grants(uow)
    orgs = await organizations.get_many(uow, [g.org_id for g in grants if g.org_id])
    return [
        Held(g.official, g.role, orgs[g.org_id].slug if g.org_id in orgs else None) for g in grants
    ]


@officials_cli.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every official with their roles (organization roles name the organization)."""
    rows = client().call(list_action)
    if as_json:
        data = [
            {"official": h.official, "role": _ROLE_NAMES.get(h.role, h.role.value), "org": h.org}
            for h in rows
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
        ((h.official, words.role(h.role), h.org or words.NOTHING) for h in rows),
    )
