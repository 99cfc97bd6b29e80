"""Alembic environment: async engine, batch mode for SQLite, URL from settings."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context

from core.storage.base import UtcDateTime
from core.storage.schema import metadata

target_metadata = metadata


def _render_item(type_: str, obj: Any, _autogen_context: Any) -> str | bool:
    # Migrations must not import model code: UtcDateTime is a plain timestamptz in the DDL.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure_and_run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table.
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    from core.config import get_settings
    from core.storage.db import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_configure_and_run)
    finally:
        await engine.dispose()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
    else:
        asyncio.run(_run_with_own_engine())


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `spilno db upgrade`")
run()
