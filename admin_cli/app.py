"""`spilno-admin`: officials run campaigns from the command line."""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
from typing import Annotated, Any, NoReturn

import typer

from admin_cli.context import (
    EXIT_ERROR,
    EXIT_USAGE,
    CliError,
    choose_hromada,
    fail,
    resolve_official,
)
from admin_cli.lazy import LazyCommand, LazyGroup
from admin_cli.usage import usage_error_text
from core.kernel import i18n
from core.kernel.errors import SpilnoError, ValidationError
from core.kernel.i18n import _


def _residents() -> typer.Typer:
    """The residents group, with "my data" and "forget me" from their own module (issue 17)."""
    from admin_cli.resident_data import export_command, forget_command
    from admin_cli.residents import residents_cli

    if not any(c.name == "export" for c in residents_cli.registered_commands):
        residents_cli.command("export")(export_command)
        residents_cli.command("forget")(forget_command)
    return residents_cli


# Every command group, imported only when used (admin_cli/lazy.py): a group's module, and its
# help as that module declares it (tests/unit/test_cli_lazy.py compares them). A campaign kind's
# groups are those its CliKind lists (admin_cli/kinds.py); the same test checks both agree.
COMMANDS: dict[str, LazyCommand] = {
    "broadcast": LazyCommand(
        "admin_cli.delivery:broadcast_command",
        "Send an announcement; show live progress until every message is out (or --no-wait).",
    ),
    "poll": LazyCommand("admin_cli.polls:poll_cli", "Polls: a question with options."),
    "idea-call": LazyCommand(
        "admin_cli.ideas:idea_call_cli", "Idea calls: ask residents for ideas on a theme."
    ),
    "ideas": LazyCommand(
        "admin_cli.ideas:ideas_cli", "Residents' ideas: moderate, answer, review reports, export."
    ),
    "consultation": LazyCommand(
        "admin_cli.consultations:consultation_cli",
        "Public consultations: several questions, answered one by one.",
    ),
    "contest": LazyCommand(
        "admin_cli.contests:contest_cli",
        "Contests: residents submit solutions, then vote for them.",
    ),
    "pb": LazyCommand(
        "admin_cli.pb:pb_cli",
        "Participatory budgets: residents propose projects and vote within budgets.",
    ),
    "petitions": LazyCommand(
        "admin_cli.petitions:petitions_cli",
        "Residents' petitions: moderate, follow the threshold and the answer term, answer.",
    ),
    "campaign": LazyCommand(
        "admin_cli.campaigns:campaign_cli", "Campaigns of every kind: lifecycle and results."
    ),
    "delivery": LazyCommand(
        "admin_cli.delivery:delivery_cli", "Pushes to residents: progress of each."
    ),
    "org": LazyCommand(
        "admin_cli.orgs:org_cli", "Organizations: profiles, officials, channel, events, news."
    ),
    "officials": LazyCommand("admin_cli.officials:officials_cli", "Officials and their roles."),
    "residents": LazyCommand(_residents, "Residents: counts and one resident's record."),
    "audit": LazyCommand(
        "admin_cli.audit_log:audit_cli",
        "The audit log: who did what, when; verify its hash chain; anchor its head.",
    ),
    "hromada": LazyCommand(
        "admin_cli.hromadas:hromada_cli",
        "The hromada: its profile (names, settings, districts, topics) and its bots.",
    ),
    "login": LazyCommand(
        "admin_cli.login:login_command",
        "Check your personal token and keep it, so every command acts as you (over HTTPS to URL).",
    ),
    "logout": LazyCommand(
        "admin_cli.login:logout_command",
        "Forget the token `login` kept: commands work on this computer's database again.",
    ),
    "whoami": LazyCommand(
        "admin_cli.login:whoami_command",
        "Who you act as, in which hromada, and where.",
    ),
    "open-data": LazyCommand(
        "admin_cli.open_data:open_data_cli",
        "Open data: campaigns' ballots and results as files anyone can recount.",
    ),
}


class SpilnoGroup(LazyGroup):
    """Every command's refusal from core becomes one line in the official's language: bad
    input exits 2, anything else 1. Worded here, where every kind's texts are known."""

    lazy = COMMANDS

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationError as error:
            fail(_error_text(error), EXIT_USAGE)
        except SpilnoError as error:
            fail(_error_text(error))


