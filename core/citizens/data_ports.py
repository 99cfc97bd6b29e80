"""The port "my data" and "forget me" work through (implemented in core/storage/resident_data.py,
driven by the participation registry)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ForgetCounts:
    """Rows per table: deleted (personal), withdrawn (from campaigns not closed yet),
    anonymized (kept for closed results or as public content, cut off from the person)."""

    deleted: dict[str, int]
    withdrawn: dict[str, int]
    anonymized: dict[str, int]


class ResidentDataRepository(Protocol):
    async def citizen_row(self, citizen_id: int) -> dict[str, Any] | None: ...
    async def rows_of(self, citizen_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every exported registry table's rows of this citizen, JSON-ready."""
        ...

    async def ballot_choices(self, ballot_ids: list[int]) -> dict[int, list[int]]: ...
    async def consultation_answers(self, response_ids: list[int]) -> dict[int, list[dict]]: ...
    async def forget(self, citizen_id: int, *, now: datetime, marker: str) -> ForgetCounts: ...
