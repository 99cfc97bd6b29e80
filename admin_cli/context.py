"""Running one CLI command: settings, app, a unit of work, and errors as one line + exit code."""

from __future__ import annotations

import gc
import getpass
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from admin_cli.timeparse import TimeParseError, parse_moment
from core.hromadas.scope import set_hromada
from core.kernel import i18n
from core.kernel.i18n import _, current_timezone
from core.officials.model import check_official_name

if TYPE_CHECKING:  # the storage stack is imported when a command opens the database
    from admin_cli.actions import Action
    from admin_cli.client import LocalClient
    from core.bootstrap import App

T = TypeVar("T")

EXIT_ERROR = 1
EXIT_USAGE = 2


@dataclass
class Official:
    """Who is acting: `--as NAME`, else SPILNO_OFFICIAL, else the OS user."""

    name: str


def resolve_official(explicit: str | None) -> Official:
    name = explicit or os.environ.get("SPILNO_OFFICIAL") or getpass.getuser()
    # Every audit row and role names the official: the same limit as `officials add NAME`.
    return Official(name=check_official_name(name.strip() or "unknown", field="as"))


# `--hromada SLUG` (or SPILNO_HROMADA) and `--as`, as the root command read them: run_action
# scopes its unit of work to that hromada and checks the official belongs there.
_chosen: ContextVar[tuple[str | None, str | None]] = ContextVar(
    "spilno_cli_hromada", default=(None, None)
)


def choose_hromada(slug: str | None, official: str | None) -> None:
    _chosen.set(((slug or "").strip().lower() or None, official))


@contextmanager
def hromada_chosen(slug: str) -> Iterator[None]:
    """A command's own `--hromada` option: as the root's, for the units of work opened inside."""
    token = _chosen.set((slug.strip().lower(), _chosen.get()[1]))
    try:
        yield
    finally:
        _chosen.reset(token)


class CliError(Exception):
    """Print this one line and exit non-zero."""

    def __init__(
        self, message: str, exit_code: int = EXIT_ERROR, *, http_status: int | None = None
    ) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.http_status = http_status  # the admin API's answer, when not 400 / 409


def city_moment(app: App, value: str, option: str, *, now: datetime | None = None) -> datetime:
    """The date/time an official gave for `option` (the hromada's time unless it names a
    zone; "now" is `now`, else the clock's); a bad one is one line and exit 2."""
    try:
        return parse_moment(
            value, option=option, tz=current_timezone(), now=now if now is not None else app.clock()
        )
    except TimeParseError as error:
        raise CliError(str(error), EXIT_USAGE) from None


def fail(message: str, exit_code: int = EXIT_ERROR) -> None:
    typer.echo(f"spilno-admin: {message}", err=True)
    raise typer.Exit(exit_code)


async def _ensure_schema(app: App) -> None:
    from core.storage.db import is_sqlite, sqlite_file
    from core.storage.revisions import database_revisions, head_revisions

    if not is_sqlite(app.settings.database_url):
        if await database_revisions(app.engine) != head_revisions():
            raise CliError(_("the database schema is not up to date; run: spilno db upgrade"))
        return
    # Refuse to work on a database that is not there: connecting would create an empty one
    # wherever the command happens to run. `spilno run` and `spilno db upgrade` create it.
    path = sqlite_file(app.settings.database_url)  # None: in memory, nothing to find
    missing = path is not None and (not path.is_file() or path.stat().st_size == 0)
    found = frozenset() if missing else await database_revisions(app.engine)
    if path is not None and not found:
        raise CliError(
            _(
                "no Spilno database at {path} (SPILNO_DATABASE_URL). Create it with: spilno db "
                "upgrade — or start Spilno once: spilno run"
            ).format(path=path),
            EXIT_USAGE,
        )
    # The embedded database follows the code; Alembic is loaded only when it is behind.
    if found != head_revisions():
        await app.prepare_database()


async def _bootstrap_city_admins(app: App) -> None:
    """SPILNO_CITY_ADMINS become city admins while the roles table has none."""
    names = app.settings.city_admins.split(",")
    if not any(n.strip() for n in names):
        return
    from core.officials import service as officials

    async with app.uow_factory() as uow:
        if await officials.bootstrap_city_admins(uow, names, app.clock()):
            await uow.commit()


