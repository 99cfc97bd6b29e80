"""SQL side of officials' personal tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.hromadas.tables import HromadaRow
from core.officials.model import Role
from core.officials.tables import OfficialTokenRow
from core.officials.token_model import StoredToken

_COLUMNS = (
    OfficialTokenRow.id,
    OfficialTokenRow.hromada_id,
    OfficialTokenRow.official,
    OfficialTokenRow.role,
    OfficialTokenRow.created_by,
    OfficialTokenRow.created_at,
    OfficialTokenRow.expires_at,
    OfficialTokenRow.revoked_at,
)


def _stored(
    row: tuple[int, int, str, str, str, datetime, datetime | None, datetime | None],
) -> StoredToken:
    id_, hromada_id, official, role, created_by, created_at, expires_at, revoked_at = row
    return StoredToken(
        id=id_,
        hromada_id=hromada_id,
        official=official,
        role=Role(role),
        created_by=created_by,
        created_at=created_at,
        expires_at=expires_at,
        revoked_at=revoked_at,
    )


class SqlOfficialTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        hromada_id: int,
        official: str,
        role: Role,
        token_hash: str,
        created_by: str,
        created_at: datetime,
        expires_at: datetime | None,
    ) -> StoredToken:
        row = (
            await self._session.execute(
                insert(OfficialTokenRow)
                .values(
                    hromada_id=hromada_id,
                    official=official,
                    role=role.value,
                    token_hash=token_hash,
                    created_by=created_by,
                    created_at=created_at,
                    expires_at=expires_at,
                    revoked_at=None,
                )
                .returning(*_COLUMNS)
            )
        ).one()
        return _stored(tuple(row))

    async def find_by_hash(self, token_hash: str) -> tuple[StoredToken, str] | None:
        row = (
            await self._session.execute(
                select(*_COLUMNS, OfficialTokenRow.token_hash).where(
                    OfficialTokenRow.token_hash == token_hash
                )
            )
        ).first()
        if row is None:
            return None
        *stored, stored_hash = tuple(row)
        return _stored(tuple(stored)), stored_hash  # type: ignore[arg-type]

    async def of(self, hromada_id: int, official: str) -> list[StoredToken]:
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(OfficialTokenRow.hromada_id == hromada_id, OfficialTokenRow.official == official)
            .order_by(OfficialTokenRow.id.desc())
        )
        return [_stored(tuple(row)) for row in rows]

    async def all_of(self, hromada_id: int) -> list[StoredToken]:
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(OfficialTokenRow.hromada_id == hromada_id)
            .order_by(OfficialTokenRow.official, OfficialTokenRow.id.desc())
        )
        return [_stored(tuple(row)) for row in rows]

    async def revoke_all(self, hromada_id: int, official: str, now: datetime) -> int:
        result = await self._session.execute(
            update(OfficialTokenRow)
            .where(
                OfficialTokenRow.hromada_id == hromada_id,
                OfficialTokenRow.official == official,
                OfficialTokenRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return result.rowcount or 0  # type: ignore[attr-defined]

    async def hromada_id_of(self, slug: str) -> int | None:
        found = await self._session.execute(select(HromadaRow.id).where(HromadaRow.slug == slug))
        return found.scalar_one_or_none()
