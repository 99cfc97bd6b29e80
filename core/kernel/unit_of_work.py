"""The ports the services work through: a unit of work and the repositories hanging off it.

`core.storage` implements them on SQLAlchemy; tests/fakes implements them in memory. Services
never see a session or a row: only these methods and the domain types they return.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from core.audit.model import AuditEntry
from core.campaigns.audience import Audience
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.citizens.model import Citizen, IdentityRef
from core.config import Policies
from core.consultations.model import (
    Answer,
    Consultation,
    QuestionSpec,
    Response,
    TextAnswer,
)
from core.contests.model import Contest, ContestPhase, Entry, EntryStatus
from core.delivery.model import (
    BroadcastProgress,
    ClaimedMessage,
    DeliveryOutcome,
    DigestItem,
    SendReservation,
)
from core.ideas.model import (
    Idea,
    IdeaCall,
    IdeaComment,
    IdeaQuery,
    IdeaStatus,
    NewIdea,
    OfficialStatus,
    ReportedItem,
    ReportTarget,
)
from core.organizations.ports import OfficialRepository, OrganizationRepository
from core.polls.model import Poll


class ConflictError(Exception):
    """A uniqueness race lost to a concurrent transaction; the whole unit of work may be retried."""


class StorageUnavailableError(Exception):
    """The database cannot be reached."""


class CitizenRepository(Protocol):
    async def get_by_identity(self, ref: IdentityRef) -> Citizen | None: ...
    async def find(self, ref: IdentityRef) -> tuple[Citizen, bool] | None:
        """The citizen owning this identity and whether that identity is reachable."""
        ...

    async def claim_update_and_find(
        self, ref: IdentityRef, update_id: str, now: datetime
    ) -> tuple[bool, tuple[Citizen, bool] | None]:
        """Remember the update `ref` sent (False: a redelivery) and `find(ref)`, in one go.

        Every inbound update does both first; on PostgreSQL it is one round trip, not two.
        """
        ...

    async def create(self, ref: IdentityRef, locale: str | None, now: datetime) -> Citizen: ...
    async def save(self, citizen: Citizen) -> None: ...
    async def set_reachable(self, ref: IdentityRef, reachable: bool) -> bool: ...
    async def is_reachable(self, ref: IdentityRef) -> bool | None: ...
    async def identities_of(self, citizen_ids: Sequence[int]) -> dict[int, list[IdentityRef]]:
        """Each citizen's platform identities (oldest first), for officials' exports."""
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
    async def set_delivery(
        self, campaign_id: int, *, audience: str | None, reminders: str, send_results: bool
    ) -> None: ...
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
        """Conditional UPDATE of the window (and status) while the status is in `from_statuses`."""
        ...

    async def delete(self, campaign_id: int, from_statuses: Sequence[CampaignStatus]) -> bool:
        """Conditional DELETE; the rows it owns go with it (ON DELETE CASCADE)."""
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
    async def replace_choices(
        self, ballot_id: int, campaign_id: int, option_ids: frozenset[int]
    ) -> None:
        """Make the (locked) ballot's choices exactly `option_ids` (one round trip where it can)."""
        ...

    async def tally(self, campaign_id: int) -> tuple[dict[int, int], int]:
        """Votes per option id and the number of voters who chose at least one option."""
        ...


class AuditRepository(Protocol):
    async def append(self, entry: AuditEntry) -> None: ...
    async def list(
        self, *, limit: int = 100, org: str | None = None, since: datetime | None = None
    ) -> list[AuditEntry]:
        """Newest first; `org` keeps entries whose `after["org"]` is that slug."""
        ...


