"""pb receipts: the code a resident gets for each submitted PB ballot (issue 17 for PB)

Existing ballots have no receipt until their voter submits again; new and existing PBs keep
the campaign's receipts switch (on unless the file says `receipts: false`).

Revision ID: 0016_pb_receipts
Revises: 0015_petitions
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_pb_receipts"
down_revision: str | Sequence[str] | None = "0015_petitions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: on SQLite a batch rebuild drops and recreates
# pb_ballots, and with foreign keys on, dropping it cascades to every vote and selection.
# SQLite adds a column in place, and drops one in place since 3.35 (2021).


def upgrade() -> None:
    op.add_column("pb_ballots", sa.Column("receipt", sa.String(8), nullable=True))


def downgrade() -> None:
    op.drop_column("pb_ballots", "receipt")
