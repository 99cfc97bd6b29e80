"""SQLAlchemy implementation of the audit port (core.audit.ports).

Appends are serialised on the `audit_head` row: PostgreSQL locks it (SELECT … FOR UPDATE)
until the appending transaction ends; SQLite transactions start with BEGIN IMMEDIATE (see
core/storage/db.py), which already lets one writer in at a time. Either way two appends can
never both link to the same previous entry, whichever process they come from.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.chain import GENESIS, ChainedEntry, entry_hash
from core.audit.model import AuditEntry
from core.audit.tables import AuditHeadRow, AuditRow
from core.storage.statements import _dialect, _dialect_name
from core.storage.tenancy import require_scope, scoped_hromada

VERIFY_BATCH = 1000


class SqlAuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _hromada(self) -> int:
        """Each hromada has its own chain and head; the log has no operator-wide view."""
        hromada_id = scoped_hromada(self._session)
        if hromada_id is None:
            raise RuntimeError("the audit log is per hromada: not in an operator unit of work")
        return hromada_id

    def _log_of(self, hromada_id: int | None) -> int:
        """Whose log an append goes to: the scope's, or the one an operator names."""
        if hromada_id is None:
            return self._hromada
        require_scope(self._session, hromada_id)
        return hromada_id

    async def _lock_head(self, hromada_id: int) -> tuple[int, str]:
        query = select(AuditHeadRow.seq, AuditHeadRow.hash).where(
            AuditHeadRow.hromada_id == hromada_id
        )
        row = (await self._session.execute(query.with_for_update())).first()
        if row is None:  # a database emptied by hand (or TRUNCATE in tests): start the chain
            insert = _dialect(_dialect_name(self._session)).insert(AuditHeadRow)
            await self._session.execute(
                insert.values(hromada_id=hromada_id, seq=0, hash=GENESIS).on_conflict_do_nothing()
            )
            row = (await self._session.execute(query.with_for_update())).one()
        return int(row.seq), str(row.hash)

    async def append(self, entry: AuditEntry, *, hromada_id: int | None = None) -> str:
        log = self._log_of(hromada_id)
        # Hash what the JSON column will give back (tuples become lists, keys strings).
        before, after = _as_stored(entry.before), _as_stored(entry.after)
        prev_seq, prev_hash = await self._lock_head(log)
        seq = prev_seq + 1
        digest = entry_hash(
            seq=seq,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            before=before,
            after=after,
            prev_hash=prev_hash,
        )
        await self._session.execute(
            insert(AuditRow).values(
                hromada_id=log,
                seq=seq,
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                before=before,
                after=after,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        await self._session.execute(
            update(AuditHeadRow).where(AuditHeadRow.hromada_id == log).values(seq=seq, hash=digest)
        )
        return digest

    async def head(self) -> tuple[int, str]:
        row = (
            await self._session.execute(
                select(AuditHeadRow.seq, AuditHeadRow.hash).where(
                    AuditHeadRow.hromada_id == self._hromada
                )
            )
        ).first()
        return (int(row.seq), str(row.hash)) if row is not None else (0, GENESIS)

    async def recorded_head(self) -> tuple[int, str] | None:
        row = (
            await self._session.execute(
                select(AuditHeadRow.seq, AuditHeadRow.hash).where(
                    AuditHeadRow.hromada_id == self._hromada
                )
            )
        ).first()
        return (int(row.seq), str(row.hash)) if row is not None else None

    async def hashes(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(AuditRow.hash, AuditRow.seq).where(AuditRow.hromada_id == self._hromada)
        )
        return {str(h): int(s) for h, s in rows.all()}

    async def chain(self) -> AsyncIterator[ChainedEntry]:
        """Every entry in seq order, read in batches (a city's log may be long)."""
        after = None
        while True:
            query = (
                select(*AuditRow.__table__.c)
                .where(AuditRow.__table__.c.hromada_id == self._hromada)  # Core: no ORM criteria
                .order_by(AuditRow.seq, AuditRow.id)
                .limit(VERIFY_BATCH)
            )
            if after is not None:
                query = query.where(
                    (AuditRow.seq > after[0])
                    | ((AuditRow.seq == after[0]) & (AuditRow.id > after[1]))
                )
            rows = (await self._session.execute(query)).all()
            for r in rows:
                yield ChainedEntry(
                    seq=r.seq,
                    at=r.at,
                    actor=r.actor,
                    action=r.action,
                    object_type=r.object_type,
                    object_id=r.object_id,
                    before=r.before,
                    after=r.after,
                    prev_hash=r.prev_hash,
                    hash=r.hash,
                )
            if len(rows) < VERIFY_BATCH:
                return
            after = (rows[-1].seq, rows[-1].id)

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
            await self._session.execute(stmt.order_by(AuditRow.seq.desc()).limit(limit))
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


def _as_stored(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else json.loads(json.dumps(value, default=str))
