"""citizens: phone verification time and home district (issue 16)

Revision ID: 0009_resident_profile
Revises: 0008_campaign_file_delivery
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0009_resident_profile"
down_revision: str | Sequence[str] | None = "0008_campaign_file_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("citizens") as batch:
        batch.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("home_district", sa.String(32), nullable=True))
        batch.add_column(sa.Column("home_district_set_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite drops a column in place since 3.35), not batch mode: a batch
    # rebuild drops the old citizens with foreign keys on, which cascades to every row under it.
    for column in ("home_district_set_at", "home_district", "verified_at"):
        op.drop_column("citizens", column)
