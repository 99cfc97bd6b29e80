"""Officials' personal tokens: only each token's SHA-256, never the token (issue 19)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class OfficialTokenRow(Base):
    __tablename__ = "official_tokens"
    __table_args__ = (Index("ix_official_tokens_hromada_official", "hromada_id", "official"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hromada_id: Mapped[int] = hromada_column()
    official: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    # Hex SHA-256 of the token: how `verify` finds it, unique across hromadas.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