class IdeaRepository(Protocol):
    """Ideas and idea calls. Counters change by atomic UPDATE next to the constrained row."""

    async def add_call(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        support_threshold: int | None,
        created_by: str,
        now: datetime,
    ) -> IdeaCall: ...
    async def get_call(self, campaign_id: int) -> IdeaCall | None: ...
    async def next_code_seq(self, year: int) -> int:
        """The next number in this year's `ID-<year>-<seq>` series (atomic)."""
        ...

    async def add(
        self, idea: NewIdea, *, code: str, status: IdeaStatus, keywords: str, now: datetime
    ) -> Idea: ...
    async def get(self, idea_id: int) -> Idea | None: ...
    async def get_by_code(self, code: str) -> Idea | None: ...
    async def search(self, query: IdeaQuery, *, offset: int, limit: int) -> list[Idea]: ...
    async def set_status(
        self,
        idea_id: int,
        from_statuses: Sequence[IdeaStatus],
        to_status: IdeaStatus,
        now: datetime,
        *,
        reject_reason: str | None = None,
    ) -> bool:
        """Conditional UPDATE: only from one of `from_statuses`."""
        ...

    async def set_answer(
        self, idea_id: int, status: OfficialStatus, text: str, now: datetime
    ) -> bool: ...
    async def add_support(self, idea_id: int, citizen_id: int, now: datetime) -> int | None:
        """The new support count, or None when this citizen already supports the idea."""
        ...

    async def remove_support(self, idea_id: int, citizen_id: int) -> int | None:
        """The new support count, or None when there was no support to withdraw."""
        ...

    async def supports_of(self, citizen_id: int, idea_ids: Sequence[int]) -> set[int]: ...
    async def supporter_ids(self, idea_id: int) -> list[int]: ...
    async def add_report(
        self, target: ReportTarget, item_id: int, citizen_id: int, reason: str, now: datetime
    ) -> int | None:
        """The item's new report count, or None when this citizen already reported it."""
        ...

    async def set_hidden(self, target: ReportTarget, item_id: int, hidden: bool) -> bool:
        """Hide, or restore (which also clears the report count). False if already so."""
        ...

    async def reported_items(self, *, limit: int = 100) -> list[ReportedItem]: ...
    async def add_comment(
        self, idea_id: int, author_id: int, text: str, now: datetime
    ) -> IdeaComment: ...
    async def get_comment(self, comment_id: int) -> IdeaComment | None: ...
    async def comments(self, idea_id: int, *, offset: int, limit: int) -> list[IdeaComment]:
        """Visible comments, newest first."""
        ...

    async def claim_comment_notice(
        self, idea_id: int, now: datetime, quiet_since: datetime
    ) -> bool:
        """True (and remember `now`) unless the author was told about comments after quiet_since."""
        ...

    async def similar_candidates(
        self, stems: Sequence[str], topic: str | None, *, limit: int
    ) -> list[tuple[Idea, str]]:
        """Public ideas sharing the topic or a word stem, with their stored keywords: a cheap
        prefilter for scoring in Python."""
        ...


class ConsultationRepository(Protocol):
    async def add(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        visibility: ResultsVisibility,
        audience: str,
        created_by: str,
        now: datetime,
        questions: Sequence[QuestionSpec],
    ) -> Consultation: ...
    async def get(self, campaign_id: int) -> Consultation | None: ...
    async def open_response(self, campaign_id: int, citizen_id: int, now: datetime) -> Response:
        """The citizen's response, created if needed, locked until commit."""
        ...

    async def find_response(self, campaign_id: int, citizen_id: int) -> Response | None: ...
    async def answers(self, response_id: int) -> dict[int, Answer]: ...
    async def save_answer(
        self, response_id: int, campaign_id: int, question_id: int, answer: Answer, now: datetime
    ) -> None:
        """Insert or replace the answer to one question (unique per response and question)."""
        ...

    async def delete_answers(self, response_id: int, question_ids: Sequence[int]) -> None: ...
    async def set_current(
        self, response_id: int, question_id: int | None, now: datetime
    ) -> None: ...
    async def submit(self, response_id: int, now: datetime) -> bool:
        """Conditional UPDATE: False when it was already submitted."""
        ...

    async def tally(self, campaign_id: int) -> tuple[list[tuple[int, int | None, int]], int]:
        """(question id, value, count) over submitted responses, and how many were submitted."""
        ...

    async def texts(
        self, campaign_id: int, *, after: tuple[int, int] = (0, 0), limit: int = 500
    ) -> list[TextAnswer]:
        """Submitted free-text answers in batches, after (response id, question id)."""
        ...

    async def closed_unpublished(self) -> list[int]: ...
    async def mark_published(self, campaign_id: int, now: datetime) -> bool: ...


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


