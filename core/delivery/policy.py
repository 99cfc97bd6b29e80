"""When bulk messages may go out: quiet hours and the daily digest hour, in city time.

Carried by the unit of work (`uow.policies.delivery`), built from settings
(SPILNO_QUIET_HOURS, SPILNO_DIGEST_HOUR) by core/bootstrap.py; tests pass their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.kernel.errors import ValidationError
from core.kernel.i18n import current_timezone


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    quiet_start: time | None = time(22, 0)  # None: no quiet hours
    quiet_end: time | None = time(9, 0)
    digest_hour: int = 19

    @classmethod
    def from_text(cls, quiet_hours: str, digest_hour: int) -> DeliveryPolicy:
        """`22:00-09:00` (or empty / `off` for none) and an hour 0–23."""
        if not 0 <= digest_hour <= 23:
            raise ValidationError("bad_digest_hour", value=digest_hour)
        text = quiet_hours.strip().lower()
        if text in ("", "off", "none"):
            return cls(None, None, digest_hour)
        start, sep, end = text.partition("-")
        if not sep:
            raise ValidationError("bad_quiet_hours", value=quiet_hours)
        return cls(_clock_time(start, quiet_hours), _clock_time(end, quiet_hours), digest_hour)

    def in_quiet_hours(self, local: time) -> bool:
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end  # spans midnight

    def release_at(self, now: datetime, tz: ZoneInfo | None = None) -> datetime:
        """When a bulk message created `now` may be sent: now, or the end of quiet hours."""
        tz = tz or current_timezone()
        local = now.astimezone(tz)
        if not self.in_quiet_hours(local.time()) or self.quiet_end is None:
            return now
        release = datetime.combine(local.date(), self.quiet_end, tzinfo=tz)
        if release <= local:
            release = datetime.combine(local.date() + timedelta(days=1), self.quiet_end, tzinfo=tz)
        return release.astimezone(now.tzinfo)

    def next_digest_at(self, now: datetime, tz: ZoneInfo | None = None) -> datetime:
        """The next digest moment strictly after `now`."""
        tz = tz or current_timezone()
        local = now.astimezone(tz)
        at = datetime.combine(local.date(), time(self.digest_hour), tzinfo=tz)
        if at <= local:
            at = datetime.combine(
                local.date() + timedelta(days=1), time(self.digest_hour), tzinfo=tz
            )
        return at.astimezone(now.tzinfo)


def _clock_time(text: str, whole: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError:
        raise ValidationError("bad_quiet_hours", value=whole) from None
