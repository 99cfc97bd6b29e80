"""audit: a hash chain over the log (seq, prev_hash, hash) and its head row (issue 17)

Existing entries are chained in the order they were written (by id), so `audit verify` holds
for a database filled by the previous release from the moment it is upgraded. The hashing
comes from core/audit/chain.py (standard library only) so the migration and the application
can never encode an entry differently.

Revision ID: 0012_audit_chain
Revises: 0011_eligibility
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
from alembic import op

from core.audit.chain import GENESIS, entry_hash

revision: str = "0012_audit_chain"
down_revision: str | Sequence[str] | None = "0011_eligibility"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LOG = sa.table(
    "audit_log",
    sa.column("id", sa.BigInteger),
    sa.column("seq", sa.BigInteger),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    seq, prev = _chain_existing(op.get_bind())
    op.bulk_insert(head, [{"id": 1, "seq": seq, "hash": prev}])
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint(op.f("uq_audit_log_seq"), ["seq"])
        batch.create_unique_constraint(op.f("uq_audit_log_hash"), ["hash"])


def _chain_existing(connection: sa.Connection) -> tuple[int, str]:
    seq, prev, last_id = 0, GENESIS, None
    while True:
        query = sa.select(_LOG).order_by(_LOG.c.id).limit(_BATCH)
        if last_id is not None:
            query = query.where(_LOG.c.id > last_id)
        rows = connection.execute(query).all()
        for row in rows:
            seq += 1
            at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
            digest = entry_hash(
                seq=seq,
                at=at,
                actor=row.actor,
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                before=row.before,
                after=row.after,
                prev_hash=prev,
            )
            connection.execute(
                _LOG.update()
                .where(_LOG.c.id == row.id)
                .values(seq=seq, prev_hash=prev, hash=digest)
            )
            prev = digest
        if len(rows) < _BATCH:
            return seq, prev
        last_id = rows[-1].id


def downgrade() -> None:
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint(op.f("uq_audit_log_hash"), type_="unique")
        batch.drop_constraint(op.f("uq_audit_log_seq"), type_="unique")
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("seq")
