"""organization logos: the image itself, uploaded with `spilno-admin org create --logo`
(issue 19: officials work from their own computers, so a path on theirs means nothing to
the installation); `logo_ref` keeps the file's name.

Revision ID: 0022_organization_logos
Revises: 0021_bots
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.storage.migration_helpers import sqlite_foreign_keys_off

revision: str = "0022_organization_logos"
down_revision: str | Sequence[str] | None = "0021_bots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("organizations", sa.Column("logo", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # SQLite rebuilds the table: its events, followers and news must outlive the old copy.
    with sqlite_foreign_keys_off(), op.batch_alter_table("organizations") as batch:
        batch.drop_column("logo")
