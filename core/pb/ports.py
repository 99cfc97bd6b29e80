"""The participatory budgets' repository port (implemented in core.pb.sql)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.campaigns.model import CampaignStatus
from core.kernel.ports import Port
from core.pb.model import (
    Milestone,
    ParticipatoryBudget,
    PbPhase,
    PbRule,
    Pot,
    Progress,
    Project,
    ProjectStatus,
    StoredBallot,
)


class PbRepository(Protocol):
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
        review_at: datetime,
        voting_opens_at: datetime,
        announce_at: datetime,
        rule: PbRule,
        pots: Sequence[Pot],
    ) -> ParticipatoryBudget: ...
    async def get(self, campaign_id: int) -> ParticipatoryBudget | None: ...
    async def set_phase(
        self, pb_id: int, from_phases: Sequence[PbPhase], to_phase: PbPhase
    ) -> bool:
        """Conditional UPDATE: change the phase only from one of `from_phases`."""
        ...

    async def due(self, phase: PbPhase, now: datetime) -> list[int]:
        """PBs whose next transition, into `phase`, is due at `now`."""
        ...

    async def add_project(
        self,
        *,
        pb_id: int,
        author_id: int,
        pot: str,
        title: str,
        description: str,
        cost: int,
        photo_ref: str | None,
        now: datetime,
    ) -> Project: ...
    async def get_project(self, project_id: int) -> Project | None: ...
    async def projects(
        self,
        pb_id: int,
        *,
        statuses: Sequence[ProjectStatus] | None = None,
        author_id: int | None = None,
        pot: str | None = None,
    ) -> list[Project]: ...
    async def review_project(
        self,
        project_id: int,
        *,
        from_statuses: Sequence[ProjectStatus],
        to_status: ProjectStatus,
        cost: int | None,
        reason: str | None,
        now: datetime,
    ) -> bool: ...
    async def set_selected(self, pb_id: int, winners: Sequence[int], now: datetime) -> None:
        """Accepted projects: the winners selected (progress planned), the rest not."""
        ...

    async def set_progress(self, project_id: int, progress: Progress, now: datetime) -> None: ...
    async def lock_ballot(self, pb_id: int, citizen_id: int, pot: str, now: datetime) -> int:
        """Insert-or-touch the resident's ballot row in this pot and hold it; its id."""
        ...

    async def ballots(self, pb_id: int, citizen_id: int) -> list[StoredBallot]: ...
    async def selection(self, ballot_id: int) -> list[Project]: ...
    async def cast(self, ballot_id: int) -> frozenset[int]: ...
    async def select_project(self, ballot_id: int, project_id: int, now: datetime) -> bool: ...
    async def unselect_project(self, ballot_id: int, project_id: int) -> bool: ...
    async def submit(self, ballot_id: int, now: datetime, receipt: str | None) -> None:
        """What is selected becomes what counts; the ballot is submitted at `now` with
        `receipt` as its receipt (a new code on every submission)."""
        ...

    async def receipts(self, pb_id: int) -> dict[int, str]:
        """Ballot id → receipt of the submitted ballots that have one."""
        ...

    async def receipts_of(self, citizen_id: int) -> list[tuple[int, str, str]]:
        """(PB id, pot, receipt) of the citizen's submitted ballots, newest first."""
        ...

    async def tally(self, pb_id: int) -> dict[int, int]:
        """Submitted votes per project id."""
        ...

    async def submitted_ballots(self, pb_id: int) -> list[tuple[int, int, str, frozenset[int]]]:
        """(ballot id, citizen id, pot, projects) of every submitted ballot."""
        ...

    async def voters(self, pb_id: int, pot: str | None = None) -> int: ...
    async def project_voters(self, project_id: int) -> list[int]:
        """Citizens whose submitted ballot holds the project."""
        ...

    async def add_milestone(
        self,
        *,
        project_id: int,
        status: Progress,
        text: str,
        image: bytes | None,
        created_by: str,
        now: datetime,
    ) -> Milestone: ...
    async def milestones(self, project_id: int) -> list[Milestone]: ...
    async def milestone_image(self, milestone_id: int) -> bytes | None: ...


PBS: Port[PbRepository] = Port("pbs", PbRepository)
