"""Every table module, imported in one place so Alembic and the tests see the whole schema.

A shared feature with its own tables adds its `tables.py` here (and, if they refer to citizens,
its columns to core/storage/participation.py); a campaign kind names its tables module in its
spec (core/<kind>/kind.py). Importing a table module registers nothing else.
"""

from __future__ import annotations

from core.audit import tables as audit_tables
from core.campaigns import tables as campaigns_tables
from core.campaigns.registry import KINDS
from core.citizens import tables as citizens_tables
from core.delivery import tables as delivery_tables
from core.hromadas import bots_tables as hromada_bots_tables
from core.hromadas import profile_tables as hromada_profile_tables
from core.hromadas import tables as hromadas_tables
from core.officials import tables as officials_tables
from core.organizations import tables as organizations_tables
from core.storage.base import Base

TABLE_MODULES = (
    audit_tables,
    campaigns_tables,
    citizens_tables,
    delivery_tables,
    hromadas_tables,
    hromada_profile_tables,
    officials_tables,
    hromada_bots_tables,
    organizations_tables,
    *KINDS.table_modules(),
)
metadata = Base.metadata
