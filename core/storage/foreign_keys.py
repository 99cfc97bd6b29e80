"""Every table a write's foreign keys name is in the metadata before the ORM writes.

Table modules are imported with the repository that uses them (core/storage/unit_of_work.py),
so a process may hold a table whose foreign key names one it never imported (a poll's ballots
name the citizens). The ORM orders a flush, and an ORM bulk statement, by every foreign key of
the tables it writes, and fails on one it cannot resolve: before either, the rest of the schema
is imported — once, and only when some foreign key dangles. The composition root
(core/bootstrap.py) installs it with the schema's importer (core/storage/schema.py imports
every feature, which this leaf must not).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState

from core.storage.base import Base
from core.storage.tenancy import TenantSession

# How many tables the metadata held when every foreign key last resolved.
_complete_at = 0
_import_schema: Callable[[], object] | None = None


def install(import_schema: Callable[[], object]) -> None:
    """Before every flush and ORM write of the scoped sessions (idempotent)."""
    global _import_schema
    _import_schema = import_schema
    if not event.contains(TenantSession, "before_flush", _before_flush):
        event.listen(TenantSession, "before_flush", _before_flush)
        event.listen(TenantSession, "do_orm_execute", _before_orm_write)


def complete_schema() -> None:
    global _complete_at
    tables = Base.metadata.tables
    if len(tables) == _complete_at or _import_schema is None:
        return
    if any(
        fk.target_fullname.rpartition(".")[0] not in tables
        for table in tables.values()
        for fk in table.foreign_keys
    ):
        _import_schema()
    _complete_at = len(Base.metadata.tables)


def _before_flush(_session: Any, _context: Any, _instances: Any) -> None:
    complete_schema()


def _before_orm_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        complete_schema()
