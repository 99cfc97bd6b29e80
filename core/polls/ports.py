"""The ballots' repository port (implemented in core.polls.sql)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.campaigns.breakdown import Breakdown
from core.kernel.ports import Port


class BallotRepository(Protocol):
    async def choices(self, campaign_id: int, citizen_id: int) -> frozenset[int]: ...
    async def lock_ballot(self, campaign_id: int, citizen_id: int, now: datetime) -> int:
        """Return the citizen's ballot id for this poll, creating it if needed, locked until commit."""
        ...

    async def take_choices(self, ballot_id: int) -> frozenset[int]:
        """Remove the ballot's choices and return what they were (one DELETE … RETURNING)."""
        ...

    async def add_choices(
        self, ballot_id: int, campaign_id: int, option_ids: frozenset[int]
    ) -> None: ...
    async def replace_choices(
        self, ballot_id: int, campaign_id: int, option_ids: frozenset[int]
    ) -> None:
        """Make the (locked) ballot's choices exactly `option_ids` (one round trip where it can)."""
        ...

    async def set_receipt(self, ballot_id: int, receipt: str | None) -> None: ...
    async def receipt(self, campaign_id: int, citizen_id: int) -> str | None: ...
    async def receipts_of(self, citizen_id: int) -> list[tuple[int, str]]:
        """(campaign id, receipt) of the citizen's counted ballots, newest first."""
        ...

    async def tally(self, campaign_id: int) -> tuple[dict[int, int], int]:
        """Votes per option id and the number of voters who chose at least one option."""
        ...

    async def tally_by(
        self, campaign_id: int, by: Breakdown
    ) -> dict[str | None, tuple[dict[int, int], int]]:
        """`tally` per group of voters: their home district (None: not set) or their
        verification level ("phone", "none"). Groups without voters are absent."""
        ...


BALLOTS: Port[BallotRepository] = Port("ballots", BallotRepository)
