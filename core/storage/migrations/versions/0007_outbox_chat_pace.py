"""outbox: a partial index for the per-chat pace (what an identity was sent lately)

Revision ID: 0007_outbox_chat_pace
Revises: 0006_merge_features
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_outbox_chat_pace"
down_revision: str | Sequence[str] | None = "0006_merge_features"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECENT = sa.text("status IN ('sending', 'sent')")


def upgrade() -> None:
    op.create_index(
        "ix_outbox_identity_recent",
        "outbox",
        ["identity_id", "sent_at"],
        postgresql_where=RECENT,
        sqlite_where=RECENT,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_identity_recent", table_name="outbox")
