"""Helpers the Alembic migrations share (core/storage/migrations/versions)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op


@contextmanager
def sqlite_foreign_keys_off() -> Iterator[None]:
    """Rebuild SQLite tables without losing rows: dropping the old copy of a parent table with
    foreign keys on is an implicit DELETE that cascades to its children. PRAGMA foreign_keys is
    ignored inside a transaction: end it, switch, begin again; check every key before
    switching them back on. Elsewhere it does nothing."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    yield
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=ON")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
