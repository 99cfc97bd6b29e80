"""One aiohttp app for every webhook, plus /healthz and /metrics."""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.channels import Channel
from core.bootstrap import App
from core.kernel import metrics

log = logging.getLogger(__name__)


def build_web_app(app: App, channels: list[Channel], *, admin_api: bool = False) -> web.Application:
    web_app = web.Application()
    if admin_api:  # officials' spilno-admin from their own computers (bot/admin_api.py)
        from bot.admin_api import PREFIX, build_admin_api

        web_app.add_subapp(PREFIX, build_admin_api(app))

    async def healthz(_request: web.Request) -> web.Response:
        try:
            await app.ping_database()
        except Exception as error:
            log.warning("health check: database unreachable: %s", type(error).__name__)
            return web.json_response({"status": "unavailable", "database": "down"}, status=503)
        return web.json_response({"status": "ok", "database": "up"})

    async def metrics_endpoint(_request: web.Request) -> web.Response:
        for refresh in app.metric_refreshers:
            try:
                await refresh()
            except Exception as error:  # a scrape must not fail because one gauge could not
                log.warning("metrics refresh failed: %s", type(error).__name__)
        return web.Response(
            body=generate_latest(metrics.REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics_endpoint)
    for channel in channels:
        web_app.add_routes(channel.web_routes())
    return web_app
