"""The citizens' repository port (implemented in core.citizens.sql)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.citizens.model import Citizen, IdentityRef


class CitizenRepository(Protocol):
    async def get_by_identity(self, ref: IdentityRef) -> Citizen | None: ...
    async def find(self, ref: IdentityRef) -> tuple[Citizen, bool] | None:
        """The citizen owning this identity and whether that identity is reachable."""
        ...

    async def claim_update_and_find(
        self, ref: IdentityRef, update_id: str, now: datetime
    ) -> tuple[bool, tuple[Citizen, bool] | None]:
        """Remember the update `ref` sent (False: a redelivery) and `find(ref)`, in one go.

        Every inbound update does both first; on PostgreSQL it is one round trip, not two.
        """
        ...

    async def create(self, ref: IdentityRef, locale: str | None, now: datetime) -> Citizen: ...
    async def save(self, citizen: Citizen) -> None: ...
    async def set_reachable(self, ref: IdentityRef, reachable: bool) -> bool: ...
    async def is_reachable(self, ref: IdentityRef) -> bool | None: ...
    async def get(self, citizen_id: int) -> Citizen | None: ...
    async def set_home_district(
        self, citizen_id: int, code: str, *, now: datetime, changeable_before: datetime
    ) -> bool:
        """Set the home district unless it was set after `changeable_before` (conditional
        UPDATE: two quick taps cannot both change it). False: refused, nothing written."""
        ...

    async def mark_verified(self, citizen_id: int, at: datetime) -> None:
        """Record that the resident is verified (by phone) since `at`."""
        ...

    async def identities_of(self, citizen_ids: Sequence[int]) -> dict[int, list[IdentityRef]]:
        """Each citizen's platform identities (oldest first), for officials' exports."""
        ...
