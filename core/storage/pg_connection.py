"""asyncpg's connection for scoped sessions (core/storage/tenancy.py): imported only for a
PostgreSQL engine, so the embedded SQLite default never loads asyncpg."""

from __future__ import annotations

from typing import Any

import asyncpg


class TenantConnection(asyncpg.Connection):
    """asyncpg's connection, sending the scope's set_config with the next BEGIN.

    SQLAlchemy begins a transaction lazily, right before its first statement, with
    `BEGIN ISOLATION LEVEL …;` through `execute()` without arguments (the simple-query
    protocol, which takes several statements): appending the set_config there costs nothing."""

    _spilno_with_begin: str | None = None

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:  # noqa: ASYNC109 (asyncpg's signature)
        pending = self._spilno_with_begin
        if pending is not None and not args and query.startswith("BEGIN"):
            self._spilno_with_begin = None
            query = f"{query.rstrip().rstrip(';')}; {pending};"
        return await super().execute(query, *args, timeout=timeout)


def forget_pending_scope(dbapi_connection: Any, _record: Any) -> None:
    """Pool checkin: a scope that never reached a BEGIN must not reach the next user's."""
    driver = getattr(dbapi_connection, "driver_connection", None)
    if isinstance(driver, TenantConnection):
        driver._spilno_with_begin = None
