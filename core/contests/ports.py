"""The contests' repository port (implemented in core.contests.sql)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.campaigns.breakdown import Breakdown
from core.campaigns.model import CampaignStatus
from core.contests.model import Contest, ContestPhase, Entry, EntryStatus
from core.kernel.ports import Port


class ContestRepository(Protocol):
    async def add(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        opens_at: datetime,
        closes_at: datetime,
        created_by: str,
        now: datetime,
        submissions_close_at: datetime,
        voting_opens_at: datetime,
        votes_per_resident: int,
        winners: int,
        entries_per_resident: int,
        premoderation: bool,
        audience: str,
    ) -> Contest: ...
    async def get(self, campaign_id: int) -> Contest | None: ...
    async def set_phase(
        self, contest_id: int, from_phases: Sequence[ContestPhase], to_phase: ContestPhase
    ) -> bool:
        """Conditional UPDATE: change the phase only from one of `from_phases`."""
        ...

    async def due_for_voting(self, now: datetime) -> list[int]: ...
    async def due_to_finish(self) -> list[int]:
        """Contests whose campaign is closed but whose phase has not finished yet."""
        ...

    async def lock_participant(self, contest_id: int, citizen_id: int, now: datetime) -> None: ...
    async def count_entries(self, contest_id: int, author_id: int) -> int: ...
    async def add_entry(
        self,
        *,
        contest_id: int,
        author_id: int,
        author_seq: int,
        title: str,
        description: str,
        photo_ref: str | None,
        status: EntryStatus,
        now: datetime,
    ) -> Entry: ...
    async def get_entry(self, entry_id: int) -> Entry | None: ...
    async def entries(
        self,
        contest_id: int,
        *,
        statuses: Sequence[EntryStatus] | None = None,
        author_id: int | None = None,
    ) -> list[Entry]: ...
    async def set_entry_status(
        self,
        entry_id: int,
        from_statuses: Sequence[EntryStatus],
        to_status: EntryStatus,
        reason: str | None,
        now: datetime,
    ) -> bool: ...
    async def my_votes(self, contest_id: int, citizen_id: int) -> frozenset[int]: ...
    async def set_receipt(self, contest_id: int, citizen_id: int, receipt: str | None) -> None:
        """On the (locked) participant row."""
        ...

    async def receipt(self, contest_id: int, citizen_id: int) -> str | None: ...
    async def receipts_of(self, citizen_id: int) -> list[tuple[int, str]]:
        """(contest id, receipt) of the citizen's current votes, newest first."""
        ...

    async def add_vote(
        self, contest_id: int, entry_id: int, citizen_id: int, now: datetime
    ) -> bool:
        """Insert the vote; False when this citizen already voted for this entry."""
        ...

    async def remove_vote(self, entry_id: int, citizen_id: int) -> bool: ...
    async def tally(self, contest_id: int) -> dict[int, int]:
        """Votes per entry id."""
        ...

    async def voters(self, contest_id: int) -> int:
        """How many citizens gave at least one vote."""
        ...

    async def tally_by(
        self, contest_id: int, by: Breakdown
    ) -> dict[str | None, tuple[dict[int, int], int]]:
        """(votes per entry id, voters) per group of voters: their home district (None: not
        set) or their verification level ("phone", "none"). Groups without voters are absent."""
        ...


CONTESTS: Port[ContestRepository] = Port("contests", ContestRepository)
