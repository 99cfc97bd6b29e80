"""Audit entries: who did what to which object, with the state before and after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor: str
    action: str  # e.g. "poll.create", "campaign.open"
    object_type: str
    object_id: str
    at: datetime
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = field(default=None)
