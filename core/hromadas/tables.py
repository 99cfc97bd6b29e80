"""The tenants: every hromada (city, town, village, NGO) an installation serves.

Everything a hromada owns carries its `hromada_id`; a single-city installation is the one
hromada with id 1 that migration 0017 creates for the data it already had.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.hromadas.scope import current_hromada_id
from core.storage.base import Base, BigId, UtcDateTime


class HromadaRow(Base):
    __tablename__ = "hromadas"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # The name officials type (`--hromada kyiv`, SPILNO_HROMADA): lowercase letters, digits, -.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


def hromada_column(*, primary_key: bool = False) -> Mapped[int]:
    """The `hromada_id` every hromada-owned table carries. Inserts that do not name it get the
    hromada the code runs for (core/hromadas/scope.py), so services need not pass it.

    `primary_key`: the column leads the key of a table keyed by natural values (a year, an
    update id) that two hromadas share; the key's index then serves it."""
    return mapped_column(
        BigId,
        ForeignKey("hromadas.id", ondelete="CASCADE"),
        default=current_hromada_id,
        index=not primary_key,
        primary_key=primary_key,
        autoincrement=False,
    )


class HromadaOwned:
    """Marks a table whose rows belong to one hromada: every ORM query a hromada's unit of work
    runs gets `hromada_id = <its hromada>` on each such table it reads, updates or deletes
    (core/storage/tenancy.py), and PostgreSQL's row-level security checks the same."""

    # Each table names the column itself (hromada_column() in its tables.py); this one is what
    # the query criteria are written against.
    hromada_id: Mapped[int] = hromada_column()
