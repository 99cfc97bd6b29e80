"""Shared by the hostile-input tests of both webhooks: what 'nothing stored' and 'no traceback' mean."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from core.bootstrap import App

# Tables a resident's update writes to; a rejected update must leave all of them as they were.
RESIDENT_TABLES = ("citizens", "identities", "processed_updates")

TOO_BIG = 2**63  # one past BIGINT
DEEP_JSON = b"[" * 5000 + b"]" * 5000
OVERSIZED = b'{"event": "message", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'


@dataclass(frozen=True)
class Case:
    """One labelled hostile input and what the webhook must do with it."""

    label: str
    body: dict[str, Any] | bytes
    status: int
    answered: bool = False  # a resident we could read gets a polite answer
    extra: dict[str, Any] = field(default_factory=dict)


async def row_counts(app: App) -> dict[str, int]:
    async with app.engine.connect() as conn:
        return {
            table: (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            for table in RESIDENT_TABLES
        }


def tracebacks(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in records if r.exc_info]
