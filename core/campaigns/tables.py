"""The campaigns table every campaign kind starts with (its own tables hang off the id)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import HromadaOwned, hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class CampaignRow(HromadaOwned, Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        Index("ix_campaigns_status_opens_at", "status", "opens_at"),
        Index("ix_campaigns_status_closes_at", "status", "closes_at"),
    )

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    opens_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    results_visibility: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Delivery (migration 0002_delivery): who is told when it opens, reminders before closing
    # ("24h,2h"), and whether participants get the results when it closes.
    audience: Mapped[str | None] = mapped_column(Text)
    reminders: Mapped[str] = mapped_column(String(64), default="", server_default="")
    send_results: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Eligibility (migration 0011_eligibility): verified residents only, and/or residents of
    # these home districts (codes, comma-separated; NULL = any district).
    eligible_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    eligible_districts: Mapped[str | None] = mapped_column(String(200))
    # Receipts (migration 0013): voters get a code to find their ballot in the open data.
    receipts: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
