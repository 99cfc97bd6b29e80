"""Repository ports of officials' roles and organizations (attached to the UnitOfWork).

Implemented in core.organizations.sql; core.kernel.unit_of_work composes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from core.officials.model import Grant, Role
from core.organizations.model import (
    Channel,
    Event,
    NewsPost,
    Organization,
    Rsvp,
    RsvpCounts,
)


class OfficialRepository(Protocol):
    async def grants_of(self, official: str) -> list[Grant]:
        """The official's roles in the unit of work's hromada (not in an operator one)."""
        ...

    async def has_city_admin(self) -> bool: ...
    async def grants_in(self, hromada_id: int, official: str) -> list[Grant]:
        """The official's roles in `hromada_id`, named explicitly: for an operator unit of work
        (a scoped one refuses other hromadas)."""
        ...

    async def has_role_in(self, hromada_id: int, role: Role | None = None) -> bool:
        """Whether anyone holds `role` (any role, when None) in `hromada_id`."""
        ...

    async def grant(self, grant: Grant, *, granted_by: str, now: datetime) -> bool:
        """Add the role; False when the official already had it (unique per role and scope)."""
        ...

    async def all_grants(self) -> list[Grant]: ...


class OrganizationRepository(Protocol):
    async def add(
        self,
        *,
        slug: str,
        name: str,
        description: str,
        logo_ref: str | None,
        logo: bytes | None = None,
        created_by: str,
        now: datetime,
    ) -> Organization | None:
        """The new organization (`logo`: the image, `logo_ref`: its file's name); None when
        the slug is taken (a unique constraint decides)."""
        ...

    async def get(self, org_id: int) -> Organization | None: ...
    async def get_by_slug(self, slug: str) -> Organization | None: ...
    async def get_many(self, org_ids: Sequence[int]) -> dict[int, Organization]: ...
    async def search(self, query: str, *, offset: int, limit: int) -> list[Organization]:
        """By name (case-insensitive substring), alphabetically."""
        ...

    async def follower_counts(self, org_ids: Sequence[int]) -> dict[int, int]: ...
    async def follow(self, org_id: int, citizen_id: int, now: datetime) -> bool:
        """False when already following."""
        ...

    async def unfollow(self, org_id: int, citizen_id: int) -> bool: ...
    async def followed_by(self, citizen_id: int) -> set[int]: ...
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
        """Link (or re-link) a channel; its identity becomes reachable again."""
        ...

    async def channels(self, org_id: int) -> list[Channel]: ...
    async def enqueue_channel_posts(
        self, broadcast_id: int, org_id: int, *, now: datetime, spacing: timedelta
    ) -> int:
        """One outbox row per linked channel, each due at least `spacing` after that channel's
        previous pending post (the per-channel posting cap). Returns how many."""
        ...

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
    ) -> Event: ...
    async def get_event(self, event_id: int) -> Event | None: ...
    async def cancel_event(self, event_id: int, reason: str) -> bool:
        """Conditional UPDATE: False when it was already cancelled."""
        ...

    async def upcoming_events(
        self,
        now: datetime,
        *,
        org_id: int | None = None,
        first_org_ids: Sequence[int] = (),
        offset: int = 0,
        limit: int = 20,
    ) -> list[Event]:
        """Scheduled events not yet over, soonest first; events of `first_org_ids` come first."""
        ...

    async def events_starting_before(self, moment: datetime, now: datetime) -> list[Event]:
        """Scheduled events starting in (now, moment]: the reminder sweep's candidates."""
        ...

    async def claim_reminder(self, event_id: int, offset: timedelta, now: datetime) -> bool:
        """True once per (event, reminder): the row's primary key settles races."""
        ...

    async def set_rsvp(self, event_id: int, citizen_id: int, answer: Rsvp, now: datetime) -> None:
        """Insert or change the resident's one answer (unique per event and citizen)."""
        ...

    async def rsvp_of(self, event_id: int, citizen_id: int) -> Rsvp | None: ...
    async def rsvp_counts(self, event_ids: Sequence[int]) -> dict[int, RsvpCounts]: ...
    async def add_news(
        self, *, org_id: int, text: str, image_ref: str | None, created_by: str, now: datetime
    ) -> NewsPost: ...
    async def latest_news(self, org_id: int, *, limit: int) -> list[NewsPost]: ...
