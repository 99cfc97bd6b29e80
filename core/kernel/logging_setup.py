"""Logging: one line per event, JSON when SPILNO_LOG_FORMAT=json, secrets always redacted."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from core.kernel import redaction


class RedactingFilter(logging.Filter):
    """A handler's filter over the one redaction registry (core.kernel.redaction).

    The registry already cleans records where they are made; this registers `secrets` too and
    cleans again at the handler, for records made before a secret was known."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        redaction.register_secret(*secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        redaction.scrub(record)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text or record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, fmt: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Migration chatter would drown the console channel; real problems still show.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # aiogram logs every handled update at INFO; one line per update is our own log's job.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    # APScheduler logs every 30 s tick at INFO, which would interleave with the console chat.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
