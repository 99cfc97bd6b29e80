"""Contests: residents submit solutions, then vote for them; the top K win.

The campaign's window spans the whole contest (opens = submissions open, closes = voting
closes). Inside it the contest moves through explicit phases by conditional transitions:
submissions → voting → finished. Finishing is where winners are announced, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.campaigns.model import Campaign, CampaignStatus
from core.kernel.errors import (
    CampaignClosedError,
    CampaignNotOpenError,
    OwnEntryError,
    ValidationError,
    WrongPhaseError,
)

TITLE_MAX = 100
DESCRIPTION_MAX = 1000
REJECT_REASON_MAX = 500  # the entries.reject_reason column


class ContestPhase(StrEnum):
    SUBMISSIONS = "submissions"
    VOTING = "voting"
    FINISHED = "finished"


# Where each phase transition may start from; a repeated or late sweep changes nothing.
VOTING_FROM = (ContestPhase.SUBMISSIONS,)
FINISHED_FROM = (ContestPhase.SUBMISSIONS, ContestPhase.VOTING)


class EntryStatus(StrEnum):
    PENDING = "pending"  # waiting for premoderation
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(slots=True)
class Contest:
    campaign: Campaign
    phase: ContestPhase
    submissions_close_at: datetime
    voting_opens_at: datetime
    votes_per_resident: int
    winners: int
    entries_per_resident: int
    premoderation: bool
    audience: str = "all"  # who hears about it (besides participants): all, topic:…, district:…

    @property
    def id(self) -> int:
        return self.campaign.id

    def ensure_open(self, now: datetime) -> None:
        self.campaign.ensure_accepting(now)

    def accepts_entries(self, now: datetime) -> bool:
        return (
            self.campaign.is_accepting(now)
            and self.phase == ContestPhase.SUBMISSIONS
            and now < self.submissions_close_at
        )

    def accepts_votes(self, now: datetime) -> bool:
        return self.campaign.is_accepting(now) and self.phase == ContestPhase.VOTING

    def ensure_accepts_entries(self, now: datetime) -> None:
        if self.campaign.is_effectively_closed(now):
            raise CampaignClosedError(campaign_id=self.id, kind="contest")
        if self.campaign.status != CampaignStatus.OPEN:
            raise CampaignNotOpenError(
                campaign_id=self.id, opens_at=self.campaign.opens_at, kind="contest"
            )
        if not self.accepts_entries(now):
            raise WrongPhaseError(
                "submissions_closed", contest_id=self.id, voting_opens_at=self.voting_opens_at
            )

    def ensure_accepts_votes(self, now: datetime) -> None:
        if self.campaign.is_effectively_closed(now):
            raise CampaignClosedError(campaign_id=self.id, kind="contest")
        if self.campaign.status != CampaignStatus.OPEN:
            raise CampaignNotOpenError(
                campaign_id=self.id, opens_at=self.campaign.opens_at, kind="contest"
            )
        if self.phase != ContestPhase.VOTING:
            raise WrongPhaseError(
                "voting_not_open", contest_id=self.id, voting_opens_at=self.voting_opens_at
            )

    def is_finished(self, now: datetime) -> bool:
        return self.phase == ContestPhase.FINISHED or self.campaign.is_effectively_closed(now)


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    contest_id: int
    author_id: int
    title: str
    description: str
    photo_ref: str | None
    status: EntryStatus
    created_at: datetime
    reject_reason: str | None = None

    def ensure_votable_by(self, citizen_id: int) -> None:
        if self.author_id == citizen_id:
            raise OwnEntryError(entry_id=self.id)
        if self.status != EntryStatus.APPROVED:
            raise ValidationError("entry_not_approved", entry_id=self.id)


@dataclass(frozen=True, slots=True)
class RankedEntry:
    rank: int
    entry: Entry
    votes: int
    percent: float  # share of all votes cast in the contest
    winner: bool


@dataclass(frozen=True, slots=True)
class ContestResults:
    contest: Contest
    ranked: list[RankedEntry]
    voters: int

    @property
    def winners(self) -> list[RankedEntry]:
        return [r for r in self.ranked if r.winner]


def validate_entry(title: str, description: str) -> tuple[str, str]:
    title, description = title.strip(), description.strip()
    if not title:
        raise ValidationError("title_empty")
    if len(title) > TITLE_MAX:
        raise ValidationError("title_too_long", max=TITLE_MAX, length=len(title))
    if not description:
        raise ValidationError("description_empty")
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError("description_too_long", max=DESCRIPTION_MAX, length=len(description))
    return title, description


def validate_phases(
    opens_at: datetime,
    submissions_close_at: datetime,
    voting_opens_at: datetime,
    closes_at: datetime,
) -> None:
    if not opens_at < submissions_close_at <= voting_opens_at < closes_at:
        raise ValidationError("phases_out_of_order")


def rank(entries: list[tuple[Entry, int]], winners: int) -> list[RankedEntry]:
    """Most votes first; ties share a rank and are ordered by who entered first.

    Winners are the entries ranked within the top K (a tie at the K-th place wins together).
    """
    ordered = sorted(entries, key=lambda ev: (-ev[1], ev[0].created_at, ev[0].id))
    total = sum(v for _e, v in ordered)
    ranked: list[RankedEntry] = []
    previous_votes: int | None = None
    current_rank = 0
    for position, (entry, votes) in enumerate(ordered, start=1):
        if votes != previous_votes:
            current_rank = position
            previous_votes = votes
        ranked.append(
            RankedEntry(
                rank=current_rank,
                entry=entry,
                votes=votes,
                percent=round(100.0 * votes / total, 1) if total else 0.0,
                winner=current_rank <= winners and votes > 0,
            )
        )
    return ranked
