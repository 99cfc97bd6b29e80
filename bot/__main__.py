"""`spilno`: run the bots (or the console when no messenger is configured), chat, upgrade the db."""

from __future__ import annotations

import getpass
import logging
import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

import typer

from bot import event_loop
from bot.channels import Fleet
from bot.console.channel import ConsoleChannel, read_stdin_line
from bot.dialogs import Dialogs
from bot.runner import Role, StartupError, expects_bots, serve
from core.bootstrap import App, bootstrap
from core.config import SettingsError, load_settings
from core.demo import polls as demo
from core.hromadas import current as hromada_profiles
from core.kernel import i18n
from core.kernel.errors import ValidationError
from core.kernel.i18n import _
from core.kernel.logging_setup import configure_logging
from core.kernel.redaction import redact, register_secret
from core.kernel.unit_of_work import StorageUnavailableError
from core.scheduling.scheduler import build_scheduler, stop_scheduler
from core.storage.db import database_problem, problem_text

if TYPE_CHECKING:
    from core.officials.token_model import IssuedToken

cli = typer.Typer(
    name="spilno",
    help="Spilno: civic participation in Telegram and Viber.",
    no_args_is_help=True,
    # Rich tracebacks print local variables, which may hold tokens.
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")

log = logging.getLogger("spilno")


def _run(main: Callable[[App], Awaitable[None]]) -> None:
    """Build the app, run `main`, and turn configuration or database trouble into one line."""
    try:
        settings = load_settings()
    except SettingsError as error:
        typer.echo(f"spilno: {error}", err=True)
        raise typer.Exit(2) from None
    secrets = [
        secret.get_secret_value()
        for secret in (
            settings.telegram_token,
            settings.viber_token,
            settings.webhook_secret,
            settings.secret_key,
        )
        if secret is not None
    ]
    register_secret(*secrets)  # before anything runs: logs and the last resort in main() mask them
    configure_logging(settings.log_level, settings.log_format, secrets)
    i18n.set_locale(settings.default_locale)
    hromada_profiles.REFRESH_S = settings.hromada_profile_refresh_s

    async def _go() -> None:
        settings.secret().material()  # required with PostgreSQL: say so before serving anyone
        app = bootstrap(settings)
        try:
            await main(app)
        finally:
            await app.aclose()

    try:
        event_loop.run(_go())
    except (SettingsError, StartupError) as error:  # a channel's settings are wrong
        typer.echo(f"spilno: {error}", err=True)
        raise typer.Exit(2) from None
    except (StorageUnavailableError, OSError) as error:
        typer.echo(
            "spilno: " + _("cannot reach the database: {error}").format(error=error), err=True
        )
        raise typer.Exit(1) from None
    except Exception as error:  # a wrong database name or user in SPILNO_DATABASE_URL
        problem = database_problem(error, settings.database_url)
        if problem is None:
            raise
        typer.echo("spilno: " + problem_text(problem), err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


async def _seed_demo(app: App) -> None:
    async with app.uow_factory() as uow:
        seeded = await demo.seed_demo_city(uow, app.clock())
        await uow.commit()
    if seeded:
        typer.echo(_("A sample city with polls was created, so there is something to vote on."))


async def _console(app: App, name: str) -> None:
    dialogs = Dialogs(app.uow_factory, clock=app.clock, default_locale=app.settings.default_locale)
    channel = ConsoleChannel(dialogs, name, read_line=read_stdin_line, out=sys.stdout)
    await channel.run()


@cli.command()
def run(
    demo_city: Annotated[
        bool, typer.Option("--demo", help="Seed a sample city if the database is empty.")
    ] = False,
    name: Annotated[str, typer.Option(help="Console resident name.")] = getpass.getuser(),
    role: Annotated[
        Role,
        typer.Option(help="What this process does: all (one machine), web, worker, scheduler."),
    ] = Role.ALL,
) -> None:
    """Run Spilno. Without a messenger token (role all), opens the console channel here."""

    async def main(app: App) -> None:
        await app.prepare_database()
        if demo_city:
            await _seed_demo(app)
        dialogs = Dialogs(
            app.uow_factory, clock=app.clock, default_locale=app.settings.default_locale
        )
        # Every hromada's bots (the bots table) and the legacy ones of the settings.
        fleet = Fleet(app, dialogs, receive=role.receives)
        # The web role serves officials' admin API (bot/admin_api.py) even before any bot.
        if await fleet.wanted() or role in (Role.SCHEDULER, Role.WEB):
            await serve(app, fleet, role=role)
            return
        if not demo_city and await expects_bots(app):
            typer.echo(
                _(
                    "No bot is set yet: serving anyway; a hromada's bot set with "
                    "spilno-admin hromada set-bot starts within {seconds:g} s."
                ).format(seconds=app.settings.bots_reload_s)
            )
            await serve(app, fleet, role=role)
            return
        if role != Role.ALL:
            raise SettingsError(
                f"spilno run --role {role.value} needs a messenger: "
                "set SPILNO_TELEGRAM_TOKEN or SPILNO_VIBER_TOKEN"
            )
        scheduler = build_scheduler(app)
        scheduler.start()
        try:
            typer.echo(
                _("No messenger token is configured: opening the console channel.")
                + " "
                + _("Set SPILNO_TELEGRAM_TOKEN or SPILNO_VIBER_TOKEN to run the bots.")
            )
            await _console(app, name)
        finally:
            await stop_scheduler(scheduler, grace_s=5.0)

    _run(main)


@cli.command()
def chat(
    name: Annotated[str, typer.Option(help="Resident name; identity console:<name>.")] = (
        getpass.getuser()
    ),
    demo_city: Annotated[
        bool, typer.Option("--demo", help="Seed a sample city if the database is empty.")
    ] = False,
) -> None:
    """Talk to the dialogs in this terminal as resident console:<name>."""

    async def main(app: App) -> None:
        await app.prepare_database()
        if demo_city:
            await _seed_demo(app)
        await _console(app, name)

    _run(main)


@cli.command()
def deliver() -> None:
    """Run delivery workers only (no chat). More processes send faster; the rate stays shared."""

    async def main(app: App) -> None:
        from bot.deliver import deliver as run_workers

        await app.prepare_database()
        await run_workers(app)

    _run(main)


@cli.command("officials-token")
def officials_token(
    name: Annotated[str, typer.Argument(help="The official (as in spilno-admin officials add).")],
    hromada: Annotated[
        str | None,
        typer.Option(help="The hromada's slug (needed when the installation serves several)."),
    ] = None,
    rotate: Annotated[
        bool, typer.Option("--rotate", help="Replace their token: the old one stops working.")
    ] = False,
) -> None:
    """Issue an official's personal token with the database's credentials (break-glass: e.g.
    for the city admins SPILNO_CITY_ADMINS made, who have none). Printed once."""

    async def main(app: App) -> None:
        issued = await _issue_token(app, name, hromada, rotate=rotate)
        typer.echo(issued.token)
        typer.echo(
            _(
                "This is {official}'s personal token ({role}), shown only now: hand it to them "
                "over a safe channel; they log in with spilno-admin login."
            ).format(official=issued.stored.official, role=issued.stored.role.value),
            err=True,
        )

    _run(main)


class _TokenRefused(SettingsError):
    """A one-line refusal of `spilno officials-token` (exit 2, as bad settings)."""


async def _issue_token(app: App, name: str, slug: str | None, *, rotate: bool) -> IssuedToken:
    """A token for `name` in the hromada, as the installation itself (the audit log's actor):
    whoever holds the database's credentials may act as anyone, so nobody's role is asked."""
    from core.hromadas.scope import in_hromada
    from core.officials import tokens
    from core.officials.model import check_official_name

    try:
        official = check_official_name(name.strip())
    except ValidationError as error:
        raise _TokenRefused(_("{name!r} is not an official's name").format(name=name)) from error
    async with app.operator_uow() as uow:
        if slug is None:
            ids = await uow.tenants.ids()
            if len(ids) != 1:
                raise _TokenRefused(
                    _("this installation serves several hromadas: choose one with --hromada SLUG")
                )
            hromada_id: int | None = ids[0]
        else:
            hromada_id = await uow.tenants.by_slug(slug.strip().lower())
        if hromada_id is None:
            raise _TokenRefused(_("there is no hromada {slug} (--hromada)").format(slug=slug))
    with in_hromada(hromada_id):
        async with app.uow_factory() as uow:
            try:
                issued = await tokens.issue_as_installation(
                    uow, official=official, hromada_id=hromada_id, now=app.clock(), rotate=rotate
                )
            except tokens.InstallationIssueRefusedError as refused:
                if refused.reason == "no_role":
                    raise _TokenRefused(
                        _(
                            "{official} holds no city role here: grant one first "
                            "(spilno-admin officials add {official} --role ...)"
                        ).format(official=official)
                    ) from None
                raise _TokenRefused(
                    _(
                        "{official} already has a working token; --rotate replaces it "
                        "(the old one stops working)"
                    ).format(official=official)
                ) from None
            await uow.commit()
    return issued


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations (SQLite or PostgreSQL)."""

    async def main(app: App) -> None:
        await app.prepare_database(upgrade_any=True)
        typer.echo(_("The database schema is up to date."))

    _run(main)


def main() -> None:
    try:
        cli()
    except Exception:
        # The last resort for what nobody foresaw: still never a token on the screen.
        sys.stderr.write(redact(traceback.format_exc()))
        sys.exit(1)


if __name__ == "__main__":
    main()
