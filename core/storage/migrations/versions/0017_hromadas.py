"""hromadas: the tenants table, and the first hromada, which owns the data already here
(issue 18)

Revision ID: 0017_hromadas
Revises: 0016_pb_receipts
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0017_hromadas"
down_revision: str | Sequence[str] | None = "0016_pb_receipts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    hromadas = op.create_table(
        "hromadas",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hromadas")),
        sa.UniqueConstraint("slug", name=op.f("uq_hromadas_slug")),
    )
    # Id 1 is the hromada every existing row belongs to (core/hromadas/scope.py).
    op.bulk_insert(hromadas, [{"id": 1, "slug": "main", "created_at": datetime.now(UTC)}])
    if op.get_bind().dialect.name == "postgresql":
        # The explicit id above does not advance the sequence.
        op.execute("SELECT setval(pg_get_serial_sequence('hromadas', 'id'), 1)")


def downgrade() -> None:
    op.drop_table("hromadas")
