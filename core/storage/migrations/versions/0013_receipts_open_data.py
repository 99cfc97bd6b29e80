"""receipts on ballots and contest voters, a per-campaign receipts switch, consultations'
public free text (issue 17)

Existing campaigns keep receipts on (new ones default to on as well); existing ballots have no
receipt until their voter changes the vote. Consultations' free text stays private unless the
consultation says otherwise.

On SQLite a column with an expression default (sa.true()) makes batch mode rebuild the table
(copy, drop the old one, rename). The first release of this migration did that to `campaigns`
with foreign keys on, so dropping the old `campaigns` cascaded to every kind's rows (polls and
their options, ballots and choices, idea calls, consultations and their responses, contests and
their entries, votes and participants). The rebuilds now run with foreign keys off (as
0018_tenancy does), checked before they are switched back on. PostgreSQL alters the tables in
place and never lost anything.

A SQLite database that already ran the first release past 0013 has lost those rows for good:
this fix cannot bring them back (restore them from a backup taken before that upgrade).

Revision ID: 0013_receipts_open_data
Revises: 0012_audit_chain
Create Date: 2026-12-01
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from core.storage.migration_helpers import sqlite_foreign_keys_off

revision: str = "0013_receipts_open_data"
down_revision: str | Sequence[str] | None = "0012_audit_chain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with sqlite_foreign_keys_off():
        _upgrade()


def _upgrade() -> None:
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
    with sqlite_foreign_keys_off():
        _downgrade()


def _downgrade() -> None:
    with op.batch_alter_table("consultations") as batch:
        batch.drop_column("texts_public")
    with op.batch_alter_table("contest_participants") as batch:
        batch.drop_column("receipt")
    with op.batch_alter_table("ballots") as batch:
        batch.drop_column("receipt")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("receipts")
