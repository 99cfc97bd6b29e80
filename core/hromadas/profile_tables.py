"""A hromada's profile: its names and settings, its districts and its topics (issue 18).

Codes are what other tables store (ideas.district, citizens.home_district …); a code in use is
never deleted, only retired (core/hromadas/model.py: plan_profile).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.tables import hromada_column
from core.storage.base import Base, BigId, UtcDateTime


class HromadaProfileRow(Base):
    __tablename__ = "hromada_profiles"
    __table_args__ = (UniqueConstraint("hromada_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hromada_id: Mapped[int] = hromada_column()
    name_uk: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    # NULL: the installation's SPILNO_* setting of the same name.
    timezone: Mapped[str | None] = mapped_column(String(64))
    default_locale: Mapped[str | None] = mapped_column(String(8))
    ideas_support_threshold: Mapped[int | None] = mapped_column(Integer)
    quiet_hours: Mapped[str | None] = mapped_column(String(16))
    digest_hour: Mapped[int | None] = mapped_column(Integer)
    welcome_uk: Mapped[str | None] = mapped_column(Text)
    welcome_en: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class HromadaDistrictRow(Base):
    __tablename__ = "hromada_districts"
    __table_args__ = (UniqueConstraint("hromada_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hromada_id: Mapped[int] = hromada_column()
    code: Mapped[str] = mapped_column(String(32))
    name_uk: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)


class HromadaTopicRow(Base):
    __tablename__ = "hromada_topics"
    __table_args__ = (UniqueConstraint("hromada_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hromada_id: Mapped[int] = hromada_column()
    code: Mapped[str] = mapped_column(String(32))
    name_uk: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)
