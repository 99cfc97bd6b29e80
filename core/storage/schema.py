"""Every table module, imported in one place so Alembic and the tests see the whole schema.

A feature with its own tables adds its module here (e.g. `from core.storage import ideas_models`).
"""

from __future__ import annotations

from core.storage.models import Base

metadata = Base.metadata
