"""campaigns: consultations and contests keep sending their results (send_results, as polls)

Consultation and contest files now have `send_results` (default true), read from the campaign
row as polls' is. Before, their results and winners always went out whatever the row said
(false by default), so existing consultations and contests get true to keep doing so.

Revision ID: 0008_campaign_file_delivery
Revises: 0007_outbox_chat_pace
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_campaign_file_delivery"
down_revision: str | Sequence[str] | None = "0007_outbox_chat_pace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CAMPAIGNS = sa.table("campaigns", sa.column("kind", sa.String), sa.column("send_results", sa.Boolean))
_OWN_RESULTS_KINDS = ("consultation", "contest")


def upgrade() -> None:
    op.execute(
        _CAMPAIGNS.update()
        .where(_CAMPAIGNS.c.kind.in_(_OWN_RESULTS_KINDS))
        .values(send_results=sa.true())
    )


def downgrade() -> None:
    pass  # the flag is still right for the previous release, which ignored it for these kinds
