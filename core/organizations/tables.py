"""Tables of officials' roles, organizations, their followers, channels, events and news.

One follower row per (organization, citizen), one RSVP per (event, citizen) and one sent
reminder per (event, offset) are primary keys: double taps and racing schedulers cannot
double count or double send.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import HromadaOwned, hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class OfficialRoleRow(HromadaOwned, Base):
    __tablename__ = "official_roles"
    # `scope` is "city" or the organization id as text: NULLs would not be unique.
    __table_args__ = (UniqueConstraint("hromada_id", "official", "role", "scope"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    official: Mapped[str] = mapped_column(String(128), index=True)
    role: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(24))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    granted_by: Mapped[str] = mapped_column(String(128))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrganizationRow(HromadaOwned, Base):
    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("hromada_id", "slug"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    logo_ref: Mapped[str | None] = mapped_column(String(500))  # the logo file's name
    # The image (up to 5 MB): loaded only when asked for, never with the profile.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrgFollowerRow(HromadaOwned, Base):
    __tablename__ = "org_followers"
    __table_args__ = (Index("ix_org_followers_citizen_id", "citizen_id"),)

    hromada_id: Mapped[int] = hromada_column()
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True
    )
    followed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrgChannelRow(HromadaOwned, Base):
    """A linked channel. Posts reach it as outbox rows of its own identity (`telegram:<chat id>`),
    owned by a hidden citizen with notifications off, so no other push ever reaches it."""

    __tablename__ = "org_channels"
    __table_args__ = (UniqueConstraint("org_id", "identity_id"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    linked_by: Mapped[str] = mapped_column(String(128))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrgEventRow(HromadaOwned, Base):
    __tablename__ = "org_events"
    __table_args__ = (Index("ix_org_events_status_starts_at", "status", "starts_at"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Offsets before the start, in seconds, comma-separated: "86400,7200".
    reminders: Mapped[str] = mapped_column(String(64), default="")
    remind_followers: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EventRsvpRow(HromadaOwned, Base):
    __tablename__ = "event_rsvps"
    __table_args__ = (Index("ix_event_rsvps_event_id_answer", "event_id", "answer"),)

    hromada_id: Mapped[int] = hromada_column()
    event_id: Mapped[int] = mapped_column(
        ForeignKey("org_events.id", ondelete="CASCADE"), primary_key=True
    )
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EventReminderSentRow(HromadaOwned, Base):
    __tablename__ = "event_reminders_sent"

    hromada_id: Mapped[int] = hromada_column()
    event_id: Mapped[int] = mapped_column(
        ForeignKey("org_events.id", ondelete="CASCADE"), primary_key=True
    )
    offset_s: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrgNewsRow(HromadaOwned, Base):
    __tablename__ = "org_news"
    __table_args__ = (Index("ix_org_news_org_id_created_at", "org_id", "created_at"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    image_ref: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