def _error_text(error: SpilnoError) -> str:
    # Every kind's error texts: imported only when a refusal is to be worded.
    from admin_cli.errors import error_text

    return error_text(error)


cli = typer.Typer(
    name="spilno-admin",
    help="Spilno for officials: create and run polls and other campaigns.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=SpilnoGroup,
)


@cli.callback()
def root(
    ctx: typer.Context,
    as_: Annotated[
        str | None,
        typer.Option("--as", help="Act as this official (default: SPILNO_OFFICIAL or OS user)."),
    ] = None,
    hromada: Annotated[
        str | None,
        typer.Option(
            "--hromada",
            envvar="SPILNO_HROMADA",
            help="The hromada to work in, by its slug (needed when there are several).",
        ),
    ] = None,
) -> None:
    _use_configured_locale()  # here, not before parsing: `spilno-admin --help` needs no settings
    if ctx.invoked_subcommand in ("login", "logout"):  # they work with no login, or a broken one
        ctx.obj = resolve_official(None)
        return
    from admin_cli.client import LocalClient, choose_client, use_client

    chosen = choose_client(as_, hromada, i18n.current_locale())
    use_client(chosen)
    ctx.obj = resolve_official(chosen.official if isinstance(chosen, LocalClient) else None)
    choose_hromada(hromada, ctx.obj.name)


def run_cli(argv: list[str] | None = None) -> int:
    try:
        # Not standalone: usage errors come back to us instead of Click's English box.
        code = cli(args=argv, prog_name="spilno-admin", standalone_mode=False)
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else EXIT_ERROR
    except CliError as error:  # raised before a command's action ran (files, --as)
        typer.echo(f"spilno-admin: {error}", err=True)
        return error.exit_code
    except ValidationError as error:  # the domain refused a value before an action ran (--as)
        _use_configured_locale()
        typer.echo(f"spilno-admin: {_error_text(error)}", err=True)
        return EXIT_USAGE
    except Exception as error:
        _use_configured_locale()  # a usage error may come before the root's callback
        kinds = {cls.__name__ for cls in type(error).__mro__}
        if "NoArgsIsHelpError" in kinds:  # `spilno-admin campaign` alone: help is printed
            return EXIT_USAGE
        if "Abort" in kinds:  # Ctrl-D at a prompt
            typer.echo(f"spilno-admin: {_('stopped')}", err=True)
            return EXIT_ERROR
        if "ClickException" not in kinds:
            raise
        typer.echo(f"spilno-admin: {usage_error_text(error)}", err=True)
        return EXIT_USAGE if "UsageError" in kinds else EXIT_ERROR
    return code if isinstance(code, int) else 0


def _use_configured_locale() -> None:
    """Usage errors come before any command loads settings: speak the configured language.
    From SPILNO_DEFAULT_LOCALE when set (it wins over .env anyway), or with neither it nor a
    .env here, the default: loading every setting costs a remote command a third of its time."""
    chosen = os.environ.get("SPILNO_DEFAULT_LOCALE", "").strip()
    if chosen or not os.path.exists(".env"):
        i18n.set_locale(chosen or i18n.DEFAULT_LOCALE)
        return
    from core.config import SettingsError, load_settings  # not for `--help`

    # Bad settings are reported by the command itself, in the default language.
    with contextlib.suppress(SettingsError):
        i18n.set_locale(load_settings().default_locale)


def main() -> None:
    # A command is a short process whose start-up, importing hundreds of classes, allocates
    # objects that live until it exits: the cyclic collector would scan them over and over
    # (~5 % of `campaign list`). It is off until start-up is over (context.startup_over).
    gc.disable()
    # The CLI uses no pydantic plugins; looking for them reads every installed distribution's
    # entry points, a tenth of a remote command's time.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _exit(run_cli())


def _exit(code: int) -> NoReturn:
    """Exit as `sys.exit` would, without tearing the interpreter down: freeing every module
    and object one by one is ~7 % of `campaign list`, and the process ends anyway. What an
    exit must do is done: the exit handlers (logging's flush, pending finalizers), and
    whatever is still buffered for the terminal."""
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # another Python: exit the usual way
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (| head), a closed file
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
