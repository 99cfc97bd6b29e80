"""A results push that gives each participant their own district's result next to the city's.

Polls (the shared results push), contests (winners) and consultations (summary) all send it
this way: one push per district someone there was counted in, written for the participants
living there with the kind's district line, and one push without it for everyone else (no
district set, nobody counted from theirs, or a district no longer on the city's list).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from core.campaigns.audience import Audience
from core.campaigns.breakdown import DistrictLine, ResultsBreakdown
from core.delivery import outbox
from core.delivery.messenger import Message
from core.hromadas.taxonomy import WHOLE_CITY, district_name, is_known_district
from core.kernel.unit_of_work import UnitOfWork

R = TypeVar("R")

# The message, given the district line to add (None: the city's results alone).
Render = Callable[[str | None], Message]


def _line(district_line: DistrictLine[R], mine: R, city: R, code: str) -> str | None:
    return district_line(mine, city, district_name(code))


async def enqueue_to_participants(
    uow: UnitOfWork,
    *,
    kind: str,
    campaign_id: int,
    render: Render,
    by_district: ResultsBreakdown[R] | None,
    district_line: DistrictLine[R] | None,
    now: datetime,
    dedupe_key: str,
) -> int:
    """The results push to everyone who took part; returns the first broadcast's id.

    Each district's push carries `dedupe_key:<district>`, the rest `dedupe_key`, so a
    repeated sweep writes nothing twice."""
    first: int | None = None
    told: list[str] = []
    if by_district is not None and district_line is not None:
        city = by_district.whole
        for group in by_district.groups:
            code = group.key
            if (
                code is None
                or code == WHOLE_CITY
                or not is_known_district(code)
                or not group.counted
            ):
                continue
            mine = group.results
            if _line(district_line, mine, city, code) is None:
                continue
            told.append(code)

            def with_line(mine: R = mine, code: str = code) -> Message:
                return render(_line(district_line, mine, city, code))

            broadcast_id = await outbox.enqueue(
                uow,
                kind=kind,
                audience=Audience.participants(campaign_id),
                render=with_line,
                now=now,
                campaign_id=campaign_id,
                dedupe_key=f"{dedupe_key}:{code}",
                home_districts=(code,),
            )
            first = first or broadcast_id
    broadcast_id = await outbox.enqueue(
        uow,
        kind=kind,
        audience=Audience.participants(campaign_id),
        render=lambda: render(None),
        now=now,
        campaign_id=campaign_id,
        dedupe_key=dedupe_key,
        except_home_districts=tuple(told),
    )
    return first or broadcast_id
