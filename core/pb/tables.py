"""Participatory budget tables: settings and phase, pots, projects, ballots, milestones.

A ballot row per (PB, resident, pot) is unique in the database and is the lock every change
of that ballot takes first, so two taps at once cannot take it past its budget. What the
resident is choosing (`pb_selections`) and what they submitted (`pb_votes`) hang off it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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


class PbRow(HromadaOwned, Base):
    __tablename__ = "pbs"

    hromada_id: Mapped[int] = hromada_column()
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    phase: Mapped[str] = mapped_column(String(16))
    review_at: Mapped[datetime] = mapped_column(UtcDateTime)
    voting_opens_at: Mapped[datetime] = mapped_column(UtcDateTime)
    announce_at: Mapped[datetime] = mapped_column(UtcDateTime)
    rule: Mapped[str] = mapped_column(String(16))


class PbPotRow(HromadaOwned, Base):
    __tablename__ = "pb_pots"

    hromada_id: Mapped[int] = hromada_column()
    pb_id: Mapped[int] = mapped_column(
        ForeignKey("pbs.campaign_id", ondelete="CASCADE"), primary_key=True
    )
    pot: Mapped[str] = mapped_column(String(32), primary_key=True)
    budget: Mapped[int] = mapped_column(BigInteger)
    style: Mapped[str] = mapped_column(String(16))
    max_choices: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)


class PbProjectRow(HromadaOwned, Base):
    __tablename__ = "pb_projects"
    __table_args__ = (Index("ix_pb_projects_pb_status", "pb_id", "status"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    pb_id: Mapped[int] = mapped_column(ForeignKey("pbs.campaign_id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    pot: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    estimate: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[int] = mapped_column(BigInteger)
    photo_ref: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16))
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    selected: Mapped[bool | None] = mapped_column(Boolean)
    progress: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PbBallotRow(HromadaOwned, Base):
    __tablename__ = "pb_ballots"
    __table_args__ = (UniqueConstraint("pb_id", "citizen_id", "pot"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    pb_id: Mapped[int] = mapped_column(ForeignKey("pbs.campaign_id", ondelete="CASCADE"))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    pot: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The code shown when this ballot was last submitted (None: receipts off, or never).
    receipt: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PbSelectionRow(HromadaOwned, Base):
    """The project a resident has chosen and not necessarily submitted yet."""

    __tablename__ = "pb_selections"

    hromada_id: Mapped[int] = hromada_column()
    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("pb_ballots.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("pb_projects.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PbVoteRow(HromadaOwned, Base):
    """A project in a submitted ballot: what the count uses."""

    __tablename__ = "pb_votes"
    __table_args__ = (Index("ix_pb_votes_project", "project_id"),)

    hromada_id: Mapped[int] = hromada_column()
    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("pb_ballots.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("pb_projects.id", ondelete="CASCADE"), primary_key=True
    )


class PbMilestoneRow(HromadaOwned, Base):
    __tablename__ = "pb_milestones"
    __table_args__ = (Index("ix_pb_milestones_project", "project_id"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("pb_projects.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


def pb_participants(campaign_id: int) -> Select[tuple[int]]:
    # Authors of any project and residents with a submitted ballot took part.
    return union(
        select(PbProjectRow.author_id).where(PbProjectRow.pb_id == campaign_id),
        select(PbBallotRow.citizen_id).where(
            PbBallotRow.pb_id == campaign_id, PbBallotRow.submitted_at.is_not(None)
        ),
    )  # type: ignore[return-value]
