"""The SQL expression that puts a citizen into a results group (core/campaigns/breakdown.py).

Each kind's tally joins its participation rows to `citizens` and groups by this expression.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case

from core.campaigns.breakdown import NOT_VERIFIED, VERIFIED_PHONE, Breakdown
from core.citizens.tables import CitizenRow

citizens = CitizenRow.__table__


def voter_group(by: Breakdown) -> Any:
    if by is Breakdown.DISTRICT:
        return citizens.c.home_district
    return case((citizens.c.verified_at.is_(None), NOT_VERIFIED), else_=VERIFIED_PHONE)
