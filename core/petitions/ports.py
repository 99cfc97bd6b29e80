"""The petitions' repository port (implemented in core.petitions.sql)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.kernel.ports import Port
from core.petitions.model import (
    Decision,
    NewPetition,
    Petition,
    PetitionQuery,
    RejectReason,
)


class PetitionRepository(Protocol):
    """Petitions and their signatures. Status changes are conditional UPDATEs; the signature
    count changes next to the signature row its primary key admitted."""

    async def add(self, petition: NewPetition, *, created_by: str, now: datetime) -> Petition:
        """A pending petition (its campaign a draft)."""
        ...

    async def get(self, petition_id: int) -> Petition | None: ...
    async def search(self, query: PetitionQuery, *, offset: int, limit: int) -> list[Petition]: ...
    async def approve(
        self, petition_id: int, *, threshold: int, closes_at: datetime, now: datetime
    ) -> bool:
        """pending → open, its campaign draft → open with the signature period."""
        ...

    async def reject(
        self, petition_id: int, *, reason: RejectReason, note: str | None, now: datetime
    ) -> bool:
        """pending → rejected, its campaign closed without ever opening."""
        ...

    async def reach_threshold(self, petition_id: int, *, due_at: datetime, now: datetime) -> bool:
        """open → threshold_reached (exactly one of concurrent signers gets True)."""
        ...

    async def answer(
        self, petition_id: int, *, decision: Decision, text: str, now: datetime
    ) -> bool:
        """threshold_reached → answered; its campaign closes if it still took signatures."""
        ...

    async def expired(self, now: datetime) -> list[int]:
        """Open petitions whose signature period has ended."""
        ...

    async def close_unsuccessful(self, petition_id: int, now: datetime) -> bool:
        """open → not_enough_signatures, its campaign closed."""
        ...

    async def add_signature(self, petition_id: int, citizen_id: int, now: datetime) -> int | None:
        """The new signature count, or None when this citizen has already signed."""
        ...

    async def signed_among(self, citizen_id: int, petition_ids: Sequence[int]) -> set[int]: ...
    async def signer_ids(self, petition_id: int) -> list[int]: ...


PETITIONS: Port[PetitionRepository] = Port("petitions", PetitionRepository)
