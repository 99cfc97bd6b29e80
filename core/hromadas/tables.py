"""The tenants: every hromada (city, town, village, NGO) an installation serves.

Everything a hromada owns carries its `hromada_id`; a single-city installation is the one
hromada with id 1 that migration 0017 creates for the data it already had.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.storage.base import Base, BigId, UtcDateTime


class HromadaRow(Base):
    __tablename__ = "hromadas"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # The name officials type (`--hromada kyiv`, SPILNO_HROMADA): lowercase letters, digits, -.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
