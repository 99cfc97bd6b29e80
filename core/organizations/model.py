"""Organizations residents follow, their events (with RSVPs and reminders) and news posts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from core.kernel.errors import NotFoundError, SpilnoError, ValidationError

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
NAME_MAX = 120
DESCRIPTION_MAX = 2000
TITLE_MAX = 200
PLACE_MAX = 200
NEWS_MAX = 3500  # leaves room under Telegram's 4096 for the heading and a link line
CANCEL_REASON_MAX = 500
MAX_REMINDERS = 5
# Reminders go out this long before the event unless the official says otherwise.
DEFAULT_REMINDERS = (timedelta(hours=24), timedelta(hours=2))


class OrganizationNotFoundError(NotFoundError):
    code = "organization_not_found"


class EventNotFoundError(NotFoundError):
    code = "event_not_found"


class EventCancelledError(SpilnoError):
    """An RSVP (or a second cancellation) for an event that was cancelled."""

    code = "event_cancelled"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Rsvp(StrEnum):
    GOING = "going"
    NOT_GOING = "not_going"


@dataclass(frozen=True, slots=True)
class Organization:
    id: int
    slug: str
    name: str
    description: str = ""
    logo_ref: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Channel:
    """A Telegram channel (or group) the organization's news and events are posted to."""

    org_id: int
    platform: str
    chat_id: str
    username: str | None
    title: str


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    org_id: int
    title: str
    starts_at: datetime
    place: str
    ends_at: datetime | None = None
    description: str = ""
    reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS
    remind_followers: bool = False
    status: EventStatus = EventStatus.SCHEDULED
    cancel_reason: str | None = None

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED

    def due_reminders(self, now: datetime) -> list[timedelta]:
        """Reminders whose moment has come while the event is still ahead."""
        if self.is_cancelled or self.starts_at <= now:
            return []
        return [r for r in self.reminders if self.starts_at - r <= now]


@dataclass(frozen=True, slots=True)
class RsvpCounts:
    going: int = 0
    not_going: int = 0


@dataclass(frozen=True, slots=True)
class NewsPost:
    id: int
    org_id: int
    text: str
    image_ref: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OrganizationProfile:
    organization: Organization
    followers: int
    following: bool
    events: list[Event] = field(default_factory=list)
    news: list[NewsPost] = field(default_factory=list)


def check_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise ValidationError("bad_slug", value=slug)
    return slug


def check_text(value: str, *, field_name: str, max_len: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError("text_empty", field=field_name)
    if len(text) > max_len:
        raise ValidationError("text_too_long", field=field_name, max=max_len)
    return text


_DURATION_RE = re.compile(r"^(\d{1,4})\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_reminders(text: str) -> tuple[timedelta, ...]:
    """`24h,2h,30m,1d` → durations before the event, longest first; '' or 'none' → none."""
    raw = (text or "").strip().lower()
    if raw in ("", "none", "0"):
        return ()
    found: set[timedelta] = set()
    for part in raw.split(","):
        match = _DURATION_RE.match(part.strip())
        if not match or int(match.group(1)) == 0:
            raise ValidationError("bad_reminder", value=part.strip())
        found.add(timedelta(**{_UNITS[match.group(2)]: int(match.group(1))}))
    if len(found) > MAX_REMINDERS:
        raise ValidationError("too_many_reminders", max=MAX_REMINDERS)
    return tuple(sorted(found, reverse=True))


def reminders_text(reminders: tuple[timedelta, ...]) -> str:
    """The inverse of parse_reminders, for storage and the CLI."""
    parts = []
    for r in reminders:
        minutes = int(r.total_seconds() // 60)
        if minutes % (24 * 60) == 0:
            parts.append(f"{minutes // (24 * 60)}d")
        elif minutes % 60 == 0:
            parts.append(f"{minutes // 60}h")
        else:
            parts.append(f"{minutes}m")
    return ",".join(parts)
