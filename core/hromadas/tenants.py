"""The port for the list of hromadas an installation serves: what the scheduler sweeps one by
one and what `--hromada SLUG` names (the tenants themselves, not any hromada's data)."""

from __future__ import annotations

from typing import Protocol


class TenantRepository(Protocol):
    async def ids(self) -> list[int]:
        """Every hromada's id, in the order they were created."""
        ...

    async def by_slug(self, slug: str) -> int | None: ...

    async def slug_of(self, hromada_id: int) -> str | None: ...
