"""`spilno-admin login [URL]`, `logout`, `whoami`: an official's personal token on their computer.

`login https://spilno.example.city` asks for the token (a prompt, or one line on stdin —
never a flag, which `ps` shows), checks it with the installation, and keeps it in the
official's config directory (admin_cli/login_store.py, mode 0600). From then on every command
goes to that installation's admin API. `login` with no URL keeps a token for this computer's
database: once a hromada's officials have roles, that is how a local official says who they are.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from admin_cli.actions import ActionContext, action
from admin_cli.context import EXIT_USAGE, CliError, fail
from core.kernel import i18n
from core.kernel.i18n import _

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class WhoAmI:
    official: str
    hromada: str
    hromada_name: str
    roles: list[str]


@action("whoami", commit=False)
async def whoami_action(ctx: ActionContext, uow: UnitOfWork) -> WhoAmI:
    """Who acts, in which hromada, holding which roles."""
    from core.hromadas.current import current_profile
    from core.hromadas.scope import current_hromada_id

    slug = await uow.tenants.slug_of(current_hromada_id()) or ""
    profile = current_profile()
    grants = await uow.officials.grants_of(ctx.official)
    roles = sorted({g.role.value + (f":{g.org_id}" if g.org_id else "") for g in grants})
    return WhoAmI(ctx.official, slug, profile.names.get("uk") or slug, roles)


def login_command(
    url: Annotated[
        str | None,
        typer.Argument(
            help="The installation, e.g. https://spilno.example.city; none: this computer's "
            "database."
        ),
    ] = None,
) -> None:
    """Check your personal token and keep it, so every command acts as you (over HTTPS to URL)."""
    from admin_cli.client import HttpClient, LocalClient, use_client
    from admin_cli.login_store import Login, check_url, save_login

    where = check_url(url) if url else None
    token = _ask_token()
    login = Login(url=where, token=token)
    try:
        if where is not None:
            use_client(HttpClient(login, locale=i18n.current_locale()))
        else:
            use_client(LocalClient("unknown", explicit=False, token=token))
        from admin_cli.client import client

        me = client().call(whoami_action)
    except CliError as error:
        fail(str(error), error.exit_code)
        return
    path = save_login(login)
    typer.echo(
        _("Logged in as {official} in the hromada {hromada} ({where}).").format(
            official=me.official, hromada=me.hromada, where=where or _("this computer's database")
        )
    )
    typer.echo(_("The token is kept in {path}, readable by you only.").format(path=path), err=True)


def logout_command() -> None:
    """Forget the token `login` kept: commands work on this computer's database again."""
    from admin_cli.login_store import forget_login

    if forget_login():
        typer.echo(_("Logged out: the token is no longer kept on this computer."))
    else:
        typer.echo(_("You were not logged in."))


def whoami_command() -> None:
    """Who you act as, in which hromada, and where."""
    from admin_cli.client import HttpClient, client

    current = client()
    me = current.call(whoami_action)
    where = current.login.url if isinstance(current, HttpClient) else None
    typer.echo(
        _("{official} in the hromada {hromada} ({name}); roles: {roles}; at {where}").format(
            official=me.official,
            hromada=me.hromada,
            name=me.hromada_name,
            roles=", ".join(me.roles) or _("none"),
            where=where or _("this computer's database"),
        )
    )


def _ask_token() -> str:
    """The token from a hidden prompt, or the first line of stdin when it is not a terminal."""
    if sys.stdin.isatty():
        token = typer.prompt(_("Your personal token"), hide_input=True)
    else:
        token = sys.stdin.readline()
    token = token.strip()
    if not token:
        raise CliError(_("no token given"), EXIT_USAGE)
    return token
