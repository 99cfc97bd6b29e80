"""Inbound update dedup: a platform redelivering an update must have no second effect."""

from __future__ import annotations

from datetime import datetime

from core.citizens.model import Citizen, IdentityRef
from core.kernel.unit_of_work import UnitOfWork


async def claim_update_from(
    uow: UnitOfWork, sender: IdentityRef, update_id: str, now: datetime
) -> tuple[bool, tuple[Citizen, bool] | None]:
    """Remember the update (False: a redelivery, to be ignored) and find its sender's citizen
    and reachability (None: a newcomer). Part of the same transaction as the update's effects."""
    return await uow.citizens.claim_update_and_find(sender, update_id, now)
