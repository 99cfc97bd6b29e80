"""One aiohttp app for every webhook, plus /healthz."""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import text

from bot.channels import Channel
from core.bootstrap import App

log = logging.getLogger(__name__)


def build_web_app(app: App, channels: list[Channel]) -> web.Application:
    web_app = web.Application()

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with app.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as error:
            log.warning("health check: database unreachable: %s", type(error).__name__)
            return web.json_response({"status": "unavailable", "database": "down"}, status=503)
        return web.json_response({"status": "ok", "database": "up"})

    web_app.router.add_get("/healthz", healthz)
    for channel in channels:
        web_app.add_routes(channel.web_routes())
    return web_app
