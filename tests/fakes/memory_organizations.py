"""In-memory officials' roles and organizations, honouring the SQL uniqueness rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.officials.model import Grant, Role
from core.organizations.model import (
    Channel,
    Event,
    EventStatus,
    NewsPost,
    Organization,
    Rsvp,
    RsvpCounts,
)

if TYPE_CHECKING:
    from tests.fakes.memory import MemoryState


@dataclass
class OrgsMemory:
    grants: set[Grant] = field(default_factory=set)
    orgs: dict[int, Organization] = field(default_factory=dict)
    followers: dict[tuple[int, int], datetime] = field(default_factory=dict)
    channels: list[Channel] = field(default_factory=list)
    channel_posts: list[tuple[int, Channel, datetime]] = field(default_factory=list)
    events: dict[int, Event] = field(default_factory=dict)
    rsvps: dict[tuple[int, int], Rsvp] = field(default_factory=dict)
    reminders_sent: set[tuple[int, timedelta]] = field(default_factory=set)
    news: list[NewsPost] = field(default_factory=list)


class _Repo:
    def __init__(self, state: MemoryState) -> None:
        self.s = state
        self.m: OrgsMemory = state.orgs


class MemoryOfficialRepository(_Repo):
    async def grants_of(self, official: str) -> list[Grant]:
        return [g for g in self.m.grants if g.official == official]

    async def has_city_admin(self) -> bool:
        return any(g.role is Role.CITY_ADMIN for g in self.m.grants)

    async def grant(self, grant: Grant, *, granted_by: str, now: datetime) -> bool:
        if grant in self.m.grants:
            return False
        self.m.grants.add(grant)
        return True

    async def all_grants(self) -> list[Grant]:
        return sorted(self.m.grants, key=lambda g: (g.official, g.role, g.org_id or 0))


class MemoryOrganizationRepository(_Repo):
    async def add(
        self,
        *,
        slug: str,
        name: str,
        description: str,
        logo_ref: str | None,
        created_by: str,
        now: datetime,
    ) -> Organization | None:
        if any(o.slug == slug for o in self.m.orgs.values()):
            return None
        org = Organization(self.s.new_id(), slug, name, description, logo_ref, now)
        self.m.orgs[org.id] = org
        return org

    async def get(self, org_id: int) -> Organization | None:
        return self.m.orgs.get(org_id)

    async def get_by_slug(self, slug: str) -> Organization | None:
        return next((o for o in self.m.orgs.values() if o.slug == slug), None)

    async def get_many(self, org_ids: Sequence[int]) -> dict[int, Organization]:
        return {i: self.m.orgs[i] for i in org_ids if i in self.m.orgs}

    async def search(self, query: str, *, offset: int, limit: int) -> list[Organization]:
        found = [o for o in self.m.orgs.values() if query.lower() in o.name.lower()]
        found.sort(key=lambda o: (o.name.lower(), o.id))
        return found[offset : offset + limit]

    async def follower_counts(self, org_ids: Sequence[int]) -> dict[int, int]:
        return {i: sum(1 for (o, _c) in self.m.followers if o == i) for i in org_ids}

    async def follow(self, org_id: int, citizen_id: int, now: datetime) -> bool:
        if (org_id, citizen_id) in self.m.followers:
            return False
        self.m.followers[(org_id, citizen_id)] = now
        return True

    async def unfollow(self, org_id: int, citizen_id: int) -> bool:
        return self.m.followers.pop((org_id, citizen_id), None) is not None

    async def followed_by(self, citizen_id: int) -> set[int]:
        return {o for (o, c) in self.m.followers if c == citizen_id}

    async def link_channel(
        self,
        *,
        org_id: int,
        platform: str,
        chat_id: str,
        username: str | None,
        title: str,
        linked_by: str,
        now: datetime,
    ) -> Channel:
        channel = Channel(org_id, platform, chat_id, username, title)
        self.m.channels = [
            c
            for c in self.m.channels
            if (c.org_id, c.platform, c.chat_id) != (org_id, platform, chat_id)
        ] + [channel]
        return channel

    async def channels(self, org_id: int) -> list[Channel]:
        return [c for c in self.m.channels if c.org_id == org_id]

    async def enqueue_channel_posts(
        self, broadcast_id: int, org_id: int, *, now: datetime, spacing: timedelta
    ) -> int:
        mine = await self.channels(org_id)
        self.m.channel_posts += [(broadcast_id, c, now) for c in mine]
        return len(mine)

    async def add_event(
        self,
        *,
        org_id: int,
        title: str,
        place: str,
        description: str,
        starts_at: datetime,
        ends_at: datetime | None,
        reminders: Sequence[timedelta],
        remind_followers: bool,
        created_by: str,
        now: datetime,
    ) -> Event:
        event = Event(
            id=self.s.new_id(),
            org_id=org_id,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            description=description,
            reminders=tuple(reminders),
            remind_followers=remind_followers,
        )
        self.m.events[event.id] = event
        return event

    async def get_event(self, event_id: int) -> Event | None:
        return self.m.events.get(event_id)

    async def cancel_event(self, event_id: int, reason: str) -> bool:
        event = self.m.events.get(event_id)
        if event is None or event.is_cancelled:
            return False
        self.m.events[event_id] = replace(event, status=EventStatus.CANCELLED, cancel_reason=reason)
        return True

    async def upcoming_events(
        self,
        now: datetime,
        *,
        org_id: int | None = None,
        first_org_ids: Sequence[int] = (),
        offset: int = 0,
        limit: int = 20,
    ) -> list[Event]:
        since = now - timedelta(hours=3)
        found = [
            e
            for e in self.m.events.values()
            if not e.is_cancelled
            and e.starts_at >= since
            and (e.ends_at or e.starts_at) >= since
            and (org_id is None or e.org_id == org_id)
        ]
        found.sort(key=lambda e: (e.org_id not in first_org_ids, e.starts_at, e.id))
        return found[offset : offset + limit]

    async def events_starting_before(self, moment: datetime, now: datetime) -> list[Event]:
        return sorted(
            (
                e
                for e in self.m.events.values()
                if not e.is_cancelled and now < e.starts_at <= moment and e.reminders
            ),
            key=lambda e: e.starts_at,
        )

    async def claim_reminder(self, event_id: int, offset: timedelta, now: datetime) -> bool:
        if (event_id, offset) in self.m.reminders_sent:
            return False
        self.m.reminders_sent.add((event_id, offset))
        return True

    async def set_rsvp(self, event_id: int, citizen_id: int, answer: Rsvp, now: datetime) -> None:
        self.m.rsvps[(event_id, citizen_id)] = answer

    async def rsvp_of(self, event_id: int, citizen_id: int) -> Rsvp | None:
        return self.m.rsvps.get((event_id, citizen_id))

    async def rsvp_counts(self, event_ids: Sequence[int]) -> dict[int, RsvpCounts]:
        result = {}
        for event_id in event_ids:
            answers = [a for (e, _c), a in self.m.rsvps.items() if e == event_id]
            result[event_id] = RsvpCounts(
                going=answers.count(Rsvp.GOING), not_going=answers.count(Rsvp.NOT_GOING)
            )
        return result

    async def add_news(
        self, *, org_id: int, text: str, image_ref: str | None, created_by: str, now: datetime
    ) -> NewsPost:
        post = NewsPost(self.s.new_id(), org_id, text, image_ref, now)
        self.m.news.append(post)
        return post

    async def latest_news(self, org_id: int, *, limit: int) -> list[NewsPost]:
        mine = [p for p in self.m.news if p.org_id == org_id]
        return sorted(mine, key=lambda p: (p.created_at, p.id), reverse=True)[:limit]
