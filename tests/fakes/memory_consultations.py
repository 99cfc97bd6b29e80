"""In-memory consultation and contest repositories with the SQL ones' rules: one response per
(consultation, citizen), one answer per (response, question), one vote per (entry, citizen),
entries unique per (contest, author, sequence number), conditional phase and status changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.consultations.model import (
    Answer,
    Consultation,
    Question,
    QuestionSpec,
    Response,
    TextAnswer,
)
from core.contests.model import Contest, ContestPhase, Entry, EntryStatus
from core.kernel.unit_of_work import ConflictError


@dataclass
class ConsultationsMemory:
    questions: dict[int, list[Question]] = field(default_factory=dict)
    published: dict[int, datetime | None] = field(default_factory=dict)
    responses: dict[tuple[int, int], Response] = field(default_factory=dict)
    answers: dict[int, dict[int, Answer]] = field(default_factory=dict)  # response → answers


@dataclass
class ContestsMemory:
    contests: dict[int, Contest] = field(default_factory=dict)
    entries: dict[int, Entry] = field(default_factory=dict)
    seqs: set[tuple[int, int, int]] = field(default_factory=set)
    votes: dict[tuple[int, int], int] = field(default_factory=dict)  # (entry, citizen) → contest


class _Repo:
    def __init__(self, state: object) -> None:
        self.s = state  # MemoryState: campaigns and new_id live there

    def _campaign(self, **fields: object) -> Campaign:
        campaign = Campaign(id=self.s.new_id(), **fields)  # type: ignore[attr-defined,arg-type]
        self.s.campaigns[campaign.id] = campaign  # type: ignore[attr-defined]
        return campaign


class MemoryConsultationRepository(_Repo):
    @property
    def m(self) -> ConsultationsMemory:
        return self.s.consultations  # type: ignore[attr-defined,no-any-return]

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
    ) -> Consultation:
        campaign = self._campaign(
            kind=CampaignKind.CONSULTATION,
            title=title,
            description=description,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
            results_visibility=visibility,
            created_at=now,
            created_by=created_by,
        )
        stored = [Question(self.s.new_id(), i, spec) for i, spec in enumerate(questions, 1)]  # type: ignore[attr-defined]
        self.m.questions[campaign.id] = stored
        self.m.published[campaign.id] = None
        return Consultation(replace(campaign), list(stored))

    async def get(self, campaign_id: int) -> Consultation | None:
        if campaign_id not in self.m.questions:
            return None
        campaign = self.s.campaigns[campaign_id]  # type: ignore[attr-defined]
        return Consultation(replace(campaign), list(self.m.questions[campaign_id]))

    async def open_response(self, campaign_id: int, citizen_id: int, now: datetime) -> Response:
        key = (campaign_id, citizen_id)
        if key not in self.m.responses:
            self.m.responses[key] = Response(self.s.new_id(), citizen_id, None, None)  # type: ignore[attr-defined]
        return self.m.responses[key]

    async def find_response(self, campaign_id: int, citizen_id: int) -> Response | None:
        return self.m.responses.get((campaign_id, citizen_id))

    def _key_of(self, response_id: int) -> tuple[int, int]:
        return next(k for k, r in self.m.responses.items() if r.id == response_id)

    async def answers(self, response_id: int) -> dict[int, Answer]:
        return dict(self.m.answers.get(response_id, {}))

    async def save_answer(
        self, response_id: int, campaign_id: int, question_id: int, answer: Answer, now: datetime
    ) -> None:
        self.m.answers.setdefault(response_id, {})[question_id] = answer

    async def delete_answers(self, response_id: int, question_ids: Sequence[int]) -> None:
        for qid in question_ids:
            self.m.answers.get(response_id, {}).pop(qid, None)

    async def set_current(self, response_id: int, question_id: int | None, now: datetime) -> None:
        key = self._key_of(response_id)
        self.m.responses[key] = replace(self.m.responses[key], current_question_id=question_id)

    async def submit(self, response_id: int, now: datetime) -> bool:
        key = self._key_of(response_id)
        if self.m.responses[key].submitted:
            return False
        self.m.responses[key] = replace(self.m.responses[key], submitted_at=now)
        return True

    def _submitted(self, campaign_id: int) -> list[Response]:
        return [
            r for (cid, _c), r in self.m.responses.items() if cid == campaign_id and r.submitted
        ]

    async def tally(self, campaign_id: int) -> tuple[list[tuple[int, int | None, int]], int]:
        counts: dict[tuple[int, int | None], int] = {}
        submitted = self._submitted(campaign_id)
        for response in submitted:
            for qid, answer in self.m.answers.get(response.id, {}).items():
                counts[(qid, answer.value)] = counts.get((qid, answer.value), 0) + 1
        return [(q, v, n) for (q, v), n in counts.items()], len(submitted)

    async def texts(
        self, campaign_id: int, *, after: tuple[int, int] = (0, 0), limit: int = 500
    ) -> list[TextAnswer]:
        rows = sorted(
            (response.id, qid, answer.text, response.submitted_at)
            for response in self._submitted(campaign_id)
            for qid, answer in self.m.answers.get(response.id, {}).items()
            if answer.text is not None
        )
        return [TextAnswer(*r) for r in rows if (r[0], r[1]) > after][:limit]  # type: ignore[arg-type]

    async def closed_unpublished(self) -> list[int]:
        return [
            cid
            for cid, at in self.m.published.items()
            if at is None and self.s.campaigns[cid].status == CampaignStatus.CLOSED  # type: ignore[attr-defined]
        ]

    async def mark_published(self, campaign_id: int, now: datetime) -> bool:
        if self.m.published.get(campaign_id) is not None:
            return False
        self.m.published[campaign_id] = now
        return True


class MemoryContestRepository(_Repo):
    @property
    def m(self) -> ContestsMemory:
        return self.s.contests  # type: ignore[attr-defined,no-any-return]

    def _fresh(self, contest: Contest) -> Contest:
        return replace(contest, campaign=replace(self.s.campaigns[contest.id]))  # type: ignore[attr-defined]

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
    ) -> Contest:
        campaign = self._campaign(
            kind=CampaignKind.CONTEST,
            title=title,
            description=description,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
            results_visibility=ResultsVisibility.AFTER_CLOSE,
            created_at=now,
            created_by=created_by,
        )
        contest = Contest(
            campaign,
            ContestPhase.SUBMISSIONS,
            submissions_close_at,
            voting_opens_at,
            votes_per_resident,
            winners,
            entries_per_resident,
            premoderation,
            audience,
        )
        self.m.contests[campaign.id] = contest
        return self._fresh(contest)

    async def get(self, campaign_id: int) -> Contest | None:
        found = self.m.contests.get(campaign_id)
        return self._fresh(found) if found else None

    async def set_phase(
        self, contest_id: int, from_phases: Sequence[ContestPhase], to_phase: ContestPhase
    ) -> bool:
        found = self.m.contests.get(contest_id)
        if found is None or found.phase not in from_phases:
            return False
        self.m.contests[contest_id] = replace(found, phase=to_phase)
        return True

    async def due_for_voting(self, now: datetime) -> list[int]:
        return [
            c.id
            for c in map(self._fresh, self.m.contests.values())
            if c.campaign.status == CampaignStatus.OPEN
            and c.phase == ContestPhase.SUBMISSIONS
            and c.voting_opens_at <= now
        ]

    async def due_to_finish(self) -> list[int]:
        return [
            c.id
            for c in map(self._fresh, self.m.contests.values())
            if c.campaign.status == CampaignStatus.CLOSED and c.phase != ContestPhase.FINISHED
        ]

    async def lock_participant(self, contest_id: int, citizen_id: int, now: datetime) -> None:
        return None

    async def count_entries(self, contest_id: int, author_id: int) -> int:
        return sum(
            1
            for e in self.m.entries.values()
            if (e.contest_id, e.author_id) == (contest_id, author_id)
        )

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
    ) -> Entry:
        if (contest_id, author_id, author_seq) in self.m.seqs:
            raise ConflictError("contest entry sequence taken")
        self.m.seqs.add((contest_id, author_id, author_seq))
        entry = Entry(
            self.s.new_id(),  # type: ignore[attr-defined]
            contest_id,
            author_id,
            title,
            description,
            photo_ref,
            status,
            now,
        )
        self.m.entries[entry.id] = entry
        return entry

    async def get_entry(self, entry_id: int) -> Entry | None:
        return self.m.entries.get(entry_id)

    async def entries(
        self,
        contest_id: int,
        *,
        statuses: Sequence[EntryStatus] | None = None,
        author_id: int | None = None,
    ) -> list[Entry]:
        return [
            e
            for e in sorted(self.m.entries.values(), key=lambda e: e.id)
            if e.contest_id == contest_id
            and (not statuses or e.status in statuses)
            and (author_id is None or e.author_id == author_id)
        ]

    async def set_entry_status(
        self,
        entry_id: int,
        from_statuses: Sequence[EntryStatus],
        to_status: EntryStatus,
        reason: str | None,
        now: datetime,
    ) -> bool:
        entry = self.m.entries.get(entry_id)
        if entry is None or entry.status not in from_statuses:
            return False
        self.m.entries[entry_id] = replace(entry, status=to_status, reject_reason=reason)
        return True

    async def my_votes(self, contest_id: int, citizen_id: int) -> frozenset[int]:
        return frozenset(
            e for (e, c), k in self.m.votes.items() if c == citizen_id and k == contest_id
        )

    async def add_vote(
        self, contest_id: int, entry_id: int, citizen_id: int, now: datetime
    ) -> bool:
        if (entry_id, citizen_id) in self.m.votes:
            return False
        self.m.votes[(entry_id, citizen_id)] = contest_id
        return True

    async def remove_vote(self, entry_id: int, citizen_id: int) -> bool:
        return self.m.votes.pop((entry_id, citizen_id), None) is not None

    async def tally(self, contest_id: int) -> dict[int, int]:
        counts: dict[int, int] = {}
        for (entry_id, _citizen), k in self.m.votes.items():
            if k == contest_id:
                counts[entry_id] = counts.get(entry_id, 0) + 1
        return counts

    async def voters(self, contest_id: int) -> int:
        return len({c for (_e, c), k in self.m.votes.items() if k == contest_id})
