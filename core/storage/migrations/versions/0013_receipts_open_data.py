"""receipts on ballots and contest voters, a per-campaign receipts switch, consultations'
public free text (issue 17)

Existing campaigns keep receipts on (new ones default to on as well); existing ballots have no
receipt until their voter changes the vote. Consultations' free text stays private unless the
consultation says otherwise.

Revision ID: 0013_receipts_open_data
Revises: 0012_audit_chain
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_receipts_open_data"
down_revision: str | Sequence[str] | None = "0012_audit_chain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(
            sa.Column("receipts", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("ballots") as batch:
        batch.add_column(sa.Column("receipt", sa.String(8), nullable=True))
    with op.batch_alter_table("contest_participants") as batch:
        batch.add_column(sa.Column("receipt", sa.String(8), nullable=True))
    with op.batch_alter_table("consultations") as batch:
        batch.add_column(
            sa.Column("texts_public", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("consultations") as batch:
        batch.drop_column("texts_public")
    with op.batch_alter_table("contest_participants") as batch:
        batch.drop_column("receipt")
    with op.batch_alter_table("ballots") as batch:
        batch.drop_column("receipt")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("receipts")
