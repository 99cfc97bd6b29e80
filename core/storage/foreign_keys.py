"""Every table a write's foreign keys name is in the metadata before the ORM writes.

Table modules are imported with the repository that uses them (core/storage/unit_of_work.py),
so a process may hold a table whose foreign key names one it never imported (a poll's ballots
name the citizens). The ORM orders a flush, and an ORM bulk statement, by every foreign key of
the tables it writes, and fails on one it cannot resolve: before either, the rest of the schema
is imported (core/storage/schema.py) — once, and only when some foreign key dangles.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import ORMExecuteState

from core.storage.base import Base

# How many tables the metadata held when every foreign key last resolved.
_complete_at = 0


def complete_schema() -> None:
    global _complete_at
    tables = Base.metadata.tables
    if len(tables) == _complete_at:
        return
    if any(
        fk.target_fullname.rpartition(".")[0] not in tables
        for table in tables.values()
        for fk in table.foreign_keys
    ):
        import core.storage.schema  # noqa: F401 (every table module)
    _complete_at = len(Base.metadata.tables)


def before_flush(_session: Any, _context: Any, _instances: Any) -> None:
    complete_schema()


def before_orm_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        complete_schema()
