"""`spilno deliver`: delivery workers only, no chat traffic. Start several for throughput:
they share the outbox (SKIP LOCKED) and each platform's send budget (in the database)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.channels import configured_channels
from bot.dialogs import Dialogs
from bot.event_loop import settle_heap
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
    # Building a channel registers its Messenger; it is never started, so no polling/webhook.
    channels = configured_channels(app, dialogs)
    if not app.messengers:
        raise SettingsError(
            "no messenger is configured: set SPILNO_TELEGRAM_TOKEN or SPILNO_VIBER_TOKEN"
        )
    worker = build_worker(app)
    settle_heap()
    log.info("delivery worker %s for %s", worker.worker_id, ", ".join(app.messengers))
    try:
        await worker.run(stop)
    finally:
        for channel in channels:
            with contextlib.suppress(Exception):
                await channel.stop()
