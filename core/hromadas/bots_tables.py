"""The `bots` table: each hromada's Telegram and Viber bot (core/hromadas/bots.py says why the
secrets are sealed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class BotRow(Base):
    __tablename__ = "bots"
    __table_args__ = (UniqueConstraint("hromada_id", "platform"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hromada_id: Mapped[int] = hromada_column()
    platform: Mapped[str] = mapped_column(String(16))
    # AES-GCM (format byte, nonce, ciphertext + tag); never the token itself.
    token_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # HMAC-SHA-256 of the token under the installation's key: one bot, one hromada.
    token_fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    webhook_secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Telegram's @username or Viber's chat URI, for links residents share.
    username: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
