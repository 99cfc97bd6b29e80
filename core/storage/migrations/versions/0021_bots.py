"""bots: each hromada's Telegram and Viber bot, secrets sealed; an index for claiming one
bot's due outbox rows (the outbox row names its hromada since 0018_tenancy) (issue 18)

Revision ID: 0021_bots
Revises: 0020_official_tokens
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.hromadas.rls import disable_statements, enable_statements

revision: str = "0021_bots"
down_revision: str | Sequence[str] | None = "0020_official_tokens"
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
    # The claim of one bot's due rows: (hromada, platform) first.
    op.create_index(
        "ix_outbox_bot_status_due_at",
        "outbox",
        ["hromada_id", "platform", "status", "due_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_bot_status_due_at", table_name="outbox")
    if op.get_bind().dialect.name == "postgresql":
        for statement in disable_statements("bots"):
            op.execute(statement)
    op.drop_index(op.f("ix_bots_hromada_id"), table_name="bots")
    op.drop_table("bots")
