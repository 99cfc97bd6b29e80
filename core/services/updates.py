"""Inbound update dedup: a platform redelivering an update must have no second effect."""

from __future__ import annotations

from datetime import datetime

from core.domain.citizen import Citizen, IdentityRef
from core.services.unit_of_work import UnitOfWork


async def claim_update(uow: UnitOfWork, platform: str, update_id: str, now: datetime) -> bool:
    """True the first time; False for a redelivery. Part of the same transaction as its effects."""
    return await uow.updates.record(platform, update_id, now)


async def claim_update_from(
    uow: UnitOfWork, sender: IdentityRef, update_id: str, now: datetime
) -> tuple[bool, tuple[Citizen, bool] | None]:
    """`claim_update` plus the sender's citizen and reachability (None: a newcomer), together."""
    return await uow.citizens.claim_update_and_find(sender, update_id, now)
