"""In-memory unit of work and repositories for fast unit tests (no I/O).

They honour the same contracts as the SQL ones, including the uniqueness rules: one identity
per (platform, id), one ballot per (poll, citizen), one processed (platform, update_id).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self

from core.audit.model import AuditEntry
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.citizens.model import Citizen, IdentityRef, NotificationMode
from core.config import Policies
from core.polls.model import Poll, PollOption
from tests.fakes.memory_consultations import (
    ConsultationsMemory,
    ContestsMemory,
    MemoryConsultationRepository,
    MemoryContestRepository,
)
from tests.fakes.memory_delivery import (
    DeliveryMemory,
    MemoryOutboxRepository,
    MemorySubscriptionRepository,
)
from tests.fakes.memory_ideas import IdeasMemory, MemoryIdeaRepository
from tests.fakes.memory_organizations import (
    MemoryOfficialRepository,
    MemoryOrganizationRepository,
    OrgsMemory,
)


@dataclass
class MemoryState:
    citizens: dict[int, Citizen] = field(default_factory=dict)
    identities: dict[IdentityRef, tuple[int, bool]] = field(default_factory=dict)
    updates: set[tuple[str, str]] = field(default_factory=set)
    campaigns: dict[int, Campaign] = field(default_factory=dict)
    polls: dict[int, tuple[int, list[PollOption]]] = field(default_factory=dict)
    ballots: dict[tuple[int, int], int] = field(default_factory=dict)
    choices: dict[int, frozenset[int]] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    consultations: ConsultationsMemory = field(default_factory=ConsultationsMemory)
    contests: ContestsMemory = field(default_factory=ContestsMemory)
    ideas: IdeasMemory = field(default_factory=IdeasMemory)
    delivery: DeliveryMemory = field(default_factory=DeliveryMemory)
    orgs: OrgsMemory = field(default_factory=OrgsMemory)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class _Repo:
    def __init__(self, state: MemoryState) -> None:
        self.s = state


class MemoryCitizenRepository(_Repo):
    async def get_by_identity(self, ref: IdentityRef) -> Citizen | None:
        found = self.s.identities.get(ref)
        return copy.deepcopy(self.s.citizens[found[0]]) if found else None

    async def find(self, ref: IdentityRef) -> tuple[Citizen, bool] | None:
        found = self.s.identities.get(ref)
        return (copy.deepcopy(self.s.citizens[found[0]]), found[1]) if found else None

    async def claim_update_and_find(
        self, ref: IdentityRef, update_id: str, now: datetime
    ) -> tuple[bool, tuple[Citizen, bool] | None]:
        first = (ref.platform, update_id) not in self.s.updates
        self.s.updates.add((ref.platform, update_id))
        return first, await self.find(ref)

    async def create(self, ref: IdentityRef, locale: str | None, now: datetime) -> Citizen:
        citizen = Citizen(id=self.s.new_id(), locale=locale, notifications=NotificationMode.INSTANT)
        self.s.citizens[citizen.id] = citizen
        self.s.identities[ref] = (citizen.id, True)
        return copy.deepcopy(citizen)

    async def save(self, citizen: Citizen) -> None:
        self.s.citizens[citizen.id] = copy.deepcopy(citizen)

    async def set_reachable(self, ref: IdentityRef, reachable: bool) -> bool:
        found = self.s.identities.get(ref)
        if found is None or found[1] == reachable:
            return False
        self.s.identities[ref] = (found[0], reachable)
        return True

    async def is_reachable(self, ref: IdentityRef) -> bool | None:
        found = self.s.identities.get(ref)
        return None if found is None else found[1]

    async def identities_of(self, citizen_ids: Sequence[int]) -> dict[int, list[IdentityRef]]:
        found: dict[int, list[IdentityRef]] = {}
        for ref, (citizen_id, _reachable) in self.s.identities.items():
            if citizen_id in citizen_ids:
                found.setdefault(citizen_id, []).append(ref)
        return found


class MemoryCampaignRepository(_Repo):
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
    ) -> Poll:
        campaign = Campaign(
            id=self.s.new_id(),
            kind=CampaignKind.POLL,
            title=title,
            description=description,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
            results_visibility=visibility,
            created_at=now,
            created_by=created_by,
        )
        self.s.campaigns[campaign.id] = campaign
        opts = [PollOption(self.s.new_id(), i, label) for i, label in enumerate(options, 1)]
        self.s.polls[campaign.id] = (max_choices, opts)
        return Poll(replace(campaign), max_choices, list(opts))

    async def set_delivery(
        self, campaign_id: int, *, audience: str | None, reminders: str, send_results: bool
    ) -> None:
        campaign = self.s.campaigns[campaign_id]
        campaign.audience, campaign.reminders = audience, reminders
        campaign.send_results = send_results

    async def get(self, campaign_id: int) -> Campaign | None:
        found = self.s.campaigns.get(campaign_id)
        return replace(found) if found else None

    async def get_poll(self, campaign_id: int) -> Poll | None:
        if campaign_id not in self.s.polls:
            return None
        max_choices, options = self.s.polls[campaign_id]
        return Poll(replace(self.s.campaigns[campaign_id]), max_choices, list(options))

    async def list(
        self,
        *,
        kinds: Sequence[CampaignKind] | None = None,
        statuses: Sequence[CampaignStatus] | None = None,
    ) -> list[Campaign]:
        return [
            replace(c)
            for c in sorted(self.s.campaigns.values(), key=lambda c: -c.id)
            if (not kinds or c.kind in kinds) and (not statuses or c.status in statuses)
        ]

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
        campaign = self.s.campaigns.get(campaign_id)
        if campaign is None or campaign.status not in from_statuses:
            return False
        campaign.status = to_status
        campaign.opens_at = opens_at or campaign.opens_at
        campaign.closes_at = closes_at or campaign.closes_at
        return True

    async def set_window(
        self,
        campaign_id: int,
        from_statuses: Sequence[CampaignStatus],
        *,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        now: datetime,
    ) -> bool:
        campaign = self.s.campaigns.get(campaign_id)
        if campaign is None or campaign.status not in from_statuses:
            return False
        campaign.status, campaign.opens_at, campaign.closes_at = status, opens_at, closes_at
        return True

    async def delete(self, campaign_id: int, from_statuses: Sequence[CampaignStatus]) -> bool:
        campaign = self.s.campaigns.get(campaign_id)
        if campaign is None or campaign.status not in from_statuses:
            return False
        del self.s.campaigns[campaign_id]
        self.s.polls.pop(campaign_id, None)
        return True

    async def due_to_open(self, now: datetime) -> list[int]:
        return [
            c.id
            for c in self.s.campaigns.values()
            if c.status == CampaignStatus.SCHEDULED and c.opens_at and c.opens_at <= now
        ]

    async def due_to_close(self, now: datetime) -> list[int]:
        return [
            c.id
            for c in self.s.campaigns.values()
            if c.status == CampaignStatus.OPEN and c.closes_at and c.closes_at <= now
        ]

    async def count(self) -> int:
        return len(self.s.campaigns)


class MemoryBallotRepository(_Repo):
    async def choices(self, campaign_id: int, citizen_id: int) -> frozenset[int]:
        ballot = self.s.ballots.get((campaign_id, citizen_id))
        return self.s.choices.get(ballot, frozenset()) if ballot else frozenset()

    async def lock_ballot(self, campaign_id: int, citizen_id: int, now: datetime) -> int:
        key = (campaign_id, citizen_id)
        if key not in self.s.ballots:
            self.s.ballots[key] = self.s.new_id()
        return self.s.ballots[key]

    async def take_choices(self, ballot_id: int) -> frozenset[int]:
        return self.s.choices.pop(ballot_id, frozenset())

    async def add_choices(
        self, ballot_id: int, campaign_id: int, option_ids: frozenset[int]
    ) -> None:
        if option_ids:
            self.s.choices[ballot_id] = frozenset(option_ids)

    async def replace_choices(
        self, ballot_id: int, campaign_id: int, option_ids: frozenset[int]
    ) -> None:
        self.s.choices.pop(ballot_id, None)
        await self.add_choices(ballot_id, campaign_id, option_ids)

    async def tally(self, campaign_id: int) -> tuple[dict[int, int], int]:
        counts: dict[int, int] = {}
        voters = 0
        for (poll_id, _citizen), ballot in self.s.ballots.items():
            chosen = self.s.choices.get(ballot, frozenset())
            if poll_id != campaign_id or not chosen:
                continue
            voters += 1
            for option in chosen:
                counts[option] = counts.get(option, 0) + 1
        return counts, voters


class MemoryAuditRepository(_Repo):
    async def append(self, entry: AuditEntry) -> None:
        self.s.audit.append(entry)

    async def list(
        self, *, limit: int = 100, org: str | None = None, since: datetime | None = None
    ) -> list[AuditEntry]:
        found = [
            e
            for e in reversed(self.s.audit)
            if (org is None or (e.after or {}).get("org") == org)
            and (since is None or e.at >= since)
        ]
        return found[:limit]


class MemoryUnitOfWork:
    """Works on a copy of the shared state; commit publishes it, anything else discards it."""

    def __init__(self, shared: MemoryState, policies: Policies | None = None) -> None:
        self.shared = shared
        self.policies = policies or Policies()
        self.committed = False

    async def __aenter__(self) -> Self:
        self._state = copy.deepcopy(self.shared)
        self.citizens = MemoryCitizenRepository(self._state)
        self.campaigns = MemoryCampaignRepository(self._state)
        self.ballots = MemoryBallotRepository(self._state)
        self.audit = MemoryAuditRepository(self._state)
        self.consultations = MemoryConsultationRepository(self._state)
        self.contests = MemoryContestRepository(self._state)
        self.ideas = MemoryIdeaRepository(self._state)
        self.outbox = MemoryOutboxRepository(self._state)
        self.subscriptions = MemorySubscriptionRepository(self._state)
        self.officials = MemoryOfficialRepository(self._state)
        self.organizations = MemoryOrganizationRepository(self._state)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self.shared.__dict__.update(copy.deepcopy(self._state).__dict__)
        self.committed = True

    async def rollback(self) -> None:
        self._state.__dict__.update(copy.deepcopy(self.shared).__dict__)


class MemoryUnitOfWorkFactory:
    def __init__(self) -> None:
        self.state = MemoryState()
        self.policies = Policies()

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.state, self.policies)
