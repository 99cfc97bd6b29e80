"""The ports the services work through: a unit of work and the repositories hanging off it.

`core.storage` implements them on SQLAlchemy; tests/fakes implements them in memory. Services
never see a session or a row: only these methods and the domain types they return.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from core.domain.audit import AuditEntry
from core.domain.campaign import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.domain.citizen import Citizen, IdentityRef
from core.domain.poll import Poll


class ConflictError(Exception):
    """A uniqueness race lost to a concurrent transaction; the whole unit of work may be retried."""


class StorageUnavailableError(Exception):
    """The database cannot be reached."""


class CitizenRepository(Protocol):
    async def get_by_identity(self, ref: IdentityRef) -> Citizen | None: ...
    async def find(self, ref: IdentityRef) -> tuple[Citizen, bool] | None:
        """The citizen owning this identity and whether that identity is reachable."""
        ...

    async def create(self, ref: IdentityRef, locale: str | None, now: datetime) -> Citizen: ...
    async def save(self, citizen: Citizen) -> None: ...
    async def set_reachable(self, ref: IdentityRef, reachable: bool) -> bool: ...
    async def is_reachable(self, ref: IdentityRef) -> bool | None: ...


class ProcessedUpdateRepository(Protocol):
    async def record(self, platform: str, update_id: str, now: datetime) -> bool:
        """Remember an update; False when it was already processed (a redelivery)."""
        ...


class CampaignRepository(Protocol):
    async def add_poll(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        visibility: ResultsVisibility,
        created_by: str,
        now: datetime,
        max_choices: int,
        options: Sequence[str],
    ) -> Poll: ...
    async def get(self, campaign_id: int) -> Campaign | None: ...
    async def get_poll(self, campaign_id: int) -> Poll | None: ...
    async def list(
        self,
        *,
        kinds: Sequence[CampaignKind] | None = None,
        statuses: Sequence[CampaignStatus] | None = None,
    ) -> list[Campaign]: ...
    async def transition(
        self,
        campaign_id: int,
        from_statuses: Sequence[CampaignStatus],
        to_status: CampaignStatus,
        now: datetime,
        *,
        opens_at: datetime | None = None,
        closes_at: datetime | None = None,
    ) -> bool:
        """Conditional UPDATE: change status only if the current one is in `from_statuses`."""
        ...

    async def due_to_open(self, now: datetime) -> list[int]: ...
    async def due_to_close(self, now: datetime) -> list[int]: ...
    async def count(self) -> int: ...


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
    async def tally(self, campaign_id: int) -> tuple[dict[int, int], int]:
        """Votes per option id and the number of voters who chose at least one option."""
        ...


class AuditRepository(Protocol):
    async def append(self, entry: AuditEntry) -> None: ...
    async def list(self, *, limit: int = 100) -> list[AuditEntry]: ...


class UnitOfWork(Protocol):
    citizens: CitizenRepository
    updates: ProcessedUpdateRepository
    campaigns: CampaignRepository
    ballots: BallotRepository
    audit: AuditRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
Clock = Callable[[], datetime]
