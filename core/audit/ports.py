"""The audit log's repository port (implemented in core.audit.sql)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.audit.model import AuditEntry


class AuditRepository(Protocol):
    async def append(self, entry: AuditEntry) -> None: ...
    async def list(
        self, *, limit: int = 100, org: str | None = None, since: datetime | None = None
    ) -> list[AuditEntry]:
        """Newest first; `org` keeps entries whose `after["org"]` is that slug."""
        ...
