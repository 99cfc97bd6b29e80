"""Scoping a unit of work's session to one hromada (issue 18).

Two fences, so one forgotten filter leaks nothing:

1. Every ORM statement the session runs (select, update, delete — also `session.get` and every
   subquery) gets `hromada_id = <the session's hromada>` on each hromada-owned table it names
   (`with_loader_criteria` on the `HromadaOwned` marker). This is the explicit filter, applied
   in one place, and the only fence SQLite has. Statements on bare `Table` objects or `text()`
   are not ORM statements: the few repositories that use them filter by `scoped_hromada`.
2. On PostgreSQL each transaction sets `spilno.hromada_id` (or `spilno.operator`) for the
   row-level-security policies of migration 0018, with set_config(..., true). Superusers and
   BYPASSRLS roles skip those policies, so when the connecting user is one of them the same
   statement also switches the transaction to the NOLOGIN role `spilno_tenant` the migration
   created (SET LOCAL ROLE; it ends with the transaction, so migrations and maintenance on the
   same engine keep their own rights). No extra round trip: the statement rides on the
   transaction's BEGIN, which asyncpg sends as a simple query (TenantConnection, in
   core/storage/pg_connection.py: asyncpg is imported for PostgreSQL only).

Operator sessions (the delivery worker's claim, sweeps over all hromadas, hromada management)
get neither filter and `spilno.operator = on`.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import ColumnElement, bindparam, event, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, with_loader_criteria

from core.hromadas.rls import HROMADA_SETTING, OPERATOR_SETTING
from core.hromadas.scope import current_hromada_id
from core.hromadas.tables import HromadaOwned, HromadaRow

log = logging.getLogger(__name__)

# The bind parameter prebuilt Core statements compare `hromada_id` with (`scoped`); every
# statement a scoped session runs gets it (not a column name: INSERT/UPDATE reserve those).
SCOPE_PARAM = "scope_hromada_id"

# session.info keys: the hromada the session is scoped to, or OPERATOR.
SCOPE_KEY = "spilno.scope"
OPERATOR = "operator"
# Connection-record info: whether this connection must switch to TENANT_ROLE (checked once).
_SWITCH_KEY = "spilno.switch_role"
TENANT_ROLE = "spilno_tenant"

_BYPASS_QUERY = (
    "SELECT r.rolsuper OR r.rolbypassrls, COALESCE(("
    f"SELECT pg_has_role(current_user, t.oid, 'MEMBER') FROM pg_roles t "
    f"WHERE t.rolname = '{TENANT_ROLE}'), false) FROM pg_roles r WHERE r.rolname = current_user"
)


class TenantSession(Session):
    """The sync session behind every AsyncSession of create_session_factory."""


def install() -> None:
    """Attach the two fences to TenantSession (idempotent; called by the session factory)."""
    if not event.contains(TenantSession, "do_orm_execute", _filter_by_hromada):
        event.listen(TenantSession, "do_orm_execute", _filter_by_hromada)
        event.listen(TenantSession, "after_begin", _scope_transaction)


def scope_session(session: Any, *, operator: bool = False) -> None:
    """Scope `session` (sync or async) to the current hromada, or to none as the operator."""
    session.info[SCOPE_KEY] = OPERATOR if operator else current_hromada_id()


def scoped_hromada(session: Any) -> int | None:
    """The hromada `session` works for; None in operator mode."""
    scope = session.info.get(SCOPE_KEY)
    if scope is None:  # a session opened outside a unit of work: the hromada the code runs for
        return current_hromada_id()
    return None if scope == OPERATOR else int(scope)


class OutOfScopeError(RuntimeError):
    """Code asked a scoped session for another hromada's rows: the fences would hide them, so
    the answer would be silently empty. Work across hromadas belongs in an operator unit of work."""


def require_scope(session: Any, hromada_id: int | None = None) -> None:
    """Refuse unless `session` may read and write `hromada_id`'s rows by naming it: an operator
    session may name any; a scoped one only its own. Without `hromada_id`: operator only."""
    scope = scoped_hromada(session)
    if scope is None or scope == hromada_id:
        return
    wanted = "every hromada" if hromada_id is None else f"hromada {hromada_id}"
    raise OutOfScopeError(
        f"{wanted} asked of a unit of work scoped to hromada {scope}: use an operator one"
    )


def scoped(column: ColumnElement[int]) -> ColumnElement[bool]:
    """`hromada_id = <the session's hromada>` for a Core statement built once (the ORM ones get
    it by themselves): `_core` and `session.execute` supply the parameter."""
    return column == bindparam(SCOPE_PARAM)


def with_scope(session: Any, params: Any) -> Any:
    """`params` plus the scope parameter, when the session is scoped and params is one row."""
    if params is None or isinstance(params, dict):
        hromada_id = scoped_hromada(session)
        if hromada_id is not None:
            return {**(params or {}), SCOPE_PARAM: hromada_id}
    return params


# Built once, compared with the scope parameter (not the id itself): one cache key for every
# hromada, so adding it costs a statement copy, not a new compilation.
# (The name is spelled out: SQLAlchemy's lambdas would track a variable as a parameter.)
_IN_SCOPE = with_loader_criteria(
    HromadaOwned, lambda cls: cls.hromada_id == bindparam("scope_hromada_id"), include_aliases=True
)


def _filter_by_hromada(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return
    if isinstance(state.parameters, list):  # a bulk UPDATE by primary keys: rows already found
        return
    hromada_id = scoped_hromada(state.session)
    if hromada_id is None:
        return
    state.parameters = with_scope(state.session, state.parameters)
    state.statement = state.statement.options(_IN_SCOPE)


def _scope_transaction(
    session: Session, _transaction: SessionTransaction, conn: Connection
) -> None:
    if conn.dialect.name != "postgresql":
        return
    hromada_id = scoped_hromada(session)
    if hromada_id is None:
        settings = f"set_config('{OPERATOR_SETTING}', 'on', true)"
    else:
        settings = f"set_config('{HROMADA_SETTING}', '{int(hromada_id)}', true)"
    known = _SWITCH_KEY in conn.info
    if _must_switch_role(conn):
        settings += f", set_config('role', '{TENANT_ROLE}', true)"
    from core.storage.pg_connection import TenantConnection  # asyncpg: PostgreSQL only

    driver = conn.connection.driver_connection
    if known and isinstance(driver, TenantConnection):
        driver._spilno_with_begin = f"SELECT {settings}"  # rides on the coming BEGIN
    else:  # the role check just began the transaction (once per connection), or a plain driver
        conn.exec_driver_sql(f"SELECT {settings}")


def _must_switch_role(conn: Connection) -> bool:
    info = conn.info
    switch = info.get(_SWITCH_KEY)
    if switch is None:
        bypasses, may_switch = conn.exec_driver_sql(_BYPASS_QUERY).one()
        switch = bool(bypasses and may_switch)
        if bypasses and not may_switch:
            log.warning(
                "the database user bypasses row-level security and cannot use the role %s "
                "(run the migrations as a user that may create it): only the query filters "
                "keep hromadas apart",
                TENANT_ROLE,
            )
        info[_SWITCH_KEY] = switch
    return bool(switch)


class SqlTenantRepository:
    """The hromadas table: no hromada owns it, so neither fence applies."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ids(self) -> list[int]:
        rows = await self._session.execute(select(HromadaRow.id).order_by(HromadaRow.id))
        return list(rows.scalars())

    async def by_slug(self, slug: str) -> int | None:
        query = select(HromadaRow.id).where(HromadaRow.slug == slug)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def slug_of(self, hromada_id: int) -> str | None:
        query = select(HromadaRow.slug).where(HromadaRow.id == hromada_id)
        return (await self._session.execute(query)).scalar_one_or_none()
