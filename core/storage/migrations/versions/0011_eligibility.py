"""campaigns: who may take part — verified residents only, residents of some districts (issue 16)

Revision ID: 0011_eligibility
Revises: 0010_identity
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_eligibility"
down_revision: str | Sequence[str] | None = "0010_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing campaigns admit everyone, as they always did.
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(
            sa.Column("eligible_verified", sa.Boolean(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("eligible_districts", sa.String(200), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite drops a column in place since 3.35), not batch mode: a batch
    # rebuild drops the old campaigns with foreign keys on, which cascades to every row under it.
    for column in ("eligible_districts", "eligible_verified"):
        op.drop_column("campaigns", column)
