"""SQLAlchemy implementation of the audit port (core.audit.ports)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.model import AuditEntry
from core.audit.tables import AuditRow


class SqlAuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, entry: AuditEntry) -> None:
        self._session.add(
            AuditRow(
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                before=entry.before,
                after=entry.after,
            )
        )
        await self._session.flush()

    async def list(
        self, *, limit: int = 100, org: str | None = None, since: datetime | None = None
    ) -> list[AuditEntry]:
        stmt = select(AuditRow)
        if org is not None:
            # Organization actions carry the slug in `after` (JSON ->> / json_extract).
            stmt = stmt.where(AuditRow.after["org"].as_string() == org)
        if since is not None:
            stmt = stmt.where(AuditRow.at >= since)
        rows = (
            await self._session.execute(stmt.order_by(AuditRow.id.desc()).limit(limit))
        ).scalars()
        return [
            AuditEntry(
                actor=r.actor,
                action=r.action,
                object_type=r.object_type,
                object_id=r.object_id,
                at=r.at,
                before=r.before,
                after=r.after,
            )
            for r in rows
        ]
