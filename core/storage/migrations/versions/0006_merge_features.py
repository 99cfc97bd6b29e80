"""Merge the feature branches (delivery, ideas, consultations/contests, organizations).

They were developed side by side from 0001; from here the history is one line again.

Revision ID: 0006_merge_features
Revises: 0002_delivery, 0003_ideas, 0004_consultations, 0005_organizations
Create Date: 2026-11-23
"""

from collections.abc import Sequence

revision: str = "0006_merge_features"
down_revision: str | Sequence[str] | None = (
    "0002_delivery",
    "0003_ideas",
    "0004_consultations",
    "0005_organizations",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: a merge point."""


def downgrade() -> None:
    """Nothing to change: a merge point."""
