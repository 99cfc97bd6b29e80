"""petitions: local e-petitions, each a campaign of kind `petition`, and their signatures
(issue 20)

Revision ID: 0015_petitions
Revises: 0014_pb
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_petitions"
down_revision: str | Sequence[str] | None = "0014_pb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # New tables only: campaigns of the other kinds are untouched.
    op.create_table(
        "petitions",
        sa.Column("id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("author_id", BIG_ID, nullable=False),
        sa.Column("addressee", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("signatures", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.String(length=32), nullable=True),
        sa.Column("reject_note", sa.Text(), nullable=True),
        sa.Column("threshold_reached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["citizens.id"],
            name=op.f("fk_petitions_author_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["campaigns.id"], name=op.f("fk_petitions_id_campaigns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petitions")),
    )
    with op.batch_alter_table("petitions") as batch:
        batch.create_index(batch.f("ix_petitions_author_id"), ["author_id"], unique=False)
        batch.create_index("ix_petitions_status_signatures", ["status", "signatures"])
        batch.create_index("ix_petitions_status_due", ["status", "answer_due_at"])
        batch.create_index("ix_petitions_topic_status", ["topic", "status"])
    # One signature per citizen per petition: the primary key is the rule.
    op.create_table(
        "petition_signatures",
        sa.Column("petition_id", BIG_ID, nullable=False),
        sa.Column("citizen_id", BIG_ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_petition_signatures_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_signatures_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("petition_id", "citizen_id", name=op.f("pk_petition_signatures")),
    )
    with op.batch_alter_table("petition_signatures") as batch:
        batch.create_index(
            batch.f("ix_petition_signatures_citizen_id"), ["citizen_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("petition_signatures")
    op.drop_table("petitions")
