"""Run the configured channels, the webhook server and the scheduler until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from bot.channels import Channel
from bot.web import build_web_app
from core.bootstrap import App
from core.delivery.worker import build_worker
from core.scheduling.scheduler import build_scheduler

log = logging.getLogger(__name__)


async def serve(app: App, channels: list[Channel], stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Not the main thread, or not POSIX: the caller stops us through `stop` instead.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    runner = web.AppRunner(build_web_app(app, channels), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.http_host, app.settings.http_port)
    await site.start()
    log.info("HTTP server on %s:%s", app.settings.http_host, app.settings.http_port)

    scheduler = build_scheduler(app)
    scheduler.start()
    started: list[Channel] = []
    delivery: asyncio.Task[None] | None = None
    try:
        for channel in channels:
            await channel.start()
            started.append(channel)
            log.info("%s channel started", channel.name)
        # Bulk pushes go out through the messengers the channels registered in app.messengers.
        delivery = asyncio.create_task(build_worker(app).run(stop), name="delivery")
        await stop.wait()
        log.info("stopping")
    finally:
        stop.set()
        if delivery is not None:
            # Let the batch in flight finish; past that, cancel: leased rows are re-sent later.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(delivery, timeout=5)
        for channel in reversed(started):
            try:
                await channel.stop()
            except Exception:
                log.exception("%s channel did not stop cleanly", channel.name)
        scheduler.shutdown(wait=False)
        await runner.cleanup()
