"""Tables for petitions: the petition side of a campaign of kind `petition`, and signatures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, Select, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import HromadaOwned, hromada_column
from core.storage.base import Base, UtcDateTime


class PetitionRow(HromadaOwned, Base):
    """One petition; its id is its campaign's (title, text and signature period live there)."""

    __tablename__ = "petitions"
    __table_args__ = (
        Index("ix_petitions_status_signatures", "status", "signatures"),
        Index("ix_petitions_status_due", "status", "answer_due_at"),
        Index("ix_petitions_topic_status", "topic", "status"),
    )

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    addressee: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    # Denormalised, changed next to the signature row the primary key admitted
    # (core/storage/tallies.py), so list pages sort by it without a join.
    signatures: Mapped[int] = mapped_column(Integer, default=0)
    # The hromada's threshold when the petition opened: a later change of the setting does
    # not move the goal of petitions already collecting.
    threshold: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    moderated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    reject_note: Mapped[str | None] = mapped_column(Text)
    threshold_reached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision: Mapped[str | None] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PetitionSignatureRow(HromadaOwned, Base):
    """One signature per citizen per petition: the primary key is the rule (linked messengers
    are one citizen, so a second messenger's tap is the same key)."""

    __tablename__ = "petition_signatures"

    hromada_id: Mapped[int] = hromada_column()
    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


def petition_participants(campaign_id: int) -> Select[tuple[int]]:
    """Taking part in a petition means having signed it (its author signs it when it opens)."""
    return select(PetitionSignatureRow.citizen_id).where(
        PetitionSignatureRow.petition_id == campaign_id
    )
