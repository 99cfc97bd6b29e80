"""The audit log's repository port (implemented in core.audit.sql)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from core.audit.chain import ChainedEntry
from core.audit.model import AuditEntry


class AuditRepository(Protocol):
    async def append(self, entry: AuditEntry, *, hromada_id: int | None = None) -> str:
        """Chain the entry onto the log (waiting for concurrent appends); return its hash.
        `hromada_id`: whose log — required in an operator unit of work; a scoped one refuses
        any but its own."""
        ...

    async def list(
        self, *, limit: int = 100, org: str | None = None, since: datetime | None = None
    ) -> list[AuditEntry]:
        """Newest first; `org` keeps entries whose `after["org"]` is that slug."""
        ...

    async def head(self) -> tuple[int, str]:
        """The last entry's seq and hash ((0, GENESIS) for an empty log)."""
        ...

    async def recorded_head(self) -> tuple[int, str] | None:
        """What the head row says, unchecked (None if the row itself is gone)."""
        ...

    async def hashes(self) -> dict[str, int]:
        """Every stored hash and its seq."""
        ...

    def chain(self) -> AsyncIterator[ChainedEntry]:
        """Every entry in seq order."""
        ...
