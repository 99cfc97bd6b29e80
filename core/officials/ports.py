"""The repository port of officials' personal tokens (attached to the UnitOfWork as
`official_tokens`; implemented in core/officials/sql.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.officials.model import Role
from core.officials.token_model import StoredToken


class OfficialTokenRepository(Protocol):
    async def add(
        self,
        *,
        hromada_id: int,
        official: str,
        role: Role,
        token_hash: str,
        created_by: str,
        created_at: datetime,
        expires_at: datetime | None,
    ) -> StoredToken: ...

    async def find_by_hash(self, token_hash: str) -> tuple[StoredToken, str] | None:
        """The token with this hash in any hromada, and the hash as stored."""
        ...

    async def of(self, hromada_id: int, official: str) -> list[StoredToken]:
        """Every token of `official` in the hromada, newest first (revoked and expired too)."""
        ...

    async def all_of(self, hromada_id: int) -> list[StoredToken]: ...

    async def revoke_all(self, hromada_id: int, official: str, now: datetime) -> int:
        """Revoke every token of `official` in the hromada not yet revoked; how many were."""
        ...

    async def hromada_id_of(self, slug: str) -> int | None: ...
