"""What the open-data export reads (implemented in core.trust.sql)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BallotRecord:
    """One counted ballot: `key` is private (pseudonymised before it leaves the server)."""

    key: int
    choices: tuple[int, ...]
    district: str | None
    verified: bool
    cast_at: datetime
    receipt: str | None


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    response_key: int
    question_id: int
    value: int | None
    text: str | None
    district: str | None
    verified: bool
    submitted_at: datetime


class OpenDataRepository(Protocol):
    async def poll_ballots(self, campaign_id: int) -> list[BallotRecord]:
        """Ballots with at least one choice (those the tally counts)."""
        ...

    async def contest_ballots(self, campaign_id: int) -> list[BallotRecord]:
        """One per voter: the entries they voted for."""
        ...

    async def consultation_answers(self, campaign_id: int) -> list[AnswerRecord]:
        """Answers of submitted responses."""
        ...

    async def texts_public(self, campaign_id: int) -> bool: ...
    async def campaign_ids(self) -> list[int]: ...
