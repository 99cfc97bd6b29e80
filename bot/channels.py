"""The messenger channels, and the fleet of every hromada's bots one process serves.

A new messenger is one folder under bot/ with a `build_channel(app, dialogs)` (its single bot
from the settings) and a `build_bot_channel(app, dialogs, spec)` (one hromada's bot), plus one
line in CHANNEL_BUILDERS.

The fleet reads the `bots` table (and the legacy SPILNO_TELEGRAM_TOKEN / SPILNO_VIBER_TOKEN,
which stay the first hromada's bots while the table has none for it), starts a channel per bot,
routes `/telegram/webhook/<bot id>` and `/viber/webhook/<bot id>` (and the old paths, for the
legacy bots) to it, and registers its Messenger for delivery. It rereads the table every
`bots_reload_s`: a hromada's new, changed or removed bot takes effect without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from aiohttp import web

from bot.bot_spec import BotSpec
from bot.dialogs import Dialogs
from core.bootstrap import App
from core.delivery.messenger import BotKey, Messenger
from core.hromadas import bots_addresses
from core.hromadas.scope import DEFAULT_HROMADA_ID
from core.kernel.redaction import redact

log = logging.getLogger(__name__)


class Channel(Protocol):
    name: str
    messenger: Messenger

    def web_routes(self) -> list[web.RouteDef]:
        """Webhook routes this channel serves from the shared aiohttp app (may be empty)."""
        ...

    async def start(self) -> None:
        """Begin receiving: register the webhook, or start long polling."""
        ...

    async def stop(self) -> None:
        """Stop receiving and release connections."""
        ...


class BotStartError(Exception):
    """A bot could not start (its token refused, the API unreachable…)."""

    def __init__(self, platform: str, error: Exception) -> None:
        super().__init__(platform)
        self.platform = platform
        self.error = error


class WebhookChannel(Channel, Protocol):
    async def handle_webhook(self, request: web.Request) -> web.StreamResponse: ...


# name → (settings attribute that enables it, the module with build_channel/build_bot_channel)
CHANNEL_BUILDERS: dict[str, tuple[str, str]] = {
    "telegram": ("telegram_token", "bot.telegram.channel"),
    "viber": ("viber_token", "bot.viber.channel"),
}


def configured_channels(app: App, dialogs: Dialogs) -> list[Channel]:
    """The legacy single bots of the settings (tests and tools that run one bot)."""
    channels: list[Channel] = []
    for setting, module in CHANNEL_BUILDERS.values():
        if getattr(app.settings, setting) is None:
            continue
        channels.append(importlib.import_module(module).build_channel(app, dialogs))
    return channels


@dataclass
class _Running:
    spec: BotSpec
    channel: WebhookChannel
    started: bool


class Fleet:
    """Every hromada's bots in this process: built, started (when `receive`), routed, their
    messengers in `app.messengers`, and reloaded from the bots table in the background."""

    name = "fleet"

    def __init__(
        self,
        app: App,
        dialogs: Dialogs,
        *,
        receive: bool = True,
        reload_s: float | None = None,
    ) -> None:
        self._app = app
        self._dialogs = dialogs
        self._receive = receive
        self._reload_s = reload_s if reload_s is not None else app.settings.bots_reload_s
        self._running: dict[BotKey, _Running] = {}
        self._routes: dict[tuple[str, str], WebhookChannel] = {}
        self._reloader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        # Imported now, before serving: importing aiogram takes seconds, which would stall
        # the event loop (and every other bot) when the first hromada's bot arrives later.
        self._adapters = {
            platform: importlib.import_module(module)
            for platform, (_setting, module) in CHANNEL_BUILDERS.items()
        }

    @property
    def bots(self) -> dict[BotKey, WebhookChannel]:
        return {key: running.channel for key, running in self._running.items()}

    # ---- what should run --------------------------------------------------------------------

    async def wanted(self) -> dict[BotKey, BotSpec]:
        """The bots table, plus each legacy bot of the settings its platform has no first-
        hromada bot in the table for."""
        wanted: dict[BotKey, BotSpec] = {}
        if self._app.bots is not None:
            for bot in await self._app.bots.all():
                key = BotKey(bot.hromada_id, bot.platform.value)
                wanted[key] = BotSpec(key, bot.id, bot.token, bot.webhook_secret, bot.username)
        for platform, legacy in self._legacy().items():
            wanted.setdefault(BotKey(DEFAULT_HROMADA_ID, platform), legacy)
        return wanted

    def _legacy(self) -> dict[str, BotSpec]:
        settings = self._app.settings
        found: dict[str, BotSpec] = {}
        if settings.telegram_token is not None:
            from bot.telegram.channel import derive_webhook_secret

            token = settings.telegram_token.get_secret_value()
            key = settings.webhook_secret.get_secret_value() if settings.webhook_secret else token
            spec = BotSpec(BotKey(DEFAULT_HROMADA_ID, "telegram"), None, token, "")
            found["telegram"] = replace(spec, webhook_secret=derive_webhook_secret(key))
        if settings.viber_token is not None:
            token = settings.viber_token.get_secret_value()
            found["viber"] = BotSpec(BotKey(DEFAULT_HROMADA_ID, "viber"), None, token, "")
        return found

    # ---- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """The first load: a bot that cannot start stops the process (as a wrong token always
        did); later reloads only log it and try again next time."""
        await self.reload(strict=True)
        self._reloader = asyncio.create_task(self._reload_forever(), name="bots-reload")

    async def stop(self) -> None:
        if self._reloader is not None:
            self._reloader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reloader
            self._reloader = None
        async with self._lock:
            for key in list(self._running):
                await self._stop_bot(key)

    async def _reload_forever(self) -> None:
        while True:
            await asyncio.sleep(self._reload_s)
            try:
                await self.reload()
            except Exception as error:  # the database is away: keep serving what runs
                log.warning("bots not reloaded: %s", redact(str(error))[:200])

    async def reload(self, *, strict: bool = False) -> None:
        async with self._lock:
            wanted = await self.wanted()
            for key in list(self._running):
                spec = wanted.get(key)
                if spec is None or spec.version != self._running[key].spec.version:
                    log.info("bot %s %s", key, "removed" if spec is None else "changed")
                    await self._stop_bot(key)
                elif spec.username and spec.username != self._running[key].spec.username:
                    self._running[key].spec = spec  # only its @username: no restart
                    bots_addresses.publish(key.hromada_id, key.platform, spec.username)
            for key, spec in wanted.items():
                if key in self._running:
                    continue
                try:
                    await self._start_bot(spec)
                except Exception as error:
                    if strict:
                        raise BotStartError(key.platform, error) from error
                    log.warning("bot %s did not start; trying again at the next reload", key)

    async def _start_bot(self, spec: BotSpec) -> None:
        adapter = self._adapters[spec.key.platform]
        build: Callable[[App, Dialogs, BotSpec], WebhookChannel] = adapter.build_bot_channel
        channel = build(self._app, self._dialogs, spec)
        running = _Running(spec, channel, started=False)
        self._running[spec.key] = running
        # Routed before it starts: Viber calls the webhook back while it is being set.
        self._routes[(spec.key.platform, _route_id(spec))] = channel
        try:
            if self._receive:
                await channel.start()
                running.started = True
        except Exception:
            await self._stop_bot(spec.key)
            raise
        self._app.messengers[spec.key] = channel.messenger
        if self._receive:  # residents talk to it here: the links they share name it
            bots_addresses.publish(
                spec.key.hromada_id, spec.key.platform, await self._address(spec, channel)
            )
        log.info("bot %s serving hromada %s", spec.key, spec.key.hromada_id)

    async def _address(self, spec: BotSpec, channel: WebhookChannel) -> str | None:
        """The bot's stored @username, else the platform's answer (Telegram's getMe); the
        legacy bot's comes from the settings (core/hromadas/bots_addresses.py)."""
        if spec.username or spec.bot_id is None:
            return spec.username
        ask = getattr(channel, "username", None)
        if ask is None:
            return None
        try:
            return await ask()
        except Exception as error:  # no link to share is no reason to refuse the bot
            log.warning("bot %s: its @username is unknown: %s", spec.key, redact(str(error)))
            return None

    async def _stop_bot(self, key: BotKey) -> None:
        running = self._running.pop(key)
        self._routes.pop((key.platform, _route_id(running.spec)), None)
        if self._receive:
            bots_addresses.withdraw(key.hromada_id, key.platform)
        if self._app.messengers.get(key) is running.channel.messenger:
            self._app.messengers.pop(key, None)
        try:
            await running.channel.stop()
        except Exception:
            log.exception("bot %s did not stop cleanly", key)

    # ---- webhooks ---------------------------------------------------------------------------

    def web_routes(self) -> list[web.RouteDef]:
        routes: list[web.RouteDef] = []
        for platform in CHANNEL_BUILDERS:
            routes.append(web.post(f"/{platform}/webhook", self._webhook(platform)))
            routes.append(web.post(f"/{platform}/webhook/{{bot_id}}", self._webhook(platform)))
        return routes

    def _webhook(
        self, platform: str
    ) -> Callable[[web.Request], asyncio.Future[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            bot_id = request.match_info.get("bot_id", "")
            channel = self._routes.get((platform, bot_id))
            if channel is None:  # no such bot (any more): Telegram stops after a few 404s
                return web.Response(status=404)
            # Each bot checks its own secret (Telegram) or signature (Viber).
            return await channel.handle_webhook(request)

        return handle  # type: ignore[return-value]


def _route_id(spec: BotSpec) -> str:
    return "" if spec.bot_id is None else str(spec.bot_id)
