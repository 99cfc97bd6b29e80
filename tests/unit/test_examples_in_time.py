"""The helper that moves the example files in time keeps them the same campaigns, on any day."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.consultations.plan import parse_consultation
from core.contests.plan import parse_contest
from tests.examples import EXAMPLES, example_yaml, soon

KYIV = ZoneInfo("Europe/Kyiv")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def consultation_times(text: str) -> list[datetime]:
    plan = parse_consultation(text, tz=KYIV)
    assert plan.opens_at is not None
    return [plan.opens_at, plan.closes_at]


def contest_times(text: str) -> list[datetime]:
    plan = parse_contest(text, tz=KYIV)
    return [
        plan.submissions_open_at,
        plan.submissions_close_at,
        plan.voting_opens_at,
        plan.voting_close_at,
    ]


def city_time(moments: list[datetime]) -> list[datetime]:
    """As the file reads them: city wall-clock time, so a summer-time change moves nothing."""
    return [moment.astimezone(KYIV).replace(tzinfo=None) for moment in moments]


@pytest.mark.parametrize(
    ("name", "times"), [("consultation.yaml", consultation_times), ("contest.yaml", contest_times)]
)
@pytest.mark.parametrize(
    "start",
    [date(2031, 6, 15), date(2031, 3, 20), datetime(2031, 10, 20, 23, 30, tzinfo=UTC)],
    ids=["summer", "across-spring-dst", "a-datetime-counts-by-its-date"],
)
def test_a_moved_example_keeps_its_order_intervals_and_times_of_day(name, times, start):
    original = city_time(times((EXAMPLES / name).read_text(encoding="utf-8")))
    moved = city_time(times(example_yaml(name, start=start)))

    first = start.date() if isinstance(start, datetime) else start
    assert min(moved).date() == first
    assert moved == sorted(moved) and original == sorted(original)
    assert [m - moved[0] for m in moved] == [o - original[0] for o in original]
    assert [m.time() for m in moved] == [o.time() for o in original]


@pytest.mark.parametrize("name", ["consultation.yaml", "contest.yaml"])
def test_only_the_dates_change(name):
    original = (EXAMPLES / name).read_text(encoding="utf-8")
    moved = example_yaml(name, start=date(2031, 6, 15))

    assert moved != original
    assert DATE.sub("DATE", moved) == DATE.sub("DATE", original)


def test_soon_is_still_ahead_of_the_real_clock():
    plan = parse_consultation(example_yaml("consultation.yaml", start=soon()), tz=KYIV)
    assert plan.opens_at is not None and plan.opens_at > datetime.now(UTC)
