"""Contest tables: settings and phase, entries, votes, and a per-citizen lock row.

Votes are unique per (entry, citizen) in the database. Entries carry the author's sequence
number, unique per (contest, author), so "one entry per resident" holds even under a race;
the vote limit N is checked under the citizen's lock row (as a poll ballot is).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    select,
    union,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import HromadaOwned, hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class ContestRow(HromadaOwned, Base):
    __tablename__ = "contests"

    hromada_id: Mapped[int] = hromada_column()
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    phase: Mapped[str] = mapped_column(String(16))
    submissions_close_at: Mapped[datetime] = mapped_column(UtcDateTime)
    voting_opens_at: Mapped[datetime] = mapped_column(UtcDateTime)
    votes_per_resident: Mapped[int] = mapped_column(Integer)
    winners: Mapped[int] = mapped_column(Integer)
    entries_per_resident: Mapped[int] = mapped_column(Integer)
    premoderation: Mapped[bool] = mapped_column(Boolean)
    audience: Mapped[str] = mapped_column(String(64), default="all")


class ContestEntryRow(HromadaOwned, Base):
    __tablename__ = "contest_entries"
    __table_args__ = (
        UniqueConstraint("contest_id", "author_id", "author_seq"),
        Index("ix_contest_entries_contest_status", "contest_id", "status"),
    )

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.campaign_id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    author_seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    photo_ref: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16))
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ContestVoteRow(HromadaOwned, Base):
    __tablename__ = "contest_votes"
    __table_args__ = (Index("ix_contest_votes_contest_citizen", "contest_id", "citizen_id"),)

    hromada_id: Mapped[int] = hromada_column()
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("contest_entries.id", ondelete="CASCADE"), primary_key=True
    )
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True
    )
    contest_id: Mapped[int] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ContestParticipantRow(HromadaOwned, Base):
    """Locked (insert-or-touch) before a citizen's entry or vote is counted against a limit."""

    __tablename__ = "contest_participants"

    hromada_id: Mapped[int] = hromada_column()
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.campaign_id", ondelete="CASCADE"), primary_key=True
    )
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True
    )
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The receipt of this voter's current set of votes (None: no votes, or receipts off).
    receipt: Mapped[str | None] = mapped_column(String(8))


def contest_participants(campaign_id: int) -> Select[tuple[int]]:
    # Authors (of any entry, approved or not) and voters both took part.
    return union(
        select(ContestEntryRow.author_id).where(ContestEntryRow.contest_id == campaign_id),
        select(ContestVoteRow.citizen_id).where(ContestVoteRow.contest_id == campaign_id),
    )  # type: ignore[return-value]
