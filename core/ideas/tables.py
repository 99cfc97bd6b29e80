"""Tables for citizen ideas: ideas, idea calls, supports, comments, reports, code counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
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


class IdeaCallRow(HromadaOwned, Base):
    """The idea-call side of a campaign of kind `idea_call`."""

    __tablename__ = "idea_calls"

    hromada_id: Mapped[int] = hromada_column()
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    support_threshold: Mapped[int | None] = mapped_column(Integer)


class IdeaCodeCounterRow(HromadaOwned, Base):
    """Last sequence number handed out per year, bumped by an upsert (no read-then-write race)."""

    __tablename__ = "idea_code_counters"

    hromada_id: Mapped[int] = hromada_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer)


class IdeaRow(HromadaOwned, Base):
    __tablename__ = "ideas"
    # Codes count per hromada and year: each hromada has its own I-2026-001.
    __table_args__ = (
        UniqueConstraint("hromada_id", "code"),
        Index("ix_ideas_status_supports", "status", "hidden", "supports"),
        Index("ix_ideas_status_created", "status", "hidden", "created_at"),
        Index("ix_ideas_topic_status", "topic", "status"),
    )

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    # Word stems of title + description, " a b c ", for the similar-ideas prefilter.
    keywords: Mapped[str] = mapped_column(Text, default="")
    photo_ref: Mapped[str | None] = mapped_column(String(512))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    topic: Mapped[str] = mapped_column(String(32))
    district: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # Denormalised counters, changed by atomic UPDATE … SET n = n ± 1 next to the row that
    # the unique constraint admitted, so list pages read them without joins.
    supports: Mapped[int] = mapped_column(Integer, default=0)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    reports: Mapped[int] = mapped_column(Integer, default=0)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    official_status: Mapped[str | None] = mapped_column(String(20))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # When the author was last told about new comments (at most once an hour per idea).
    comment_notice_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class IdeaSupportRow(HromadaOwned, Base):
    """One support per citizen per idea: the primary key is the rule."""

    __tablename__ = "idea_supports"

    hromada_id: Mapped[int] = hromada_column()
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IdeaCommentRow(HromadaOwned, Base):
    __tablename__ = "idea_comments"
    __table_args__ = (Index("ix_idea_comments_idea_id_id", "idea_id", "id"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    reports: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IdeaReportRow(HromadaOwned, Base):
    """One report per citizen per item (an idea or a comment)."""

    __tablename__ = "idea_reports"
    __table_args__ = (UniqueConstraint("target", "item_id", "citizen_id"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(BigId)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


def idea_call_participants(campaign_id: int) -> Select[tuple[int]]:
    """Taking part in an idea call means having submitted an idea into it."""
    return select(IdeaRow.author_id).where(IdeaRow.call_id == campaign_id)
