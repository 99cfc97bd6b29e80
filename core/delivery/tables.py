"""Delivery tables: subscriptions, broadcasts, the outbox and the per-platform send budget.

One `broadcasts` row holds a push rendered once per locale; one `outbox` row per recipient
identity (unique per broadcast) carries that identity's delivery state. Workers claim outbox
rows with a lease; `delivery_platforms` is the cluster-wide token bucket and 429 pause.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import HromadaOwned, hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class SubscriptionRow(HromadaOwned, Base):
    """A resident follows a topic or a district (chosen in Settings)."""

    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_kind_code", "kind", "code"),)

    hromada_id: Mapped[int] = hromada_column()
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)


class BroadcastRow(HromadaOwned, Base):
    __tablename__ = "broadcasts"
    __table_args__ = (UniqueConstraint("hromada_id", "dedupe_key"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(Text)
    campaign_id: Mapped[int | None] = mapped_column(BigId, index=True)
    bulk: Mapped[bool] = mapped_column(Boolean, default=True)
    # {locale: {"text": …, "buttons": [[[label, payload], …], …], "image": …}}
    payloads: Mapped[dict[str, Any]] = mapped_column(JSON)
    # One push per event even when two schedulers race: e.g. "remind:12:86400".
    dedupe_key: Mapped[str | None] = mapped_column(String(128))
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutboxRow(HromadaOwned, Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "identity_id"),
        # The claim query: due rows of one platform, oldest first.
        Index("ix_outbox_platform_status_due_at", "platform", "status", "due_at"),
        Index("ix_outbox_broadcast_id_status", "broadcast_id", "status"),
        # One bot's due rows (its hromada's, on its platform): each bot is claimed on its own.
        Index("ix_outbox_bot_status_due_at", "hromada_id", "platform", "status", "due_at"),
        # The per-chat pace: what an identity was sent lately or is being sent. Partial, so
        # enqueueing (pending rows) never pays for it.
        Index(
            "ix_outbox_identity_recent",
            "identity_id",
            "sent_at",
            postgresql_where=text("status IN ('sending', 'sent')"),
            sqlite_where=text("status IN ('sending', 'sent')"),
        ),
    )

    # Which hromada's bot sends it, too (core/delivery/worker.py: one turn per bot).
    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    citizen_id: Mapped[int] = mapped_column(BigId)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    locale: Mapped[str | None] = mapped_column(String(8))
    # pending · sending · sent · failed · unreachable · held (digest) · digested
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(300))
    # A per-recipient message (the daily digest) instead of the broadcast's payload.
    body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DeliveryPlatformRow(Base):
    """Shared by every worker process: the send budget (token bucket) and a 429 pause."""

    __tablename__ = "delivery_platforms"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float, default=0.0)
    refilled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    paused_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
