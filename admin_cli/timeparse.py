"""Parse officials' date/time options: ISO 8601, local city time unless a zone is given."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.kernel.dates import FIRST_YEAR, LAST_YEAR, in_window
from core.kernel.i18n import _


class TimeParseError(ValueError):
    pass


def parse_moment(value: str, *, option: str, tz: ZoneInfo, now: datetime) -> datetime:
    text = value.strip()
    if text.lower() == "now":
        return now
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TimeParseError(
            _("{option}: {value!r} is not a date and time (e.g. 2026-12-01T09:00)").format(
                option=option, value=value
            )
        ) from None
    if not in_window(moment):  # checked as written: converting year 1 or 9999 may overflow
        raise TimeParseError(
            _("{option}: {value!r} is not between the years {first} and {last}").format(
                option=option, value=value, first=FIRST_YEAR, last=LAST_YEAR
            )
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)
