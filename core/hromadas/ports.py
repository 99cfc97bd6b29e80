"""What the profile service needs from storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.hromadas.model import Entry, HromadaProfile


@dataclass(frozen=True, slots=True)
class HromadaSummary:
    id: int
    slug: str
    created_at: datetime
    profile: HromadaProfile | None


class ProfileRepository(Protocol):
    """Each method names its hromada: an operator unit of work may name any, a scoped one only
    its own (others raise core.storage.tenancy.OutOfScopeError)."""

    async def load(self, hromada_id: int) -> HromadaProfile | None: ...

    async def save(self, hromada_id: int, profile: HromadaProfile, now: datetime) -> None:
        """Replace the hromada's profile, districts and topics with `profile`'s."""
        ...

    async def codes_in_use(self, hromada_id: int) -> set[tuple[Entry, str]]:
        """Every district and topic code a record of the hromada names."""
        ...

    async def find_slug(self, slug: str) -> int | None: ...

    async def create_hromada(self, slug: str, now: datetime) -> int:
        """A new row in `hromadas` (operator unit of work only); its id."""
        ...

    async def hromadas(self) -> list[HromadaSummary]:
        """Every hromada with its profile (operator unit of work only)."""
        ...
