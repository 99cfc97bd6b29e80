"""No migration loses data: for every revision, a database filled at its parent keeps every row.

Each case migrates an empty database (a SQLite file, or a PostgreSQL database of its own) to
the revision's parent, writes rows into EVERY table that exists there (so whatever tables the
revision touches have data, and so do their children: a batch rebuild of a parent with foreign
keys on cascades to them on SQLite), upgrades to the revision, and compares the row counts of
all tables that existed before. The rows are generated from the reflected schema, so a new
table or migration is covered without editing this file. The downgrade of each revision is
checked the same way (filled at the revision, back to its parent, the parent's tables keep
their rows).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from core.storage.db import create_engine
from core.storage.migrate import alembic_config, current_revision, upgrade
from tests.conftest import BACKENDS
from tests.databases import PostgresTestDatabase, _dsn

# Rows written per table; their values differ in every column, so uniques hold.
ROWS = (1001, 1002)
# Tables that hold one row (per hromada) by design: the audit chain's head, a hromada's profile.
SINGLETONS = {"audit_head", "hromada_profiles"}
# Tables the migrations themselves fill (hromada 1, from 0017): rows written here belong to the
# row that is already there, as every row of a real installation does.
PRESEEDED = {"hromadas"}
# Tables a revision deliberately changes the row count of (documented in the revision).
DELIBERATE: dict[str, set[str]] = {}


def _revisions() -> list[tuple[str, tuple[str, ...]]]:
    """(revision, its parents) from the first to the head."""
    scripts = ScriptDirectory.from_config(alembic_config())
    found = []
    for script in reversed(list(scripts.walk_revisions())):
        down = script.down_revision
        parents = () if down is None else (down,) if isinstance(down, str) else tuple(down)
        found.append((script.revision, parents))
    return found


REVISIONS = [(rev, parents) for rev, parents in _revisions() if parents]


def _value(column: sa.Column[Any], i: int) -> Any:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return i % 2 == 0
    if isinstance(kind, sa.Integer):
        return i
    if isinstance(kind, sa.Float | sa.Numeric):
        return float(i)
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=i % 1000, minutes=i)
    if isinstance(kind, sa.Date):
        return date(2026, 1, 1) + timedelta(days=i % 1000)
    if isinstance(kind, sa.Time):
        return time(i % 24, i % 60)
    if isinstance(kind, sa.JSON):
        return {"row": i, "note": f"v{i}"}
    if isinstance(kind, sa.LargeBinary):
        return f"v{i}".encode()
    if isinstance(kind, sa.String):
        text = f"v{i}"
        length = kind.length
        return text[-length:] if length else text
    raise AssertionError(f"no sample value for {column.table.name}.{column.name}: {kind!r}")


def _fill(connection: sa.Connection) -> None:
    """Two rows in every table, parents first; a foreign key takes its parent row's value."""
    meta = sa.MetaData()
    meta.reflect(connection)
    written: dict[tuple[str, str], dict[int, Any]] = {}
    for table in meta.sorted_tables:
        if table.name == "alembic_version":
            continue
        if table.name in SINGLETONS | PRESEEDED:
            there = connection.execute(sa.select(table)).mappings().first()
            if there is not None:  # the migrations wrote it (0012 the audit head, 0017 hromada 1)
                for column in table.columns:
                    written[(table.name, column.name)] = dict.fromkeys(ROWS, there[column.name])
                continue
        rows = []
        for i in ROWS[:1] if table.name in SINGLETONS else ROWS:
            row = {}
            for column in table.columns:
                (fk, *_more) = column.foreign_keys or (None,)
                if fk is not None and fk.column.table.name != table.name:
                    row[column.name] = written[(fk.column.table.name, fk.column.name)][i]
                elif fk is not None:  # a row pointing at itself: no parent
                    row[column.name] = None
                else:
                    row[column.name] = _value(column, i)
                written.setdefault((table.name, column.name), {})[i] = row[column.name]
            rows.append(row)
        connection.execute(table.insert(), rows)


def _counts(connection: sa.Connection) -> dict[str, int]:
    meta = sa.MetaData()
    meta.reflect(connection)
    return {
        name: int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
        for name, table in meta.tables.items()
        if name != "alembic_version"
    }


async def _admin(server_url: str, statement: str) -> None:
    conn = await asyncpg.connect(_dsn(server_url))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database: PostgresTestDatabase
) -> AsyncIterator[AsyncEngine]:
    """An engine on a database with no tables at all (not the migrated test databases)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
        yield engine
        await engine.dispose()
        return
    if postgres_database.unavailable_reason:
        pytest.skip(postgres_database.unavailable_reason)
    server = postgres_database.server_url
    name = f"spilno_migdata_{uuid.uuid4().hex[:10]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    engine = create_engine(server.rsplit("/", 1)[0] + "/" + name)
    try:
        yield engine
    finally:
        await engine.dispose()
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize(("revision", "parents"), REVISIONS, ids=[r for r, _p in REVISIONS])
async def test_upgrading_keeps_every_row(
    empty_engine: AsyncEngine, revision: str, parents: tuple[str, ...]
) -> None:
    for parent in parents:
        await upgrade(empty_engine, parent)
    async with empty_engine.begin() as conn:
        await conn.run_sync(_fill)
    async with empty_engine.connect() as conn:
        before = await conn.run_sync(_counts)
    assert before and all(before.values()), before

    await upgrade(empty_engine, revision)

    assert await current_revision(empty_engine) == frozenset({revision})
    async with empty_engine.connect() as conn:
        after = await conn.run_sync(_counts)
    lost = {
        table: (count, after.get(table))
        for table, count in before.items()
        if after.get(table) != count and table not in DELIBERATE.get(revision, set())
    }
    assert lost == {}, f"{revision} changed these tables' rows (before, after): {lost}"


def _downgrader(target: str) -> Callable[[sa.Connection], None]:
    def run(connection: sa.Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, target)

    return run


# A merge revision has no single parent to go back to (and nothing of its own to undo).
ONE_PARENT = [(rev, parents) for rev, parents in REVISIONS if len(parents) == 1]


@pytest.mark.parametrize(("revision", "parents"), ONE_PARENT, ids=[r for r, _p in ONE_PARENT])
async def test_downgrading_keeps_every_row_of_the_tables_the_parent_has(
    empty_engine: AsyncEngine, revision: str, parents: tuple[str, ...]
) -> None:
    """Going back loses the columns and tables the revision added, never rows of the others."""
    await upgrade(empty_engine, revision)
    async with empty_engine.begin() as conn:
        await conn.run_sync(_fill)
    async with empty_engine.connect() as conn:
        before = await conn.run_sync(_counts)

    async with empty_engine.begin() as conn:
        await conn.run_sync(_downgrader(parents[0]))

    assert await current_revision(empty_engine) == frozenset(parents)
    async with empty_engine.connect() as conn:
        after = await conn.run_sync(_counts)
    lost = {
        table: (before[table], count) for table, count in after.items() if before[table] != count
    }
    assert lost == {}, f"{revision} downgraded changed these tables' rows (before, after): {lost}"


def test_every_revision_but_the_first_is_checked() -> None:
    every = [rev for rev, _parents in _revisions()]
    assert [rev for rev, _p in REVISIONS] == every[1:]
    assert len(every) >= 19
