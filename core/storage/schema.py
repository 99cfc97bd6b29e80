"""Every table module, imported in one place so Alembic and the tests see the whole schema.

A feature with its own tables adds its `tables.py` here (and, if they refer to citizens, its
columns to core/storage/participation.py). Importing a table module registers nothing else.
"""

from __future__ import annotations

from core.audit import tables as audit_tables
from core.campaigns import tables as campaigns_tables
from core.citizens import tables as citizens_tables
from core.consultations import tables as consultations_tables
from core.contests import tables as contests_tables
from core.delivery import tables as delivery_tables
from core.ideas import tables as ideas_tables
from core.organizations import tables as organizations_tables
from core.polls import tables as polls_tables
from core.storage.base import Base

TABLE_MODULES = (
    audit_tables,
    campaigns_tables,
    citizens_tables,
    consultations_tables,
    contests_tables,
    delivery_tables,
    ideas_tables,
    organizations_tables,
    polls_tables,
)
metadata = Base.metadata
