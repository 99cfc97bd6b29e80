"""Audit log: every official and scheduler action, append-only and hash-chained."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.audit.chain import Verification, verify_chain
from core.audit.model import AuditEntry
from core.kernel.unit_of_work import UnitOfWork


async def record(
    uow: UnitOfWork,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    hromada_id: int | None = None,
) -> str:
    """Append one entry; returns the log's new head hash. `hromada_id`: whose log, for an
    operator unit of work (which has no hromada of its own); default: the unit of work's."""
    return await uow.audit.append(
        AuditEntry(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            at=now,
            before=before,
            after=after,
        ),
        hromada_id=hromada_id,
    )


async def recent(
    uow: UnitOfWork,
    limit: int = 100,
    *,
    org: str | None = None,
    since: datetime | None = None,
) -> list[AuditEntry]:
    return await uow.audit.list(limit=limit, org=org, since=since)


async def head(uow: UnitOfWork) -> str:
    """The current head hash: printed with results and exports, posted by `audit anchor`."""
    return (await uow.audit.head())[1]


async def verify(uow: UnitOfWork, *, expected_head: str | None = None) -> Verification:
    """Recompute the whole chain; with `expected_head`, also find that earlier head in it."""
    hashes = await uow.audit.hashes()
    return await verify_chain(
        uow.audit.chain(),
        hashes=hashes,
        recorded_head=await uow.audit.recorded_head(),
        expected_head=expected_head.strip().lower() if expected_head else None,
    )
