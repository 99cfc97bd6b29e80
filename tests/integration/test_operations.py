"""/healthz, /metrics and logs, as a city's IT team sees them."""

import json
import logging

from aiohttp.test_utils import TestClient, TestServer

from bot.dialogs import Dialogs
from bot.ui import Incoming, IncomingKind
from bot.web import build_web_app
from core.bootstrap import bootstrap
from core.citizens.model import IdentityRef
from core.config import Settings
from core.kernel.logging_setup import JsonFormatter, RedactingFilter

DOCUMENTED_SERIES = (
    "spilno_updates_received_total",
    "spilno_updates_processed_total",
    "spilno_updates_failed_total",
    "spilno_handler_seconds_bucket",
    "spilno_outbox_rows",
    "spilno_sends_total",
    "spilno_rate_limit_pauses_total",
)


async def get(app, path):
    async with TestClient(TestServer(build_web_app(app, []))) as client:
        response = await client.get(path)
        return response.status, await response.text()


async def test_health_is_200_when_the_database_answers(app):
    status, body = await get(app, "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "up"}


async def test_health_is_503_when_the_database_is_unreachable():
    down = bootstrap(
        Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:9/none", _env_file=None)
    )
    try:
        status, body = await get(down, "/healthz")
    finally:
        await down.aclose()
    assert status == 503
    assert json.loads(body)["database"] == "down"


async def test_metrics_expose_the_documented_series_after_an_update(app):
    dialogs = Dialogs(app.uow_factory, clock=app.clock, default_locale="uk")
    await dialogs.handle(
        Incoming(IdentityRef("metricsbot", "1"), IncomingKind.COMMAND, text="start", update_id="1")
    )
    status, body = await get(app, "/metrics")
    assert status == 200
    for series in DOCUMENTED_SERIES:
        if series in ("spilno_outbox_rows", "spilno_sends_total", "spilno_rate_limit_pauses_total"):
            assert f"# TYPE {series.removesuffix('_total')}" in body, series
        else:
            assert series in body, series
    assert 'spilno_updates_processed_total{platform="metricsbot"}' in body
    assert 'spilno_outbox_rows{state="pending"} 0.0' in body, "outbox depth read at scrape time"


def test_json_logs_are_one_line_per_event_with_secrets_redacted():
    record = logging.LogRecord(
        "spilno",
        logging.ERROR,
        __file__,
        1,
        "calling %s failed",
        ("https://x/bot123:SECRETTOKEN/getMe",),
        None,
    )
    assert RedactingFilter(["123:SECRETTOKEN"]).filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "error"
    assert entry["message"] == "calling https://x/bot***/getMe failed"
