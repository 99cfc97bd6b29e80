"""Shared helpers for the features' SQL: run a prebuilt Core statement cheaply, pick the dialect.

Hot-path statements live next to the repository that runs them (core/<feature>/sql.py); they
are built once with bind parameters and reused, as building a SQLAlchemy statement costs more
CPU than the database needs to run it."""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.tenancy import with_scope

T = TypeVar("T")

# Where a unit of work keeps its session's connection while a transaction is open: asking the
# session for it on every statement costs a greenlet round of its own. The unit of work drops
# it when the transaction ends (commit / rollback), as the session then lets the connection go.
CONNECTION_KEY = "spilno.connection"


async def _core(session: AsyncSession, stmt: Any, params: Any) -> Any:
    """Execute a Core statement on the session's connection, skipping the ORM layer (cheaper)."""
    connection = session.info.get(CONNECTION_KEY)
    if connection is None:
        connection = session.info[CONNECTION_KEY] = await session.connection()
    return await connection.execute(stmt, with_scope(session, params))


def _dialect_name(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "postgresql"


def _dialect(name: str) -> Any:
    # Imported when first asked for: PostgreSQL's dialect package alone costs a tenth of a
    # simple command's time on SQLite.
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite
    from sqlalchemy.dialects import postgresql

    return postgresql


def _session_dialect(session: AsyncSession) -> Any:
    """The dialect module (its `insert` knows ON CONFLICT) of the database behind a session."""
    return _dialect(_dialect_name(session))


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.init)  # type: ignore[arg-type]


def record(cls: type[T], row: Any, **converted: Any) -> T:
    """The domain dataclass `cls` from a row whose columns carry its field names; `converted`
    gives the fields whose stored form differs (an enum from its value, a tuple from a list)."""
    plain = {name: getattr(row, name) for name in _field_names(cls) if name not in converted}
    return cls(**plain, **converted)


async def fresh_by_id(session: AsyncSession, row_type: type[T], row_id: int) -> T | None:
    """The row with this id as the database has it now, not as the session last saw it (a
    status another transaction changed must not read stale)."""
    query = (
        select(row_type)
        .where(row_type.id == row_id)  # type: ignore[attr-defined]
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalar_one_or_none()
