"""`spilno-admin hromada set-bot SLUG`: a hromada's Telegram and Viber bots.

Tokens come from a file or an environment variable, never from a command-line value (`ps`
shows those to everyone on the machine), and are never printed: the output shows a masked
form and the keyed fingerprint. `spilno run` picks the change up within SPILNO_BOTS_RELOAD_S.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from admin_cli.context import EXIT_USAGE, CliError, Official, run_in_uow
from admin_cli.files import read_limited
from admin_cli.output import echo_json
from core.bootstrap import App
from core.hromadas.bots import (
    BadBotTokenError,
    BotChange,
    BotPlatform,
    BotStore,
    BotTokenTakenError,
    UnknownHromadaError,
    check_token,
    masked,
)
from core.hromadas.bots_service import BotWish, set_bots
from core.kernel.i18n import _
from core.kernel.redaction import register_secret
from core.kernel.unit_of_work import UnitOfWork

_TOKEN_FILE_MAX = 4096
_PLATFORM_NAMES = {BotPlatform.TELEGRAM: "Telegram", BotPlatform.VIBER: "Viber"}


def register(group: typer.Typer) -> None:
    """Add this module's commands to the `hromada` group (admin_cli/app.py)."""
    group.command("set-bot")(set_bot)


def set_bot(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The hromada's slug.")],
    telegram_token_file: Annotated[
        Path | None,
        typer.Option(help="A file holding the Telegram bot's token (from @BotFather)."),
    ] = None,
    telegram_token_env: Annotated[
        str | None,
        typer.Option(help="An environment variable holding the Telegram bot's token."),
    ] = None,
    telegram_username: Annotated[
        str | None, typer.Option(help="The Telegram bot's @username, for links.")
    ] = None,
    viber_token_file: Annotated[
        Path | None, typer.Option(help="A file holding the Viber bot's token.")
    ] = None,
    viber_token_env: Annotated[
        str | None, typer.Option(help="An environment variable holding the Viber bot's token.")
    ] = None,
    viber_chat_uri: Annotated[
        str | None, typer.Option(help="The Viber bot's chat URI, for links.")
    ] = None,
    remove_telegram: Annotated[
        bool, typer.Option("--remove-telegram", help="The hromada no longer has a Telegram bot.")
    ] = False,
    remove_viber: Annotated[
        bool, typer.Option("--remove-viber", help="The hromada no longer has a Viber bot.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Set (or remove) a hromada's Telegram and Viber bots; `spilno run` serves them within
    SPILNO_BOTS_RELOAD_S, without a restart."""
    actor: Official = ctx.obj
    wanted = [
        *_wanted(
            BotPlatform.TELEGRAM,
            telegram_token_file,
            telegram_token_env,
            telegram_username,
            remove=remove_telegram,
            file_option="--telegram-token-file",
            env_option="--telegram-token-env",
        ),
        *_wanted(
            BotPlatform.VIBER,
            viber_token_file,
            viber_token_env,
            viber_chat_uri,
            remove=remove_viber,
            file_option="--viber-token-file",
            env_option="--viber-token-env",
        ),
    ]
    if not wanted:
        raise CliError(
            _(
                "give a bot token: --telegram-token-file, --telegram-token-env, "
                "--viber-token-file or --viber-token-env (or --remove-telegram, --remove-viber)"
            ),
            EXIT_USAGE,
        )

    async def work(app: App, uow: UnitOfWork) -> list[tuple[BotWish, BotChange | bool]]:
        try:
            done = await set_bots(
                uow, _store(app), slug=slug, wishes=wanted, actor=actor.name, now=app.clock()
            )
        except UnknownHromadaError:
            raise CliError(_("no hromada {slug}").format(slug=slug), EXIT_USAGE) from None
        except BotTokenTakenError as error:
            raise CliError(
                _("this {platform} bot already serves another hromada").format(
                    platform=_PLATFORM_NAMES[error.platform]
                ),
                EXIT_USAGE,
            ) from None
        return list(zip(wanted, done, strict=True))

    done = run_in_uow(work, operator=True)  # the installation's operator sets any hromada's
    if as_json:
        echo_json([_json(slug, want, result) for want, result in done])
        return
    for want, result in done:
        typer.echo(_line(slug, want, result))


def _store(app: App) -> BotStore:
    assert app.bots is not None  # bootstrap always wires it
    return app.bots


def _wanted(
    platform: BotPlatform,
    token_file: Path | None,
    token_env: str | None,
    username: str | None,
    *,
    remove: bool,
    file_option: str,
    env_option: str,
) -> list[BotWish]:
    if remove:
        if token_file is not None or token_env is not None:
            raise CliError(
                _("{remove} cannot go with a token option").format(
                    remove=f"--remove-{platform.value}"
                ),
                EXIT_USAGE,
            )
        return [BotWish(platform, None)]
    if token_file is not None and token_env is not None:
        raise CliError(
            _("give {file} or {env}, not both").format(file=file_option, env=env_option),
            EXIT_USAGE,
        )
    if token_file is not None:
        raw = read_limited(token_file, max_bytes=_TOKEN_FILE_MAX, option=file_option)
        try:
            token = raw.decode("utf-8")
        except UnicodeDecodeError:
            token = ""
    elif token_env is not None:
        token = os.environ.get(token_env, "")
        if not token.strip():
            raise CliError(
                _("{option}: the environment variable {name} is not set or empty").format(
                    option=env_option, name=token_env
                ),
                EXIT_USAGE,
            )
    else:
        return []
    register_secret(token.strip())  # whatever happens next, it is never printed
    try:
        checked = check_token(platform, token)
    except BadBotTokenError:
        raise CliError(
            _("that does not look like a {platform} bot token").format(
                platform=_PLATFORM_NAMES[platform]
            ),
            EXIT_USAGE,
        ) from None
    return [BotWish(platform, checked, (username or "").strip().removeprefix("@") or None)]


def _line(slug: str, want: BotWish, result: BotChange | bool) -> str:
    platform = _PLATFORM_NAMES[want.platform]
    if isinstance(result, bool):
        if result:
            return _("{slug}: {platform} bot removed.").format(slug=slug, platform=platform)
        return _("{slug}: had no {platform} bot.").format(slug=slug, platform=platform)
    assert want.token is not None
    if result.created:
        text = _("{slug}: {platform} bot set (token {masked}, fingerprint {fingerprint}).")
    elif result.token_changed:
        text = _("{slug}: {platform} bot replaced (token {masked}, fingerprint {fingerprint}).")
    else:
        text = _("{slug}: {platform} bot unchanged (token {masked}, fingerprint {fingerprint}).")
    return text.format(
        slug=slug, platform=platform, masked=masked(want.token), fingerprint=result.fingerprint
    )


def _json(slug: str, want: BotWish, result: BotChange | bool) -> dict[str, object]:
    if isinstance(result, bool):
        return {"hromada": slug, "platform": want.platform.value, "removed": result}
    assert want.token is not None
    return {
        "hromada": slug,
        "platform": want.platform.value,
        "bot_id": result.bot_id,
        "created": result.created,
        "new_token": result.token_changed,
        "token": masked(want.token),
        "fingerprint": result.fingerprint,
    }
