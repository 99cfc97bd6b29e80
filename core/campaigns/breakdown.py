"""Results broken down by who took part: their home district, or their verification level.

Officials ask for it (`campaign results ID --by district|verification`); a results push gives
each participant their own district's result next to the whole city's. Each kind with a tally
supplies its breakdown through its spec (`KindBreakdown`, core/campaigns/kinds.py); the shapes
here are shared so the push (core/campaigns/district_results.py) and the CLI read them alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar

from core.hromadas.taxonomy import home_district_codes

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

R = TypeVar("R")
T = TypeVar("T")


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
    home = home_district_codes()  # retired ones show only where someone from them took part
    stray = sorted(k for k in keys if k is not None and k not in home)
    return [*home, *stray, None]


@dataclass(frozen=True, slots=True)
class GroupResults(Generic[R]):
    key: str | None  # a district code or a verification level; None: district not set
    results: R  # the kind's own results, counted over this group's participants only
    counted: int  # how many from this group are counted (voters, submitted responses)


@dataclass(frozen=True, slots=True)
class ResultsBreakdown(Generic[R]):
    by: Breakdown
    whole: R  # the whole city's results, exactly as `campaign results` shows them
    groups: list[GroupResults[R]]


def assemble(
    by: Breakdown,
    whole: R,
    tallies: Mapping[str | None, T],
    empty: T,
    compute: Callable[[T], R],
    counted: Callable[[T], int],
) -> ResultsBreakdown[R]:
    """Every group (`group_keys`), each computed from its raw tally (`empty` where nobody of
    the group took part) by the same rule as the whole."""
    groups = []
    for key in group_keys(by, tallies):
        tally = tallies.get(key, empty)
        groups.append(GroupResults(key, compute(tally), counted(tally)))
    return ResultsBreakdown(by, whole, groups)


# (their district's results, the whole city's, the district's name) → the line its residents
# read in the results push ("Your district, Zarichchia: 62% for “A”; the whole city: 48%."),
# or None when there is nothing to compare (nobody there voted for anything counted).
DistrictLine = Callable[[R, R, str], str | None]


@dataclass(frozen=True, slots=True)
class KindBreakdown(Generic[R]):
    """A kind's results per group of participants: the spec's hook for `campaign results
    --by` and for the district line of its results push. Kinds without a tally (idea calls,
    petitions) or with their own per-district pots (public budgets) have none."""

    # (uow, campaign id, by) → every group's results, as officials see them (at any time).
    load: Callable[[UnitOfWork, int, Breakdown], Awaitable[ResultsBreakdown[R]]]
    district_line: DistrictLine[R]
