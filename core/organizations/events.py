"""Organizations' events: announce, RSVP, remind, cancel.

Announcements and cancellations are written to the outbox in the same transaction as the
event change. Reminders come from a scheduler sweep: one `event_reminders_sent` row per
(event, reminder) decides, by its primary key, which sweep sends it — two schedulers or a
rerun after a crash send each reminder once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.audit import service as audit
from core.campaigns.audience import Audience, AudienceKind
from core.delivery import outbox
from core.kernel.errors import ValidationError
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require
from core.organizations import messages as org_messages
from core.organizations import service as organizations
from core.organizations.model import (
    CANCEL_REASON_MAX,
    DEFAULT_REMINDERS,
    PLACE_MAX,
    TITLE_MAX,
    Event,
    EventCancelledError,
    EventNotFoundError,
    Organization,
    Rsvp,
    RsvpCounts,
    check_text,
)

# The longest reminder the sweep looks ahead for (parse_reminders allows days).
MAX_REMINDER = timedelta(days=30)
SCHEDULER_ACTOR = "scheduler"


@dataclass(frozen=True, slots=True)
class EventView:
    """An event with what a resident's screen needs alongside it."""

    event: Event
    organization: Organization
    counts: RsvpCounts
    my_answer: Rsvp | None = None
    followed: bool = False


async def create_event(
    uow: UnitOfWork,
    *,
    actor: str,
    slug: str,
    title: str,
    starts_at: datetime,
    place: str,
    ends_at: datetime | None = None,
    description: str = "",
    reminders: Sequence[timedelta] = DEFAULT_REMINDERS,
    remind_followers: bool = False,
    now: datetime,
) -> tuple[Event, organizations.Published]:
    org = await organizations.get_by_slug(uow, slug)
    await require(uow, actor, Permission.PUBLISH, org.id)
    title = check_text(title, field_name="title", max_len=TITLE_MAX)
    place = check_text(place, field_name="place", max_len=PLACE_MAX)
    description = check_text(description, field_name="description", max_len=2000, required=False)
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        raise ValidationError("naive_datetime", field="starts")
    if starts_at <= now:
        raise ValidationError("starts_in_past")
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError("ends_before_starts")
    if any(r > MAX_REMINDER for r in reminders):
        raise ValidationError("reminder_too_early", max=MAX_REMINDER.days)
    event = await uow.organizations.add_event(
        org_id=org.id,
        title=title,
        place=place,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        reminders=sorted(set(reminders), reverse=True),
        remind_followers=remind_followers,
        created_by=actor,
        now=now,
    )
    published = await organizations.publish(
        uow,
        org,
        kind="org.event",
        render=org_messages.event_announced(event, org),
        now=now,
        actor=actor,
    )
    await audit.record(
        uow,
        actor=actor,
        action="event.create",
        object_type="event",
        object_id=event.id,
        now=now,
        after={
            "org": org.slug,
            "title": title,
            "starts_at": starts_at.isoformat(),
            "place": place,
            "broadcast": published.broadcast_id,
        },
    )
    return event, published


async def cancel_event(
    uow: UnitOfWork, *, actor: str, event_id: int, reason: str, now: datetime
) -> int:
    """Cancel and tell those who said they would come (and the channel). Returns the broadcast."""
    event = await get_event(uow, event_id)
    org = await organizations.get_by_id(uow, event.org_id)
    await require(uow, actor, Permission.PUBLISH, org.id)
    reason = check_text(reason, field_name="reason", max_len=CANCEL_REASON_MAX)
    if not await uow.organizations.cancel_event(event.id, reason):
        raise EventCancelledError("already_cancelled", event_id=event.id)
    broadcast_id = await outbox.enqueue(
        uow,
        kind="event.cancelled",
        audience=Audience(AudienceKind.EVENT, ref_id=event.id),
        render=org_messages.event_cancelled(event, org, reason),
        now=now,
        # Their own plans changed: tell them now, even in quiet hours or digest mode.
        bulk=False,
        created_by=actor,
    )
    await uow.organizations.enqueue_channel_posts(
        broadcast_id, org.id, now=now, spacing=organizations.CHANNEL_POST_SPACING
    )
    await audit.record(
        uow,
        actor=actor,
        action="event.cancel",
        object_type="event",
        object_id=event.id,
        now=now,
        before={"status": event.status.value},
        after={"org": org.slug, "status": "cancelled", "reason": reason},
    )
    return broadcast_id


async def get_event(uow: UnitOfWork, event_id: int) -> Event:
    event = await uow.organizations.get_event(event_id)
    if event is None:
        raise EventNotFoundError(event_id=event_id)
    return event


async def view(uow: UnitOfWork, event_id: int, citizen_id: int | None) -> EventView:
    event = await get_event(uow, event_id)
    org = await organizations.get_by_id(uow, event.org_id)
    counts = (await uow.organizations.rsvp_counts([event.id]))[event.id]
    mine = await uow.organizations.rsvp_of(event.id, citizen_id) if citizen_id else None
    return EventView(event, org, counts, mine)


async def upcoming_for(
    uow: UnitOfWork, citizen_id: int, now: datetime, *, offset: int = 0, limit: int = 10
) -> list[EventView]:
    """Upcoming events, those of organizations the resident follows first; no query per event."""
    followed = await uow.organizations.followed_by(citizen_id)
    events = await uow.organizations.upcoming_events(
        now, first_org_ids=sorted(followed), offset=offset, limit=limit
    )
    counts = await uow.organizations.rsvp_counts([e.id for e in events])
    orgs = await uow.organizations.get_many([e.org_id for e in events])
    return [EventView(e, orgs[e.org_id], counts[e.id], None, e.org_id in followed) for e in events]


async def answer(
    uow: UnitOfWork, event_id: int, citizen_id: int, rsvp: Rsvp, now: datetime
) -> EventView:
    event = await get_event(uow, event_id)
    if event.is_cancelled:
        raise EventCancelledError("event_cancelled", event_id=event_id)
    if (event.ends_at or event.starts_at) <= now:
        raise ValidationError("event_over", event_id=event_id)
    await uow.organizations.set_rsvp(event.id, citizen_id, rsvp, now)
    org = await organizations.get_by_id(uow, event.org_id)
    counts = (await uow.organizations.rsvp_counts([event.id]))[event.id]
    return EventView(event, org, counts, rsvp)


async def send_due_reminders(uow: UnitOfWork, now: datetime) -> list[tuple[int, timedelta]]:
    """Enqueue every reminder whose moment has come; each (event, reminder) once."""
    sent: list[tuple[int, timedelta]] = []
    for event in await uow.organizations.events_starting_before(now + MAX_REMINDER, now):
        due = event.due_reminders(now)
        if not due:
            continue
        org = await organizations.get_by_id(uow, event.org_id)
        claimed = [r for r in due if await uow.organizations.claim_reminder(event.id, r, now)]
        if not claimed:
            continue
        # Several reminders due at once (the scheduler was down): one message is enough.
        closest = min(claimed)
        await outbox.enqueue(
            uow,
            kind="event.reminder",
            audience=Audience(AudienceKind.EVENT, ref_id=event.id),
            render=org_messages.event_reminder(event, org),
            now=now,
            dedupe_key=f"event-remind:{event.id}:{int(closest.total_seconds())}",
            created_by=SCHEDULER_ACTOR,
        )
        sent += [(event.id, r) for r in claimed]
    return sent
