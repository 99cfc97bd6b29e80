"""Inbound update dedup: a platform redelivering an update must have no second effect."""

from __future__ import annotations

from datetime import datetime

from core.services.unit_of_work import UnitOfWork


async def claim_update(uow: UnitOfWork, platform: str, update_id: str, now: datetime) -> bool:
    """True the first time; False for a redelivery. Part of the same transaction as its effects."""
    return await uow.updates.record(platform, update_id, now)
