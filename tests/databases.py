"""Test databases: a migrated SQLite file per test, a migrated PostgreSQL database per session.

PostgreSQL tests skip with a loud reason when no server answers, unless SPILNO_REQUIRE_POSTGRES=1
(as in CI), when they fail instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import event, func, select, text

from core.config import Policies
from core.storage.db import create_engine, create_session_factory
from core.storage.migrate import upgrade
from core.storage.schema import metadata
from core.storage.unit_of_work import SqlUnitOfWork

T = TypeVar("T")

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("SPILNO_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_required() -> bool:
    return os.environ.get("SPILNO_REQUIRE_POSTGRES", "") not in ("", "0", "false")


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _dsn(url: str, database: str | None = None) -> str:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    if database is not None:
        base, _slash, _old = dsn.rpartition("/")
        dsn = f"{base}/{database}"
    return dsn


async def _probe(url: str) -> str | None:
    try:
        conn = await asyncio.wait_for(asyncpg.connect(_dsn(url)), timeout=5)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    await conn.close()
    return None


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


class PostgresTestDatabase:
    """A database of its own for this test session, created, migrated, and dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.name = f"spilno_test_{uuid.uuid4().hex[:10]}"
        self.url = server_url.rsplit("/", 1)[0] + "/" + self.name
        self.unavailable_reason: str | None = None

    def create(self) -> None:
        self.unavailable_reason = run_blocking(_probe(self.server_url))
        if self.unavailable_reason:
            return
        run_blocking(self._admin(f'CREATE DATABASE "{self.name}"'))
        run_blocking(_migrate(self.url))

    def drop(self) -> None:
        if self.unavailable_reason is None:
            run_blocking(self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    async def _admin(self, statement: str) -> None:
        conn = await asyncpg.connect(_dsn(self.server_url))
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    async def truncate_all(self) -> None:
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        engine = create_engine(self.url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                # Hromada 1 is part of the migrated schema (0017): tables refer to it.
                await conn.execute(
                    text("INSERT INTO hromadas (id, slug, created_at) VALUES (1, 'main', now())")
                )
                await conn.execute(
                    text("SELECT setval(pg_get_serial_sequence('hromadas', 'id'), 1)")
                )
        finally:
            await engine.dispose()


class SqliteTemplate:
    """Migrate once, copy the file for each test: a fresh database per test in microseconds."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "template.db"
        run_blocking(_migrate(self.url_for(self.path)))

    @staticmethod
    def url_for(path: Path) -> str:
        return f"sqlite+aiosqlite:///{path}"

    def fresh(self, directory: Path) -> str:
        target = directory / "spilno.db"
        shutil.copyfile(self.path, target)
        return self.url_for(target)


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    # A throw-away copy needs no durability: skipping fsync on each commit makes a dialog test
    # several times faster, and nothing else about SQLite's behaviour changes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


class UnitOfWorkFactory:
    """Real units of work over a test database (SQLite or PostgreSQL): what service and dialog
    tests run on, so they exercise the SQL repositories the app ships (no in-memory doubles)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        if url.startswith("sqlite"):
            event.listen(self.engine.sync_engine, "connect", _no_fsync)
        self._sessions = create_session_factory(self.engine)
        # What bootstrap would inject from settings; a test may swap it (e.g. no premoderation).
        self.policies = Policies()

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self.policies)

    async def count(self, table: str) -> int:
        """Rows in `table` as committed, for "nothing was stored" assertions."""
        async with self.engine.connect() as conn:
            query = select(func.count()).select_from(metadata.tables[table])
            return int((await conn.execute(query)).scalar_one())

    async def aclose(self) -> None:
        await self.engine.dispose()


class SqliteUnitOfWorkFactory(UnitOfWorkFactory):
    """Over one fresh copy of the SQLite template: fast enough for every service and dialog test."""
