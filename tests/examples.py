"""The example campaign files in `examples/`, moved in time for tests that run on the real clock.

The examples carry realistic fixed dates for the humans reading them; the CLI refuses a closing
time in the past, so a test feeding them as they are would start failing once those dates pass.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# A calendar date as YAML writes it, alone or before a time of day ("2026-12-01T09:00").
_DATE = re.compile(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?=T\d|[\s,}\]]|$)", re.MULTILINE)


def example_yaml(name: str, *, start: date) -> str:
    """The text of `examples/<name>` with its dates moved so the earliest falls on `start`.

    Every date moves by the same whole number of days, so the order, the days between phases
    and each time of day (city time) stay as the example has them; only the date of `start`
    counts, not its time.
    """
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    found = [date(int(y), int(m), int(d)) for y, m, d in _DATE.findall(text)]
    if not found:
        raise ValueError(f"{name} has no dates to move")
    first = start.date() if isinstance(start, datetime) else start
    shift = first - min(found)

    def moved(match: re.Match[str]) -> str:
        year, month, day = (int(part) for part in match.groups())
        return (date(year, month, day) + shift).isoformat()

    return _DATE.sub(moved, text)


def soon() -> date:
    """A start that is still ahead on any machine's clock, whatever its time zone."""
    return date.today() + timedelta(days=2)


def write_example(directory: Path, name: str, *, start: date | None = None) -> Path:
    """`example_yaml` saved as `directory/name`, starting `soon()` unless told otherwise."""
    path = directory / name
    path.write_text(example_yaml(name, start=start or soon()), encoding="utf-8")
    return path


def future_year() -> int:
    """A year whose whole calendar is still ahead, for tests that spell out a literal date."""
    return date.today().year + 2


# Hromada profiles (`spilno-admin hromada apply --file …`): no dates, used as they are.
HROMADA_EXAMPLES = ("hromada-bila-tserkva.yaml", "hromada-kyiv.yaml")
