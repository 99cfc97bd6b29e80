"""Citizens, their platform identities and the inbound updates already handled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import HromadaOwned, hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class CitizenRow(HromadaOwned, Base):
    __tablename__ = "citizens"
    __table_args__ = (UniqueConstraint("hromada_id", "phone_hash"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    notifications: Mapped[str] = mapped_column(String(16), default="instant")
    dialog_state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Set when the resident shares their own phone number (issue 16); never by a dialog save.
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The resident's home district code; changeable at most once in 30 days (audit-logged).
    home_district: Mapped[str | None] = mapped_column(String(32))
    home_district_set_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The shared phone number, never stored as such: its HMAC (SPILNO_SECRET_KEY) finds the
    # same person in another messenger; unique per hromada, so one number is one citizen there.
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    phone_masked: Mapped[str | None] = mapped_column(String(32))


class IdentityRow(HromadaOwned, Base):
    __tablename__ = "identities"
    # Per hromada: two hromadas' bots see the same Telegram user as two residents.
    __table_args__ = (UniqueConstraint("hromada_id", "platform", "external_id"),)

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProcessedUpdateRow(HromadaOwned, Base):
    __tablename__ = "processed_updates"

    # Each hromada's bot numbers its own updates.
    hromada_id: Mapped[int] = hromada_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class LinkCodeRow(HromadaOwned, Base):
    """A citizen's one-time code for linking another messenger: one at a time, stored hashed."""

    __tablename__ = "link_codes"

    hromada_id: Mapped[int] = hromada_column()
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class LinkCodeFailureRow(HromadaOwned, Base):
    """A wrong link code typed by a citizen: the brute-force limit counts these per hour, in the
    database, so every web process and every restart sees the same count."""

    __tablename__ = "link_code_failures"

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    failed_at: Mapped[datetime] = mapped_column(UtcDateTime)
