"""Audit log: every official action, append-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
) -> None:
    await uow.audit.append(
        AuditEntry(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            at=now,
            before=before,
            after=after,
        )
    )


async def recent(
    uow: UnitOfWork,
    limit: int = 100,
    *,
    org: str | None = None,
    since: datetime | None = None,
) -> list[AuditEntry]:
    return await uow.audit.list(limit=limit, org=org, since=since)
