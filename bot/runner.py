"""Run a process role until SIGTERM/SIGINT: the webhook server and every hromada's bots (web),
delivery workers (worker), the scheduler's sweeps (scheduler), or all three (all, one-machine
installs).

Every role serves /healthz and /metrics; only web serves webhooks. All state is in the
database, so any number of web and worker processes can run side by side. The bots come from
the fleet (bot/channels.py), which rereads the bots table while running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from enum import StrEnum

from aiohttp import web

from bot.channels import BotStartError, Fleet
from bot.event_loop import settle_heap
from bot.web import build_web_app
from core.bootstrap import App
from core.config import Settings
from core.delivery.worker import build_worker
from core.kernel.i18n import _
from core.kernel.redaction import redact
from core.scheduling.scheduler import build_scheduler, stop_scheduler

log = logging.getLogger(__name__)

# Whatever is still running after this long on shutdown is cancelled (leased rows are re-sent).
SHUTDOWN_GRACE_S = 5.0


# What to check when a channel cannot start, beyond what its own error says.
_CHANNEL_SETTINGS = {
    "telegram": "SPILNO_TELEGRAM_TOKEN, SPILNO_TELEGRAM_API_URL, SPILNO_WEBHOOK_BASE_URL",
    "viber": "SPILNO_VIBER_TOKEN, SPILNO_VIBER_API_URL, SPILNO_WEBHOOK_BASE_URL",
}


class StartupError(Exception):
    """The process could not start (token refused, API unreachable, port taken…): the text is
    one line naming the settings to check, with no secret in it."""


class Role(StrEnum):
    ALL = "all"
    WEB = "web"
    WORKER = "worker"
    SCHEDULER = "scheduler"

    @property
    def receives(self) -> bool:
        return self in (Role.ALL, Role.WEB)

    @property
    def delivers(self) -> bool:
        return self in (Role.ALL, Role.WORKER)

    @property
    def schedules(self) -> bool:
        return self in (Role.ALL, Role.SCHEDULER)


async def serve(
    app: App,
    fleet: Fleet,
    stop: asyncio.Event | None = None,
    role: Role = Role.ALL,
) -> None:
    """Serve until `stop`. The fleet receives (webhooks, polling) only in a receiving role;
    otherwise its bots are built for their messengers only (delivery)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Not the main thread, or not POSIX: the caller stops us through `stop` instead.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    web_app = build_web_app(app, [fleet] if role.receives else [], admin_api=role.receives)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.http_host, app.settings.http_port)
    try:
        await site.start()
    except OSError as error:  # the port is taken, or the host is not this machine's
        await runner.cleanup()
        raise StartupError(
            _(
                "cannot listen on {host}:{port} ({error}); check SPILNO_HTTP_HOST and "
                "SPILNO_HTTP_PORT"
            ).format(
                host=app.settings.http_host,
                port=app.settings.http_port,
                error=error.strerror or error,
            )
        ) from None
    log.info("role %s; HTTP on %s:%s", role.value, app.settings.http_host, app.settings.http_port)

    scheduler = build_scheduler(app) if role.schedules else None
    if scheduler is not None:
        scheduler.start()
    delivery: asyncio.Task[None] | None = None
    try:
        if role.receives or role.delivers:
            await _start(fleet, app.settings)
            log.info("%d bot(s) started", len(fleet.bots))
        if role.delivers:
            # Bulk pushes go out through the messengers the channels registered in app.messengers.
            delivery = asyncio.create_task(build_worker(app).run(stop), name="delivery")
        settle_heap()
        await stop.wait()
        log.info("stopping")
    finally:
        stop.set()
        # Let the batch in flight finish, then stop the bots (their messengers send it).
        if delivery is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(delivery, timeout=SHUTDOWN_GRACE_S)
        try:
            await asyncio.wait_for(fleet.stop(), timeout=SHUTDOWN_GRACE_S * 2)
        except Exception:
            log.exception("the bots did not stop cleanly")
        if scheduler is not None:
            await stop_scheduler(scheduler, grace_s=SHUTDOWN_GRACE_S)
        await runner.cleanup()


async def expects_bots(app: App) -> bool:
    """Whether to serve, and wait for bots, though none is set yet. An installation on
    PostgreSQL, or with more than one hromada, gets its bots from `spilno-admin hromada
    set-bot`, and the fleet starts each within SPILNO_BOTS_RELOAD_S, no restart. The embedded
    SQLite database with its one hromada and no token is a newcomer's: the console chat."""
    if app.engine.dialect.name != "sqlite":
        return True
    async with app.operator_uow() as uow:  # every hromada, not one tenant's view
        return len(await uow.tenants.ids()) > 1


async def _start(fleet: Fleet, settings: Settings) -> None:
    try:
        await fleet.start()
    except BotStartError as failed:
        raise StartupError(start_failure_text(failed.platform, failed.error, settings)) from None


def start_failure_text(channel: str, error: Exception, settings: Settings) -> str:
    if channel == "telegram":
        from bot.telegram.api_errors import start_failure_text as telegram_text

        return telegram_text(error, settings.telegram_api_url)
    detail = redact((str(error).splitlines() or [type(error).__name__])[0])
    return _("the {channel} channel did not start ({detail}); check {settings}").format(
        channel=channel, detail=detail, settings=_CHANNEL_SETTINGS.get(channel, "SPILNO_*")
    )
