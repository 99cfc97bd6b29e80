"""Consultation tables: questions, one response per citizen (a draft until submitted), answers.

One response row per (consultation, citizen) makes the final submission unique in the database;
one answer row per (response, question) keeps partial answers across restarts and channels.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import HromadaOwned, hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class ConsultationRow(HromadaOwned, Base):
    __tablename__ = "consultations"

    hromada_id: Mapped[int] = hromada_column()
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    audience: Mapped[str] = mapped_column(String(64), default="all")
    # Set once, by a conditional UPDATE, when the results were announced to participants.
    results_published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Free-text answers appear in the open data only when this is set (residents are told).
    texts_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class ConsultationQuestionRow(HromadaOwned, Base):
    __tablename__ = "consultation_questions"
    __table_args__ = (
        UniqueConstraint("campaign_id", "position"),
        UniqueConstraint("campaign_id", "key"),
    )

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.campaign_id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(32))
    # The question as the official wrote it (type, text, options, scale, skip rule).
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)


class ConsultationResponseRow(HromadaOwned, Base):
    __tablename__ = "consultation_responses"
    __table_args__ = (
        UniqueConstraint("campaign_id", "citizen_id"),
        Index("ix_consultation_responses_campaign_submitted", "campaign_id", "submitted_at"),
    )

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.campaign_id", ondelete="CASCADE")
    )
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    # Where the resident is, so a resume (even from another channel) lands on the same question.
    current_question_id: Mapped[int | None] = mapped_column(BigId)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ConsultationAnswerRow(HromadaOwned, Base):
    __tablename__ = "consultation_answers"
    __table_args__ = (
        Index("ix_consultation_answers_campaign_question", "campaign_id", "question_id"),
    )

    hromada_id: Mapped[int] = hromada_column()
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="CASCADE"), primary_key=True
    )
    # Denormalised so results are one GROUP BY over one index.
    campaign_id: Mapped[int] = mapped_column(BigId)
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime)


def consultation_participants(campaign_id: int) -> Select[tuple[int]]:
    # Taking part in a consultation means submitting; a draft left half-way does not count.
    return select(ConsultationResponseRow.citizen_id).where(
        ConsultationResponseRow.campaign_id == campaign_id,
        ConsultationResponseRow.submitted_at.is_not(None),
    )
