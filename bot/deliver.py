"""`spilno deliver`: delivery workers only, no chat traffic. Start several for throughput:
they share the outbox (SKIP LOCKED) and each platform's send budget (in the database)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.channels import Fleet
from bot.dialogs import Dialogs
from bot.event_loop import settle_heap
from bot.runner import expects_bots
from core.bootstrap import App
from core.config import SettingsError
from core.delivery.worker import build_worker

log = logging.getLogger(__name__)


async def deliver(app: App, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    dialogs = Dialogs(app.uow_factory, clock=app.clock, default_locale=app.settings.default_locale)
    # Every hromada's bots, built for their Messengers only (no polling, no webhook), and
    # reloaded while running: a hromada's new bot delivers without a restart.
    fleet = Fleet(app, dialogs, receive=False)
    await fleet.start()
    if not app.messengers and not await expects_bots(app):
        await fleet.stop()
        raise SettingsError(
            "no messenger is configured: set SPILNO_TELEGRAM_TOKEN or SPILNO_VIBER_TOKEN, "
            "or a hromada's bot (spilno-admin hromada set-bot)"
        )
    worker = build_worker(app)
    settle_heap()
    log.info("delivery worker %s for %s", worker.worker_id, ", ".join(map(str, app.messengers)))
    try:
        await worker.run(stop)
    finally:
        with contextlib.suppress(Exception):
            await fleet.stop()