async def enter_hromada(
    app: App,
    *,
    stranger_ok: bool = False,
    installation_default: bool = False,
    official: str | None = None,
    token_hromada: int | None = None,
    token_operator: bool = False,
) -> bool:
    """Scope the rest of the command to the hromada `--hromada` names (optional while the
    installation serves one, or with `installation_default`: the installation's own); refuse
    an official who holds no role there while it has roles — unless `stranger_ok` (the command
    then runs as the operator and checks that itself). Returns whether the official is such a
    stranger."""
    from core.officials.model import INSTALLATION_HROMADA_ID, SYSTEM_ACTORS

    slug, chosen_official = _chosen.get()
    official = official or chosen_official
    if slug is None and token_hromada is not None:  # a token belongs to one hromada
        set_hromada(token_hromada)
        return False
    if slug is None and installation_default:
        set_hromada(INSTALLATION_HROMADA_ID)
        return False
    async with app.uow_factory() as uow:
        if slug is None:
            ids = await uow.tenants.ids()
            if len(ids) != 1:
                raise CliError(
                    _("this installation serves several hromadas: choose one with --hromada SLUG"),
                    EXIT_USAGE,
                )
            set_hromada(ids[0])
            return False
        hromada_id = await uow.tenants.by_slug(slug)
    if hromada_id is None:
        raise CliError(_("there is no hromada {slug} (--hromada)").format(slug=slug), EXIT_USAGE)
    set_hromada(hromada_id)
    if token_hromada is not None and hromada_id != token_hromada:
        # A name means someone else in another hromada: a token opens its own hromada only,
        # and others only for what an operator may do there — and, while a new hromada has no
        # roles yet, for the operator who sets up its first officials (as locally, open mode).
        if stranger_ok:
            return True
        if token_operator:
            async with app.uow_factory() as uow:  # scoped to the chosen hromada
                if not await uow.officials.has_city_admin():
                    return False
        raise CliError(
            _(
                "your token is for another hromada than {slug}: log in with a token of {slug}"
            ).format(slug=slug),
            http_status=403,
        )
    if official is None or official in SYSTEM_ACTORS:
        return False
    async with app.uow_factory() as uow:  # now scoped to the chosen hromada
        if not await uow.officials.has_city_admin() or await uow.officials.grants_of(official):
            return False
    if stranger_ok:
        return True
    raise CliError(
        _(
            "{official} is no official of the hromada {slug}: a city admin there can grant a role"
        ).format(official=official, slug=slug),
        http_status=403,
    )


def run_action(action: Action[T], local: LocalClient, params: dict[str, Any]) -> T:
    """`action` in this process (admin_cli/client.py's LocalClient), as `local`'s official: the
    one their token speaks for, else `--as` / SPILNO_OFFICIAL / the OS user — which only
    counts while the hromada has no roles; once it has, a personal token says who acts."""
    from admin_cli.actions import ActionContext

    async def go(app: App) -> T:
        await _ensure_schema(app)
        official = local.official
        token_hromada: int | None = None
        token_operator = False
        if local.token is not None:
            official, token_hromada, token_operator = await _token_identity(app, local.token)
        stranger = await enter_hromada(
            app,
            stranger_ok=action.operator or action.operator_if_stranger,
            installation_default=action.operator,
            official=official,
            token_hromada=token_hromada,
            token_operator=token_operator,
        )
        await _bootstrap_city_admins(app)
        if local.token is None and REQUIRE_TOKEN_WITH_ROLES:
            await _refuse_unproven(app, official)
        as_operator = action.operator or (action.operator_if_stranger and stranger)
        ctx = ActionContext(app=app, official=official)
        startup_over()
        async with app.operator_uow() if as_operator else app.uow_factory() as uow:
            result = await action.run(ctx, uow, params)
            if action.commit:
                await uow.commit()
            return result

    return _with_app(go)


def startup_over() -> None:
    """Once a command has imported what it needs: the objects made so far live until it exits,
    so the cyclic collector (off since admin_cli/app.py main) leaves them be from now on and
    runs again for what the command itself makes — a long export or a broadcast's live bar."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


# Issue 19: once a hromada's officials have roles, `--as` no longer says who acts locally.
REQUIRE_TOKEN_WITH_ROLES = True


async def _token_identity(app: App, token: str) -> tuple[str, int, bool]:
    """The official, hromada and whether they are the installation's operator."""
    from core.officials.model import Role
    from core.officials.token_check import verify
    from core.officials.token_model import TokenRefusedError

    async with app.operator_uow() as uow:
        try:
            found = await verify(uow, token, app.clock())
        except TokenRefusedError:
            raise CliError(
                _("your token is not valid (revoked, expired or mistyped): log in again")
            ) from None
    return found.official, found.hromada_id, found.role is Role.OPERATOR


async def _refuse_unproven(app: App, official: str) -> None:
    async with app.uow_factory() as uow:
        if not await uow.officials.has_city_admin():
            return
    raise CliError(
        _(
            "this hromada's officials have roles, so --as, SPILNO_OFFICIAL and the computer's "
            "user name no longer say who acts: log in with your personal token "
            "(spilno-admin login) — a city admin issues one with spilno-admin officials token NAME"
        ),
        EXIT_USAGE,
    )


def _with_app(go: Callable[[App], Awaitable[T]]) -> T:
    """Settings, the app and its database for one command; every failure is one line."""
    from core.config import SettingsError, load_settings  # for commands only

    try:
        settings = load_settings()
    except SettingsError as error:
        fail(str(error), EXIT_USAGE)
        raise  # unreachable; keeps type checkers calm
    i18n.set_locale(settings.default_locale)

    # The storage stack, imported by the commands that open the database only.
    import asyncio  # for the database: a remote command does without

    from core.bootstrap import bootstrap
    from core.kernel.unit_of_work import StorageUnavailableError
    from core.storage.db import database_problem, problem_text

    async def _go() -> T:
        app = bootstrap(settings)
        try:
            return await go(app)
        finally:
            await app.aclose()

    try:
        return asyncio.run(_go())
    except CliError as error:
        fail(str(error), error.exit_code)
    except (StorageUnavailableError, OSError) as error:
        fail(_("cannot reach the database: {error}").format(error=error))
    except Exception as error:
        problem = database_problem(error, settings.database_url)
        if problem is None:
            raise
        fail(problem_text(problem), EXIT_USAGE)
    raise AssertionError("unreachable")
