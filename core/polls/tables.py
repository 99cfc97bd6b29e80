"""Polls, their options, ballots and choices; and who took part in a poll."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, Select, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import HromadaOwned, hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class PollRow(HromadaOwned, Base):
    __tablename__ = "polls"

    hromada_id: Mapped[int] = hromada_column()
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    max_choices: Mapped[int] = mapped_column(Integer, default=1)


class PollOptionRow(HromadaOwned, Base):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("campaign_id", "position"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("polls.campaign_id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))


class BallotRow(HromadaOwned, Base):
    """One per citizen per poll: the database itself enforces one person, one vote."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("campaign_id", "citizen_id"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("polls.campaign_id", ondelete="CASCADE"))
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The code shown after the last change of this vote (None: receipts off, or no choice).
    receipt: Mapped[str | None] = mapped_column(String(8))


class BallotChoiceRow(HromadaOwned, Base):
    __tablename__ = "ballot_choices"
    __table_args__ = (Index("ix_ballot_choices_campaign_option", "campaign_id", "option_id"),)

    hromada_id: Mapped[int] = hromada_column()
    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int] = mapped_column(
        ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True
    )
    # Denormalised so a tally reads one index instead of joining ballots.
    campaign_id: Mapped[int] = mapped_column(BigId)


def poll_participants(campaign_id: int) -> Select[tuple[int]]:
    # A ballot whose choices were all withdrawn is not taking part.
    return (
        select(BallotRow.citizen_id)
        .where(BallotRow.campaign_id == campaign_id)
        .where(
            select(BallotChoiceRow.ballot_id)
            .where(BallotChoiceRow.ballot_id == BallotRow.id)
            .exists()
        )
    )
