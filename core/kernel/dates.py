"""The years a date officials type may fall in: anything else is a typo, not a plan.

Python's datetime stops at years 1 and 9999, so 0001-01-01 or 9999-12-31 with a zone overflow
when converted to UTC; the database would take them and scheduling would be nonsense.
"""

from __future__ import annotations

from datetime import datetime

FIRST_YEAR = 2000
LAST_YEAR = 2100


def in_window(moment: datetime) -> bool:
    """Whether `moment`, as written (before any zone conversion), is within the window."""
    return FIRST_YEAR <= moment.year <= LAST_YEAR
