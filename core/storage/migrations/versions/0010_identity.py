"""citizens: phone hash and masked phone; link codes and their wrong tries (issue 16)

On SQLite the unique constraint makes batch mode rebuild `citizens` (copy, drop the old table,
rename). The first release of this migration did that with foreign keys on, so dropping the old
`citizens` cascaded to every row that references a resident: identities, subscriptions,
ballots, ideas and their supports, comments and reports, consultation responses, contest
entries and votes, org followers and RSVPs, the outbox. It now switches foreign keys off for the
rebuild (as 0018_tenancy does) and checks them before switching them back on. PostgreSQL alters
the table in place and never lost anything.

A SQLite database that already ran the first release past 0010 has lost those rows for good:
this fix cannot bring them back (restore them from a backup taken before that upgrade).

Revision ID: 0010_identity
Revises: 0009_resident_profile
Create Date: 2026-12-01
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from core.storage.migration_helpers import sqlite_foreign_keys_off

revision: str = "0010_identity"
down_revision: str | Sequence[str] | None = "0009_resident_profile"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with sqlite_foreign_keys_off(), op.batch_alter_table("citizens") as batch:
        batch.add_column(sa.Column("phone_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("phone_masked", sa.String(32), nullable=True))
        batch.create_unique_constraint("uq_citizens_phone_hash", ["phone_hash"])
    op.create_table(
        "link_codes",
        sa.Column(
            "citizen_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey(
                "citizens.id", ondelete="CASCADE", name="fk_link_codes_citizen_id_citizens"
            ),
            primary_key=True,
        ),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_link_codes_expires_at", "link_codes", ["expires_at"])
    op.create_table(
        "link_code_failures",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "citizen_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey(
                "citizens.id",
                ondelete="CASCADE",
                name="fk_link_code_failures_citizen_id_citizens",
            ),
            nullable=False,
        ),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_link_code_failures_citizen_id", "link_code_failures", ["citizen_id"])


def downgrade() -> None:
    op.drop_index("ix_link_code_failures_citizen_id", "link_code_failures")
    op.drop_table("link_code_failures")
    op.drop_index("ix_link_codes_expires_at", "link_codes")
    op.drop_table("link_codes")
    with sqlite_foreign_keys_off(), op.batch_alter_table("citizens") as batch:
        batch.drop_constraint("uq_citizens_phone_hash", type_="unique")
        batch.drop_column("phone_masked")
        batch.drop_column("phone_hash")
