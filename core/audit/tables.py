"""The audit log table and its head (the chain's last link, locked by every append)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import HromadaOwned, hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class AuditRow(HromadaOwned, Base):
    """Append-only: the application never updates or deletes these rows.

    `seq` numbers the entries 1, 2, 3… without gaps; `hash` chains each entry to the one
    before (core/audit/chain.py), so an edit made in the database shows in `audit verify`.
    """

    __tablename__ = "audit_log"
    # One chain per hromada: its own numbering and its own links.
    __table_args__ = (UniqueConstraint("hromada_id", "seq"), UniqueConstraint("hromada_id", "hash"))

    hromada_id: Mapped[int] = hromada_column()
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(HromadaOwned, Base):
    """One row per hromada: its chain's last entry's seq and hash. Every append locks it first,
    so appends from officials, the scheduler and several processes queue up into one chain."""

    __tablename__ = "audit_head"

    hromada_id: Mapped[int] = hromada_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