class OutboxRepository(Protocol):
    """Broadcasts and outbox rows (core/delivery/outbox.py writes, the workers drain)."""

    async def depth(self) -> dict[str, int]:
        """Outbox rows per status."""
        ...

    async def add_broadcast(
        self,
        *,
        kind: str,
        audience: str,
        campaign_id: int | None,
        bulk: bool,
        payloads: dict[str, Any],
        dedupe_key: str | None,
        created_by: str | None,
        now: datetime,
    ) -> int | None:
        """The new broadcast's id; None when `dedupe_key` was already used."""
        ...

    async def broadcast_id_by_key(self, dedupe_key: str) -> int | None: ...
    async def enqueue_audience(
        self,
        broadcast_id: int,
        audience: Audience,
        *,
        now: datetime,
        bulk: bool,
        release_at: datetime,
        digest_at: datetime | None,
        exclude_participants_of: int | None,
    ) -> int:
        """Insert one row per reachable identity of each recipient (set-based); the count."""
        ...

    async def progress(
        self, broadcast_id: int, *, now: datetime | None = None
    ) -> BroadcastProgress | None:
        """Counts per status; with `now`, also how many pending rows are due only later."""
        ...

    async def recent(self, *, limit: int = 20) -> list[BroadcastProgress]: ...
    async def payloads(self, broadcast_ids: Sequence[int]) -> dict[int, dict[str, Any]]: ...
    async def take_tokens(
        self, platform: str, want: int, *, rate: float, burst: float, now: datetime
    ) -> tuple[int, datetime | None]:
        """Atomically take up to `want` send tokens from the platform's shared bucket.

        Returns (granted, paused_until): nothing is granted while the platform is paused."""
        ...

    async def reserve_sends(
        self,
        platform: str,
        want: int,
        *,
        rate: float,
        burst: float,
        ahead_s: float,
        now: datetime,
    ) -> SendReservation:
        """Atomically reserve up to `want` sends, lending up to `ahead_s` of future budget.

        Each granted send has a slot (`SendReservation.offset`) no sooner than its budget
        accrues; nothing is granted while the platform is paused."""
        ...

    async def pause(self, platform: str, until: datetime) -> None: ...
    async def claim(
        self,
        platform: str,
        *,
        limit: int,
        now: datetime,
        lease_until: datetime,
        worker: str,
        chat_interval: timedelta | None = None,
    ) -> list[ClaimedMessage]:
        """Lease due pending rows and rows whose lease expired (a crashed worker's).

        With `chat_interval`, a row whose chat was sent something less than that long ago, is
        being sent something now, or comes second for its chat in this batch goes back to
        pending, due one interval later, without spending an attempt."""
        ...

    async def record(
        self, outcomes: Sequence[DeliveryOutcome], *, worker: str, now: datetime
    ) -> None:
        """Store outcomes of rows this worker still holds; mark unreachable identities."""
        ...

    async def release(self, outbox_ids: Sequence[int], *, worker: str, due_at: datetime) -> None:
        """Hand back claimed rows unsent (a 429 arrived first), without counting an attempt."""
        ...

    async def take_digest(self, now: datetime, *, identities: int) -> list[DigestItem]:
        """Atomically move due held rows of up to `identities` identities to `digested`."""
        ...

    async def add_digest_rows(
        self,
        broadcast_id: int,
        rows: Sequence[tuple[DigestItem, dict[str, Any]]],
        *,
        due_at: datetime,
    ) -> None:
        """One pending row per identity carrying its own digest body."""
        ...


class SubscriptionRepository(Protocol):
    """Topics and districts a resident follows (Settings)."""

    async def of(self, citizen_id: int) -> set[tuple[str, str]]: ...
    async def set(self, citizen_id: int, kind: str, code: str, on: bool) -> None: ...


class UnitOfWork(Protocol):
    citizens: CitizenRepository
    campaigns: CampaignRepository
    ballots: BallotRepository
    audit: AuditRepository
    ideas: IdeaRepository
    consultations: ConsultationRepository
    contests: ContestRepository
    outbox: OutboxRepository
    subscriptions: SubscriptionRepository
    officials: OfficialRepository
    organizations: OrganizationRepository
    policies: Policies  # deployment choices (quiet hours, premoderation), from core/bootstrap.py

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
