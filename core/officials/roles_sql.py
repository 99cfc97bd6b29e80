"""Officials' roles in a hromada, in SQL (the `officials` repository of a unit of work).

Apart from the organizations' SQL (core/organizations/sql.py), whose import registers audiences
and loads the delivery tables: checking who may act is the first thing every command does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.officials.model import Grant, Role
from core.organizations.tables import OfficialRoleRow
from core.storage.statements import _session_dialect
from core.storage.tenancy import require_scope, scoped_hromada

CITY_SCOPE = "city"


def _insert(session: AsyncSession) -> Any:
    return _session_dialect(session).insert


class SqlOfficialRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _scoped(self) -> None:
        # In an operator unit of work nothing filters by hromada: these would read every
        # hromada's roles as one. Operators' checks name the hromada (grants_in).
        if scoped_hromada(self._session) is None:
            raise RuntimeError("officials' roles are per hromada: use grants_in / has_role_in")

    async def grants_of(self, official: str) -> list[Grant]:
        self._scoped()
        rows = await self._session.execute(
            select(OfficialRoleRow.role, OfficialRoleRow.org_id).where(
                OfficialRoleRow.official == official
            )
        )
        return [Grant(official, Role(role), org_id) for role, org_id in rows]

    async def has_city_admin(self) -> bool:
        self._scoped()
        found = await self._session.execute(
            select(OfficialRoleRow.id).where(OfficialRoleRow.role == Role.CITY_ADMIN.value).limit(1)
        )
        return found.first() is not None

    async def grants_in(self, hromada_id: int, official: str) -> list[Grant]:
        require_scope(self._session, hromada_id)
        rows = await self._session.execute(
            select(OfficialRoleRow.role, OfficialRoleRow.org_id).where(
                OfficialRoleRow.hromada_id == hromada_id, OfficialRoleRow.official == official
            )
        )
        return [Grant(official, Role(role), org_id) for role, org_id in rows]

    async def has_role_in(self, hromada_id: int, role: Role | None = None) -> bool:
        require_scope(self._session, hromada_id)
        query = select(OfficialRoleRow.id).where(OfficialRoleRow.hromada_id == hromada_id)
        if role is not None:
            query = query.where(OfficialRoleRow.role == role.value)
        return (await self._session.execute(query.limit(1))).first() is not None

    async def grant(self, grant: Grant, *, granted_by: str, now: datetime) -> bool:
        stmt = (
            _insert(self._session)(OfficialRoleRow)
            .values(
                official=grant.official,
                role=grant.role.value,
                scope=CITY_SCOPE if grant.org_id is None else str(grant.org_id),
                org_id=grant.org_id,
                granted_by=granted_by,
                granted_at=now,
            )
            .on_conflict_do_nothing(index_elements=["hromada_id", "official", "role", "scope"])
        )
        result = await self._session.execute(stmt)
        return (result.rowcount or 0) > 0

    async def all_grants(self) -> list[Grant]:
        self._scoped()
        rows = await self._session.execute(
            select(OfficialRoleRow.official, OfficialRoleRow.role, OfficialRoleRow.org_id).order_by(
                OfficialRoleRow.official, OfficialRoleRow.role, OfficialRoleRow.org_id
            )
        )
        return [Grant(name, Role(role), org_id) for name, role, org_id in rows]
