"""Results broken down by who took part: their home district, or their verification level.

Officials ask for it (`campaign results ID --by district|verification`); a poll's results push
gives each participant their own district's result next to the whole city's.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from core.hromadas.taxonomy import HOME_DISTRICTS


class Breakdown(StrEnum):
    DISTRICT = "district"
    VERIFICATION = "verification"


# Verification levels as groups (the citizens' verified_at says which).
VERIFIED_PHONE = "phone"
NOT_VERIFIED = "none"


def group_keys(by: Breakdown, found: Iterable[str | None]) -> list[str | None]:
    """Every group, in the order officials read them: each district (also those nobody from
    voted), a district no longer on the city's list, then "not set" (None); or the levels."""
    if by is Breakdown.VERIFICATION:
        return [VERIFIED_PHONE, NOT_VERIFIED]
    keys = list(found)
    stray = sorted(k for k in keys if k is not None and k not in HOME_DISTRICTS)
    return [*HOME_DISTRICTS, *stray, None]
