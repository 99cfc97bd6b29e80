"""Campaigns: anything residents take part in within a time window (polls, consultations, …)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.campaigns.eligibility import EVERYONE, Eligibility
from core.kernel.errors import CampaignClosedError, CampaignNotOpenError, ValidationError


class CampaignKind(StrEnum):
    POLL = "poll"
    IDEA_CALL = "idea_call"
    CONSULTATION = "consultation"
    CONTEST = "contest"
    PB = "pb"
    PETITION = "petition"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class ResultsVisibility(StrEnum):
    LIVE = "live"
    AFTER_CLOSE = "after-close"


# The longest description of any campaign kind (README, "What officials do"): one Telegram
# message is 4096 characters, and the title and buttons go with it.
DESCRIPTION_MAX = 4000


def check_description(text: str, field: str = "description") -> str:
    text = (text or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError("text_too_long", field=field, max=DESCRIPTION_MAX)
    return text


# Which statuses each transition may start from; anything else is refused.
OPENABLE_FROM = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
CLOSABLE_FROM = (CampaignStatus.OPEN,)
SCHEDULABLE_FROM = (CampaignStatus.DRAFT,)


@dataclass(slots=True)
class Campaign:
    id: int
    kind: CampaignKind
    title: str
    description: str
    status: CampaignStatus
    opens_at: datetime | None
    closes_at: datetime | None
    results_visibility: ResultsVisibility
    created_at: datetime
    created_by: str
    # Delivery: who is told when it opens (Audience text; None = every subscriber), reminders
    # before closing ("24h,2h") and whether participants get the results when it closes.
    audience: str | None = None
    reminders: str = ""
    send_results: bool = False
    # Who may take part (core/campaigns/eligibility.py); anyone unless the official said so.
    eligibility: Eligibility = EVERYONE
    # Voters get a receipt code that finds their ballot in the open data (off: a receipt would
    # let someone prove their vote to another, e.g. on a sensitive question).
    receipts: bool = True

    def is_accepting(self, now: datetime) -> bool:
        if self.status != CampaignStatus.OPEN:
            return False
        return self.closes_at is None or now < self.closes_at

    def ensure_accepting(self, now: datetime) -> None:
        """Raise the error that explains why a resident cannot take part right now."""
        if self.status == CampaignStatus.CLOSED or (
            self.status == CampaignStatus.OPEN
            and self.closes_at is not None
            and now >= self.closes_at
        ):
            raise CampaignClosedError(campaign_id=self.id, closes_at=self.closes_at)
        if self.status != CampaignStatus.OPEN:
            raise CampaignNotOpenError(campaign_id=self.id, opens_at=self.opens_at)

    def is_effectively_closed(self, now: datetime) -> bool:
        return self.status == CampaignStatus.CLOSED or (
            self.status == CampaignStatus.OPEN
            and self.closes_at is not None
            and now >= self.closes_at
        )

    def results_visible_to_residents(self, now: datetime) -> bool:
        if self.results_visibility == ResultsVisibility.LIVE:
            return self.status in (CampaignStatus.OPEN, CampaignStatus.CLOSED)
        return self.is_effectively_closed(now)


def validate_window(
    opens_at: datetime | None, closes_at: datetime | None, *, now: datetime
) -> None:
    """A window that can still happen: zoned, in order, and closing in the future."""
    for name, value in (("opens", opens_at), ("closes", closes_at)):
        if value is not None and value.tzinfo is None:
            raise ValidationError("naive_datetime", field=name)
    # A campaign whose window has passed could only open to be closed at once: refuse it here.
    if closes_at is not None and closes_at <= now:
        raise ValidationError("closes_in_past", closes_at=closes_at)
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise ValidationError("closes_before_opens")


EDITABLE_FROM = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
DELETABLE_FROM = (CampaignStatus.DRAFT,)


def initial_status(opens_at: datetime | None) -> CampaignStatus:
    """A campaign with an opening time is scheduled; without one it waits as a draft."""
    return CampaignStatus.SCHEDULED if opens_at is not None else CampaignStatus.DRAFT
