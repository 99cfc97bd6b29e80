"""bots: each hromada's Telegram and Viber bot, secrets sealed; the outbox row names its
hromada, so delivery knows which bot sends it (issue 18)

Revision ID: 0018_bots
Revises: 0017_hromadas
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.hromadas.rls import disable_statements, enable_statements

revision: str = "0018_bots"
down_revision: str | Sequence[str] | None = "0017_hromadas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "bots",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("hromada_id", BIG_ID, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("token_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("token_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("webhook_secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hromada_id"],
            ["hromadas.id"],
            name=op.f("fk_bots_hromada_id_hromadas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bots")),
        sa.UniqueConstraint("hromada_id", "platform", name=op.f("uq_bots_hromada_id_platform")),
        sa.UniqueConstraint("token_fingerprint", name=op.f("uq_bots_token_fingerprint")),
    )
    op.create_index(op.f("ix_bots_hromada_id"), "bots", ["hromada_id"], unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for statement in enable_statements("bots"):
            op.execute(statement)
    # Every row already queued is hromada 1's (migration 0017 made the data here hromada 1).
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("hromada_id", BIG_ID, nullable=False, server_default="1"))
        batch.create_foreign_key(
            op.f("fk_outbox_hromada_id_hromadas"),
            "hromadas",
            ["hromada_id"],
            ["id"],
            ondelete="CASCADE",
        )
    if postgres:  # new rows always name their hromada (the model's default)
        op.alter_column("outbox", "hromada_id", server_default=None)
    op.create_index(op.f("ix_outbox_hromada_id"), "outbox", ["hromada_id"], unique=False)
    # The claim of one bot's due rows: (hromada, platform) first.
    op.create_index(
        "ix_outbox_bot_status_due_at",
        "outbox",
        ["hromada_id", "platform", "status", "due_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_bot_status_due_at", table_name="outbox")
    op.drop_index(op.f("ix_outbox_hromada_id"), table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("fk_outbox_hromada_id_hromadas"), type_="foreignkey")
        batch.drop_column("hromada_id")
    if op.get_bind().dialect.name == "postgresql":
        for statement in disable_statements("bots"):
            op.execute(statement)
    op.drop_index(op.f("ix_bots_hromada_id"), table_name="bots")
    op.drop_table("bots")
