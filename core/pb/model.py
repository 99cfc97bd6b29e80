"""Participatory budgeting: residents propose projects, officials review them, residents vote
within budgets, a counting rule picks the winners, officials report their implementation.

The campaign's window spans submission to the end of voting (opens = proposals open, closes =
voting closes). Inside it, and after it, the PB moves through explicit phases by conditional
transitions (submission → review → voting → results → implementation): each is a date in the
PB's file, and the scheduler's sweep moves it. Winners are announced when results turn into
implementation, so officials can compare the counting rules before anyone hears the outcome.

Money is whole hryvnias (int): budgets and costs are never fractional in a hromada's PB.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.campaigns.model import Campaign, CampaignStatus
from core.citizens.model import Citizen
from core.hromadas.taxonomy import WHOLE_CITY
from core.kernel.errors import (
    CampaignClosedError,
    CampaignNotOpenError,
    NotFoundError,
    SpilnoError,
    ValidationError,
    WrongPhaseError,
)

TITLE_MAX = 100
DESCRIPTION_MAX = 2000
REASON_MAX = 500
MILESTONE_MAX = 2000
COST_MAX = 10**12  # a trillion hryvnias: anything larger is a typo, not a project
CITY_POT = WHOLE_CITY  # the city-wide pot; the others are home-district codes


class PbPhase(StrEnum):
    SUBMISSION = "submission"
    REVIEW = "review"
    VOTING = "voting"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


PHASES = tuple(PbPhase)


# Each transition may start only from an earlier phase; a repeated or late sweep changes nothing.
def earlier_than(phase: PbPhase) -> tuple[PbPhase, ...]:
    return PHASES[: PHASES.index(phase)]


class VotingStyle(StrEnum):
    KNAPSACK = "knapsack"  # any projects whose total cost fits the pot's budget
    APPROVAL = "approval"  # up to N projects, whatever they cost


class PbRule(StrEnum):
    GREEDY = "greedy"  # most votes first; what does not fit is skipped (Kyiv)
    EQUAL_SHARES = "equal-shares"  # the Method of Equal Shares (Wieliczka, Aarau)


class ProjectStatus(StrEnum):
    SUBMITTED = "submitted"  # waiting for review
    ACCEPTED = "accepted"  # on the ballot
    REJECTED = "rejected"


class Progress(StrEnum):
    """A winning project's implementation, as its latest milestone says."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


MILESTONE_STATUSES = (Progress.IN_PROGRESS, Progress.DONE, Progress.CANCELLED)


class ProjectNotFoundError(NotFoundError):
    code = "pb_project_not_found"


class OverBudgetError(SpilnoError):
    """Adding the project would take the resident's choices past the pot's budget; `over`
    says by how much (hryvnias)."""

    code = "pb_over_budget"


class ChoiceLimitError(SpilnoError):
    """Approval voting: the resident already chose as many projects as the pot allows."""

    code = "pb_choice_limit"


class EmptyBallotError(SpilnoError):
    """Submitting a ballot with no project chosen."""

    code = "pb_empty_ballot"


@dataclass(frozen=True, slots=True)
class Pot:
    code: str  # CITY_POT or a home-district code
    budget: int
    style: VotingStyle
    max_choices: int | None = None  # approval only

    @property
    def city_wide(self) -> bool:
        return self.code == CITY_POT


@dataclass(slots=True)
class ParticipatoryBudget:
    campaign: Campaign
    phase: PbPhase
    review_at: datetime  # proposals close, review starts
    voting_opens_at: datetime
    announce_at: datetime  # winners announced, implementation starts
    rule: PbRule
    pots: tuple[Pot, ...]

    @property
    def id(self) -> int:
        return self.campaign.id

    @property
    def submission_opens_at(self) -> datetime | None:
        return self.campaign.opens_at

    @property
    def voting_closes_at(self) -> datetime | None:
        return self.campaign.closes_at

    def pot(self, code: str) -> Pot:
        for pot in self.pots:
            if pot.code == code:
                return pot
        raise ValidationError("pb_unknown_pot", pot=code, pb_id=self.id)

    def has_pot(self, code: str) -> bool:
        return any(p.code == code for p in self.pots)

    def pots_for(self, citizen: Citizen) -> list[Pot]:
        """The pots this resident votes in: the city's and their home district's."""
        return [p for p in self.pots if p.city_wide or p.code == citizen.home_district]

    def accepts_projects(self, now: datetime) -> bool:
        return (
            self.campaign.is_accepting(now)
            and self.phase == PbPhase.SUBMISSION
            and now < self.review_at
        )

    def accepts_votes(self, now: datetime) -> bool:
        return (
            self.campaign.is_accepting(now)
            and self.phase == PbPhase.VOTING
            and now >= self.voting_opens_at
        )

    def _ensure_running(self, now: datetime) -> None:
        if self.campaign.is_effectively_closed(now):
            raise CampaignClosedError(campaign_id=self.id, kind="pb")
        if self.campaign.status != CampaignStatus.OPEN:
            raise CampaignNotOpenError(
                campaign_id=self.id, opens_at=self.campaign.opens_at, kind="pb"
            )

    def ensure_accepts_projects(self, now: datetime) -> None:
        self._ensure_running(now)
        if not self.accepts_projects(now):
            raise WrongPhaseError(
                "pb_submission_closed", pb_id=self.id, voting_opens_at=self.voting_opens_at
            )

    def ensure_accepts_votes(self, now: datetime) -> None:
        self._ensure_running(now)
        if not self.accepts_votes(now):
            raise WrongPhaseError(
                "pb_voting_not_open", pb_id=self.id, voting_opens_at=self.voting_opens_at
            )

    def results_published(self) -> bool:
        return self.phase == PbPhase.IMPLEMENTATION


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    pb_id: int
    author_id: int
    pot: str
    title: str
    description: str
    estimate: int  # the author's estimate
    cost: int  # the estimate, or what officials set when accepting it
    photo_ref: str | None
    status: ProjectStatus
    created_at: datetime
    reject_reason: str | None = None
    selected: bool | None = None  # None until the results are announced
    progress: Progress | None = None  # winners only

    @property
    def on_ballot(self) -> bool:
        return self.status == ProjectStatus.ACCEPTED


