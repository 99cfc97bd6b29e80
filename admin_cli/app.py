"""`spilno-admin`: officials run campaigns from the command line."""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from admin_cli.audit_log import audit_cli
from admin_cli.campaigns import campaign_cli
from admin_cli.context import EXIT_ERROR, EXIT_USAGE, CliError, fail, resolve_official
from admin_cli.delivery import broadcast_command, delivery_cli
from admin_cli.errors import error_text
from admin_cli.hromada_bots import register as register_hromada_bots
from admin_cli.kinds import KINDS
from admin_cli.officials import officials_cli
from admin_cli.open_data import open_data_cli
from admin_cli.orgs import org_cli
from admin_cli.resident_data import export_command, forget_command
from admin_cli.residents import residents_cli
from admin_cli.usage import usage_error_text
from core.config import SettingsError, load_settings
from core.kernel import i18n
from core.kernel.errors import SpilnoError, ValidationError
from core.kernel.i18n import _


class SpilnoGroup(TyperGroup):
    """Every command's refusal from core becomes one line in the official's language: bad
    input exits 2, anything else 1. Worded here, where every kind's texts are known."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationError as error:
            fail(error_text(error), EXIT_USAGE)
        except SpilnoError as error:
            fail(error_text(error))


cli = typer.Typer(
    name="spilno-admin",
    help="Spilno for officials: create and run polls and other campaigns.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=SpilnoGroup,
)
for kind in KINDS:
    for name, commands in kind.commands:
        cli.add_typer(commands, name=name)
cli.add_typer(campaign_cli, name="campaign")
cli.add_typer(delivery_cli, name="delivery")
cli.command("broadcast")(broadcast_command)
cli.add_typer(org_cli, name="org")
cli.add_typer(officials_cli, name="officials")
cli.add_typer(residents_cli, name="residents")
residents_cli.command("export")(export_command)  # my data / forget me (issue 17)
residents_cli.command("forget")(forget_command)
cli.add_typer(audit_cli, name="audit")
cli.add_typer(open_data_cli, name="open-data")
# Hromadas (issue 18): their bots here; profiles join this group from admin_cli/hromadas.py.
hromada_cli = typer.Typer(help="Hromadas: their bots and profiles.", no_args_is_help=True)
register_hromada_bots(hromada_cli)
cli.add_typer(hromada_cli, name="hromada")


@cli.callback()
def root(
    ctx: typer.Context,
    as_: Annotated[
        str | None,
        typer.Option("--as", help="Act as this official (default: SPILNO_OFFICIAL or OS user)."),
    ] = None,
) -> None:
    ctx.obj = resolve_official(as_)


def run_cli(argv: list[str] | None = None) -> int:
    _use_configured_locale()
    try:
        # Not standalone: usage errors come back to us instead of Click's English box.
        code = cli(args=argv, prog_name="spilno-admin", standalone_mode=False)
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else EXIT_ERROR
    except CliError as error:  # raised before a command reached run_in_uow (files, --as)
        typer.echo(f"spilno-admin: {error}", err=True)
        return error.exit_code
    except ValidationError as error:  # the domain refused a value before run_in_uow (--as)
        typer.echo(f"spilno-admin: {error_text(error)}", err=True)
        return EXIT_USAGE
    except Exception as error:
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
    """Usage errors come before any command loads settings: speak the configured language."""
    # Bad settings are reported by the command itself, in the default language.
    with contextlib.suppress(SettingsError):
        i18n.set_locale(load_settings().default_locale)


def main() -> None:
    sys.exit(run_cli())


if __name__ == "__main__":
    main()
