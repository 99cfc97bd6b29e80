"""official_tokens: officials' personal tokens, only each token's SHA-256 (issue 19)

Revision ID: 0020_official_tokens
Revises: 0019_profile
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_official_tokens"
down_revision: str | Sequence[str] | None = "0019_profile"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "official_tokens",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("hromada_id", BIG_ID, nullable=False),
        sa.Column("official", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["hromada_id"],
            ["hromadas.id"],
            name=op.f("fk_official_tokens_hromada_id_hromadas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_official_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_official_tokens_hromada_id"), "official_tokens", ["hromada_id"], unique=False
    )
    op.create_index(
        "ix_official_tokens_hromada_official",
        "official_tokens",
        ["hromada_id", "official"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_official_tokens_hromada_official", table_name="official_tokens")
    op.drop_index(op.f("ix_official_tokens_hromada_id"), table_name="official_tokens")
    op.drop_table("official_tokens")
