"""Once per citizen, counted: a support of an idea, a signature under a petition.

The row's primary key (item, citizen) is the rule; the count lives on the item's row (a
denormalised counter list pages read without joins) and changes by an atomic UPDATE next to
the row the constraint admitted, so a second tap — concurrent or from a linked messenger,
which is the same citizen — changes nothing. Shared by ideas and petitions (core/ideas/sql.py,
core/petitions/sql.py); merging recounts such counters from the registry
(`CitizenReference.counted_in`, core/storage/merging.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Column, Table, delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.statements import _core, _dialect, _dialect_name


@cache
def _insert_once(dialect_name: str, table: Table) -> Any:
    # ON CONFLICT DO NOTHING: a concurrent second tap waits for the first to commit, then
    # inserts nothing; the count is only bumped for a row that was really inserted.
    return _dialect(dialect_name).insert(table).on_conflict_do_nothing()


async def bump(session: AsyncSession, counter: Column[Any], item_id: int, delta: int) -> int:
    """counter += delta on the item's row (its `id`); the new value."""
    table = counter.table
    result = await _core(
        session,
        update(table)
        .where(table.c.id == item_id)
        .values({counter: counter + delta})
        .returning(counter),
        None,
    )
    return int(result.scalar_one())


async def add_once(
    session: AsyncSession,
    rows: Table,
    values: Mapping[str, Any],
    *,
    counter: Column[Any],
    item_id: int,
) -> int | None:
    """Insert the row unless it exists; the item's new count, or None when it did exist."""
    inserted = await _core(session, _insert_once(_dialect_name(session), rows), dict(values))
    if not inserted.rowcount:
        return None
    return await bump(session, counter, item_id, +1)


async def remove_once(
    session: AsyncSession,
    rows: Table,
    key: Mapping[str, Any],
    *,
    counter: Column[Any],
    item_id: int,
) -> int | None:
    """Delete the row; the item's new count, or None when there was nothing to delete."""
    deleted = await _core(
        session, delete(rows).where(*(rows.c[name] == value for name, value in key.items())), None
    )
    if not deleted.rowcount:
        return None
    return await bump(session, counter, item_id, -1)
