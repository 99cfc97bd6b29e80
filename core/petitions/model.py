"""Local e-petitions (Law of Ukraine "On citizens' appeals", art. 23-1): a resident's demand
to the hromada's council or head, moderated, open for signatures for the hromada's period,
and — once it gathers the hromada's threshold — answered within ten working days.

A petition is a campaign of kind `petition` (its id is the campaign's): the campaign's title
and description are the petition's, its window is the signature period, and its status says
whether it takes signatures (draft while a moderator reads it, open while it collects, closed
after). What the petition itself went through — premoderation, the threshold, the answer — is
its own `PetitionStatus`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.campaigns.model import Campaign
from core.hromadas.taxonomy import is_topic
from core.kernel.errors import ValidationError
from core.kernel.texts import clean_text
from core.petitions.policy import DAYS_MAX, TEXT_MAX_LIMIT, THRESHOLD_MAX, PetitionPolicy

if TYPE_CHECKING:
    import holidays

TITLE_MAX = 200
ADDRESSEE_MAX = 200
ANSWER_MAX = 4000
REJECT_NOTE_MAX = 500
# The law's answer term: ten working days from the day the threshold is reached.
ANSWER_WORKING_DAYS = 10


class PetitionStatus(StrEnum):
    PENDING = "pending"  # filed, a moderator reads it
    REJECTED = "rejected"  # not published, with a legal reason
    OPEN = "open"  # collecting signatures
    THRESHOLD_REACHED = "threshold_reached"  # under consideration: the city must answer
    ANSWERED = "answered"
    NOT_ENOUGH_SIGNATURES = "not_enough_signatures"  # the period ended below the threshold


# Residents see these (the author also their own pending or rejected one).
PUBLIC_STATUSES = (
    PetitionStatus.OPEN,
    PetitionStatus.THRESHOLD_REACHED,
    PetitionStatus.ANSWERED,
    PetitionStatus.NOT_ENOUGH_SIGNATURES,
)
# Signatures are taken while the campaign is open in one of these.
SIGNABLE_STATUSES = (PetitionStatus.OPEN, PetitionStatus.THRESHOLD_REACHED)


class RejectReason(StrEnum):
    """Why a petition is not published: the grounds local statutes take from art. 23-1."""

    OUTSIDE_COMPETENCE = "outside_competence"  # not a matter for the hromada's bodies
    VIOLENCE = "violence"  # calls for violence, war propaganda, overthrowing the order
    DISCRIMINATION = "discrimination"  # incites hatred or discrimination
    OBSCENE_LANGUAGE = "obscene_language"
    DUPLICATE = "duplicate"  # the same demand is already open for signatures
    NO_DEMAND = "no_demand"  # no text, or no demand the city could answer


class Decision(StrEnum):
    SUPPORTED = "supported"
    NOT_SUPPORTED = "not_supported"
    PARTIALLY = "partially"


class PetitionSort(StrEnum):
    NEW = "new"
    TOP = "top"


@dataclass(frozen=True, slots=True)
class Petition:
    campaign: Campaign
    author_id: int
    addressee: str
    topic: str
    status: PetitionStatus
    signatures: int
    threshold: int
    submitted_at: datetime
    moderated_at: datetime | None = None
    reject_reason: RejectReason | None = None
    reject_note: str | None = None
    threshold_reached_at: datetime | None = None
    answer_due_at: datetime | None = None
    decision: Decision | None = None
    answer: str | None = None
    answered_at: datetime | None = None

    @property
    def id(self) -> int:
        return self.campaign.id

    @property
    def title(self) -> str:
        return self.campaign.title

    @property
    def text(self) -> str:
        return self.campaign.description

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    def visible_to(self, citizen_id: int) -> bool:
        return self.is_public or self.author_id == citizen_id

    def is_signable(self, now: datetime) -> bool:
        return self.status in SIGNABLE_STATUSES and self.campaign.is_accepting(now)

    def days_left(self, now: datetime) -> int | None:
        """Whole days of signing left, rounded up (a petition closing tonight has 1)."""
        if not self.is_signable(now) or self.campaign.closes_at is None:
            return None
        left = self.campaign.closes_at - now
        return max(0, -(-left // timedelta(days=1)))

    def is_overdue(self, now: datetime) -> bool:
        return (
            self.status == PetitionStatus.THRESHOLD_REACHED
            and self.answer_due_at is not None
            and now >= self.answer_due_at
        )


@dataclass(frozen=True, slots=True)
class NewPetition:
    author_id: int
    addressee: str
    title: str
    text: str
    topic: str


@dataclass(frozen=True, slots=True)
class PetitionQuery:
    sort: PetitionSort = PetitionSort.NEW
    statuses: tuple[PetitionStatus, ...] = PUBLIC_STATUSES
    topic: str | None = None
    author_id: int | None = None
    # Past the answer deadline and not answered (officials' `--overdue`).
    overdue_at: datetime | None = None


# --- validation ---------------------------------------------------------------------------


def validate_addressee(value: str) -> str:
    return clean_text(value, field="addressee", max_len=ADDRESSEE_MAX)


def validate_title(value: str) -> str:
    return clean_text(value, field="title", max_len=TITLE_MAX)


def validate_text(value: str, text_max: int) -> str:
    # A petition may point to a document or a map, so its text may carry links.
    return clean_text(value, field="text", max_len=text_max, links_allowed=True)


def validate_new_petition(draft: NewPetition, policy: PetitionPolicy) -> NewPetition:
    if not is_topic(draft.topic):
        raise ValidationError("unknown_topic", topic=draft.topic)
    return NewPetition(
        author_id=draft.author_id,
        addressee=validate_addressee(draft.addressee),
        title=validate_title(draft.title),
        text=validate_text(draft.text, policy.text_max),
        topic=draft.topic,
    )


def check_policy(policy: PetitionPolicy) -> PetitionPolicy:
    """Refuse a policy no petition could live under (settings are checked at start-up too)."""
    if not 1 <= policy.days <= DAYS_MAX:
        raise ValidationError("petition_days", max=DAYS_MAX)
    if not 1 <= policy.threshold <= THRESHOLD_MAX:
        raise ValidationError("bad_threshold", max=THRESHOLD_MAX)
    if not 1 <= policy.text_max <= TEXT_MAX_LIMIT:
        raise ValidationError("petition_text_max", max=TEXT_MAX_LIMIT)
    return policy


def reached_threshold(signatures: int, threshold: int) -> bool:
    return threshold > 0 and signatures >= threshold


# --- the answer term ----------------------------------------------------------------------


@cache
def _calendar() -> holidays.HolidayBase:
    # Built on first use (nothing at import time, not even the package: most commands never
    # count working days); it loads each year when first asked.
    import holidays

    return holidays.country_holidays("UA")


def is_working_day(day: date) -> bool:
    """A working day in Ukraine as the maintained `holidays` calendar keeps it: weekends and
    public holidays are off, a Saturday worked off for a bridge day is on.

    Under martial law (since 24 February 2022) public holidays are working days (Law
    No. 2136-IX); the calendar follows that, so only weekends are off then.
    """
    return bool(_calendar().is_working_day(day))


def answer_deadline(
    reached_at: datetime, tz: ZoneInfo, days: int = ANSWER_WORKING_DAYS
) -> datetime:
    """The end of the `days`-th working day after the day the threshold was reached, in the
    hromada's time zone (the day it was reached does not count, as with any legal term)."""
    day = reached_at.astimezone(tz).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
