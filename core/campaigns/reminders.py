"""Reminder offsets before a campaign closes, written the way officials type them: `24h,2h`."""

from __future__ import annotations

import re

from core.kernel.errors import ValidationError

_OFFSET = re.compile(r"^(\d+)\s*([mhd])$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}
MAX_REMINDERS = 5


def parse_reminders(text: str | None) -> tuple[int, ...]:
    """Seconds before closing, largest first; empty text means no reminders."""
    if not text or not text.strip():
        return ()
    offsets = set()
    for part in text.split(","):
        match = _OFFSET.match(part.strip().lower())
        if not match or int(match.group(1)) == 0:
            raise ValidationError("bad_reminders", value=text, part=part.strip())
        offsets.add(int(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    if len(offsets) > MAX_REMINDERS:
        raise ValidationError("too_many_reminders", max=MAX_REMINDERS)
    return tuple(sorted(offsets, reverse=True))


def format_reminders(offsets: tuple[int, ...]) -> str:
    parts = []
    for seconds in offsets:
        for unit in ("h", "m"):
            if seconds % _UNIT_SECONDS[unit] == 0:
                parts.append(f"{seconds // _UNIT_SECONDS[unit]}{unit}")
                break
    return ",".join(parts)
