"""Engine and session factories. Built on demand by bootstrap, never at import time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from core.kernel.i18n import _
from core.storage import tenancy


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL points to (absolute); None for an in-memory database."""
    try:
        database = make_url(url).database
    except ArgumentError:
        return None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve()


@dataclass(frozen=True, slots=True)
class DatabaseProblem:
    """Why the configured database cannot be used, as a stable `reason` plus safe details
    (the server, database and user: never the password)."""

    reason: str  # unknown_database · login_refused · not_sqlite
    server: str = ""
    database: str = ""
    user: str = ""


# SQLSTATE classes a connection attempt fails with when SPILNO_DATABASE_URL names the wrong
# database (3D000) or a user the server refuses (28000 role unknown, 28P01 bad password).
_PG_STATES = {"3D000": "unknown_database", "28000": "login_refused", "28P01": "login_refused"}


def database_problem(error: BaseException, url: str) -> DatabaseProblem | None:
    """Recognise a configuration mistake in `url` behind `error`; None for anything else."""
    if not isinstance(error, DBAPIError):
        return None
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    reason = _PG_STATES.get(str(state)) if state else None
    if reason is None and is_sqlite(url) and "file is not a database" in str(error.orig):
        reason = "not_sqlite"
    if reason is None:
        return None
    server = f"{parsed.host}:{parsed.port or 5432}" if parsed.host else "localhost"
    return DatabaseProblem(reason, server, parsed.database or "", parsed.username or "")


def problem_text(problem: DatabaseProblem) -> str:
    """One line for `spilno` and `spilno-admin` alike, naming the setting to correct."""
    match problem.reason:
        case "unknown_database":
            text = _(
                "there is no database {database} on {server}; create it (createdb {database}) "
                "or correct the name"
            )
        case "login_refused":
            text = _("{server} refused the user {user}; correct the user name and password")
        case _:
            text = _("{database} is not a SQLite database")
    return "SPILNO_DATABASE_URL: " + text.format(
        database=problem.database, server=problem.server, user=problem.user
    )


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    if is_sqlite(url):
        # One connection at a time per process keeps SQLite's single writer honest; NullPool
        # avoids sharing a connection across event loops in tests.
        engine = create_async_engine(
            url, echo=echo, poolclass=NullPool, connect_args={"timeout": 30}
        )
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it would add a round trip to every checkout. A connection that died with the
    # server fails its first statement instead; SQLAlchemy then invalidates the whole pool, the
    # caller answers 503 / retries, and the next checkout connects afresh.
    # asyncpg: each transaction is scoped to its hromada in its BEGIN's round trip
    # (core/storage/tenancy.py); another driver gets one set_config statement per transaction.
    if make_url(url).get_driver_name() != "asyncpg":
        return create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size)
    from core.storage.pg_connection import TenantConnection, forget_pending_scope

    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"connection_class": TenantConnection},
    )
    event.listen(engine.sync_engine, "checkin", forget_pending_scope)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (below) instead of the driver's lazy, deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # SQLite's own lower() folds only ASCII: searches must match "Зелене" with "зелен" as
        # PostgreSQL does, so every func.lower() in our queries gets Python's Unicode lower().
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: two writers queue on busy_timeout instead
        # of deadlocking on a read-to-write lock upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


async def ping(engine: AsyncEngine) -> None:
    """One trivial query: raises when the database cannot answer."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    # Sessions scoped to a hromada: query filters and, on PostgreSQL, row-level security.
    tenancy.install()
    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=False, sync_session_class=tenancy.TenantSession
    )
