"""`spilno-admin hromada set-bot SLUG`: a hromada's Telegram and Viber bots.

Tokens come from a file or an environment variable, never from a command-line value (`ps`
shows those to everyone on the machine), read where the command runs and sent to the action
in its parameters (over HTTPS when remote); they are never printed or logged: the output shows
a masked form and the keyed fingerprint. `spilno run` picks the change up within SPILNO_BOTS_RELOAD_S.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from admin_cli.context import EXIT_USAGE, CliError
from admin_cli.files import read_limited
from admin_cli.output import echo_json
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

if TYPE_CHECKING:
    from core.bootstrap import App
    from core.kernel.unit_of_work import UnitOfWork

_TOKEN_FILE_MAX = 4096
_PLATFORM_NAMES = {BotPlatform.TELEGRAM: "Telegram", BotPlatform.VIBER: "Viber"}


def register(group: typer.Typer) -> None:
    """Add this module's commands to the `hromada` group (admin_cli/app.py)."""
    group.command("set-bot")(set_bot)


@dataclass(frozen=True, slots=True)
class BotDone:
    """What became of one wish: a removal (`removed`: whether there was a bot), or the bot set
    (`change`, with its token `masked`: the token itself never comes back)."""

    platform: BotPlatform
    removed: bool | None = None
    change: BotChange | None = None
    masked: str | None = None


@action("hromada.set-bot", operator=True)
async def set_bot_action(
    ctx: ActionContext, uow: UnitOfWork, *, slug: str, wishes: list[BotWish]
) -> list[BotDone]:
    """Set (a token) or remove (no token) a hromada's Telegram and Viber bots (the
    installation's operator); `spilno run` serves them within SPILNO_BOTS_RELOAD_S."""
    checked = []
    for wish in wishes:
        register_secret(wish.token)  # from now on no log line here can carry it
        token = None if wish.token is None else _checked(wish.platform, wish.token)
        checked.append(BotWish(wish.platform, token, wish.username))
    try:
        done = await set_bots(
            uow, _store(ctx.app), slug=slug, wishes=checked, actor=ctx.official, now=ctx.now()
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
    return [_done(want, result) for want, result in zip(checked, done, strict=True)]


def _done(want: BotWish, result: BotChange | bool) -> BotDone:
    if isinstance(result, bool):
        return BotDone(want.platform, removed=result)
    assert want.token is not None
    return BotDone(want.platform, change=result, masked=masked(want.token))


def set_bot(
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

    done = client().call(set_bot_action, slug=slug, wishes=wanted)
    if as_json:
        echo_json([_json(slug, d) for d in done])
        return
    for d in done:
        typer.echo(_line(slug, d))


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
    checked = _checked(platform, token)  # refused here, before it travels anywhere
    return [BotWish(platform, checked, (username or "").strip().removeprefix("@") or None)]


def _checked(platform: BotPlatform, token: str) -> str:
    try:
        return check_token(platform, token)
    except BadBotTokenError:
        raise CliError(
            _("that does not look like a {platform} bot token").format(
                platform=_PLATFORM_NAMES[platform]
            ),
            EXIT_USAGE,
        ) from None


def _line(slug: str, done: BotDone) -> str:
    platform = _PLATFORM_NAMES[done.platform]
    if done.change is None:
        if done.removed:
            return _("{slug}: {platform} bot removed.").format(slug=slug, platform=platform)
        return _("{slug}: had no {platform} bot.").format(slug=slug, platform=platform)
    if done.change.created:
        text = _("{slug}: {platform} bot set (token {masked}, fingerprint {fingerprint}).")
    elif done.change.token_changed:
        text = _("{slug}: {platform} bot replaced (token {masked}, fingerprint {fingerprint}).")
    else:
        text = _("{slug}: {platform} bot unchanged (token {masked}, fingerprint {fingerprint}).")
    return text.format(
        slug=slug, platform=platform, masked=done.masked, fingerprint=done.change.fingerprint
    )


def _json(slug: str, done: BotDone) -> dict[str, object]:
    if done.change is None:
        return {"hromada": slug, "platform": done.platform.value, "removed": done.removed}
    return {
        "hromada": slug,
        "platform": done.platform.value,
        "bot_id": done.change.bot_id,
        "created": done.change.created,
        "new_token": done.change.token_changed,
        "token": done.masked,
        "fingerprint": done.change.fingerprint,
    }