@dataclass(frozen=True, slots=True)
class Milestone:
    id: int
    project_id: int
    status: Progress
    text: str
    has_image: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredBallot:
    id: int
    pot: str
    submitted_at: datetime | None
    receipt: str | None = None


@dataclass(frozen=True, slots=True)
class Ballot:
    """One resident's choices in one pot: what they are choosing now, and what counts.

    `chosen` is the working selection (every add and remove lands here at once); `cast` is
    what was last submitted and is what the count uses, so a half-finished change never
    counts until the resident submits it again.
    """

    pot: Pot
    chosen: tuple[Project, ...] = ()
    cast: frozenset[int] = frozenset()
    submitted_at: datetime | None = None
    receipt: str | None = None  # the code of the last submission (None: receipts off)

    @property
    def total(self) -> int:
        return sum(p.cost for p in self.chosen)

    @property
    def chosen_ids(self) -> frozenset[int]:
        return frozenset(p.id for p in self.chosen)

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def changed_since_submitted(self) -> bool:
        return self.submitted and self.chosen_ids != self.cast

    @property
    def remaining(self) -> int:
        return self.pot.budget - self.total


def check_addition(pot: Pot, chosen_costs: Sequence[int], cost: int, *, pb_id: int) -> None:
    """Refuse a project the pot's voting style does not let this ballot take."""
    if pot.style == VotingStyle.KNAPSACK:
        total = sum(chosen_costs) + cost
        if total > pot.budget:
            raise OverBudgetError(
                pb_id=pb_id, pot=pot.code, over=total - pot.budget, budget=pot.budget
            )
    elif pot.max_choices is not None and len(chosen_costs) >= pot.max_choices:
        raise ChoiceLimitError(pb_id=pb_id, pot=pot.code, limit=pot.max_choices)


def validate_proposal(title: str, description: str, cost: int) -> tuple[str, str, int]:
    title, description = title.strip(), description.strip()
    if not title:
        raise ValidationError("title_empty")
    if len(title) > TITLE_MAX:
        raise ValidationError("title_too_long", max=TITLE_MAX, length=len(title))
    if not description:
        raise ValidationError("description_empty")
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError("description_too_long", max=DESCRIPTION_MAX, length=len(description))
    validate_cost(cost)
    return title, description, cost


def validate_cost(cost: int) -> int:
    if cost <= 0 or cost > COST_MAX:
        raise ValidationError("pb_bad_cost", cost=cost, max=COST_MAX)
    return cost


def parse_cost(text: str) -> int | None:
    """A cost as residents type it: "250000", "250 000", "250 000 грн", "1,2 млн" is refused
    (None) rather than guessed."""
    cleaned = "".join(ch for ch in text if not ch.isspace())
    for suffix in ("₴", "грн.", "грн", "uah", "UAH", "hryvnias", "UAH."):
        cleaned = cleaned.removesuffix(suffix)
    cleaned = cleaned.replace("\u202f", "").replace("'", "")
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 13:
        return int(cleaned)
    return None


def validate_phases(
    opens_at: datetime,
    review_at: datetime,
    voting_opens_at: datetime,
    closes_at: datetime,
    announce_at: datetime,
) -> None:
    if not opens_at < review_at <= voting_opens_at < closes_at <= announce_at:
        raise ValidationError("pb_phases_out_of_order")


# --- counting ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tallied:
    project: Project
    votes: int


def rank_key(row: Tallied) -> tuple[int, int, int]:
    """Most votes first; a tie goes to the cheaper project, then to the one proposed first.

    The same order breaks ties inside pabutools (core/pb/rules.py), so both rules and the
    published ranking agree on every tie.
    """
    return (-row.votes, row.project.cost, row.project.id)


def greedy_winners(rows: Iterable[Tallied], budget: int) -> list[int]:
    """Kyiv's rule: by votes, take each project that still fits the remaining budget; skip
    one that does not and go on to the next. A project nobody voted for never wins."""
    remaining, winners = budget, []
    for row in sorted(rows, key=rank_key):
        if row.votes > 0 and row.project.cost <= remaining:
            winners.append(row.project.id)
            remaining -= row.project.cost
    return winners


@dataclass(frozen=True, slots=True)
class PotOutcome:
    pot: Pot
    ranked: list[Tallied]  # by rank_key
    voters: int
    winners: dict[PbRule, frozenset[int]] = field(default_factory=dict)

    def spent(self, rule: PbRule) -> int:
        chosen = self.winners.get(rule, frozenset())
        return sum(r.project.cost for r in self.ranked if r.project.id in chosen)


@dataclass(frozen=True, slots=True)
class PbResults:
    pb: ParticipatoryBudget
    pots: list[PotOutcome]
    voters: int  # residents with at least one submitted ballot

    def winners(self, rule: PbRule | None = None) -> list[Tallied]:
        rule = rule or self.pb.rule
        return [r for pot in self.pots for r in pot.ranked if r.project.id in pot.winners[rule]]
