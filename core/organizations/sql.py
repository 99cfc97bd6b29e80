"""SQL side of officials' roles and organizations: follows, channels, events, RSVPs, news."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.audience_sql import register_audience
from core.citizens.model import NotificationMode
from core.citizens.tables import CitizenRow, IdentityRow
from core.delivery.model import OutboxStatus
from core.delivery.tables import BroadcastRow, OutboxRow
from core.organizations.model import (
    Channel,
    Event,
    EventStatus,
    NewsPost,
    Organization,
    Rsvp,
    RsvpCounts,
)
from core.organizations.tables import (
    EventReminderSentRow,
    EventRsvpRow,
    OrganizationRow,
    OrgChannelRow,
    OrgEventRow,
    OrgFollowerRow,
    OrgNewsRow,
)
from core.storage.statements import _session_dialect, record


def _org_followers(org_id: int) -> Select[tuple[int]]:
    return select(OrgFollowerRow.citizen_id).where(OrgFollowerRow.org_id == org_id)


def _event_audience(event_id: int) -> Select[tuple[int]]:
    """Those who said they will come, and the organization's followers if the event says so."""
    going = select(EventRsvpRow.citizen_id).where(
        EventRsvpRow.event_id == event_id, EventRsvpRow.answer == Rsvp.GOING.value
    )
    followers = (
        select(OrgFollowerRow.citizen_id)
        .join(OrgEventRow, OrgEventRow.org_id == OrgFollowerRow.org_id)
        .where(OrgEventRow.id == event_id, OrgEventRow.remind_followers.is_(True))
    )
    return select(CitizenRow.id).where(CitizenRow.id.in_(going) | CitizenRow.id.in_(followers))


register_audience("org", _org_followers)
register_audience("event", _event_audience)


def _insert(session: AsyncSession) -> Any:
    return _session_dialect(session).insert


def _org(row: OrganizationRow) -> Organization:
    return record(Organization, row)


def _event(row: OrgEventRow) -> Event:
    return record(
        Event,
        row,
        reminders=tuple(timedelta(seconds=int(s)) for s in row.reminders.split(",") if s),
        status=EventStatus(row.status),
    )


def _news(row: OrgNewsRow) -> NewsPost:
    return record(NewsPost, row)


def _channel(row: OrgChannelRow) -> Channel:
    return record(Channel, row)


class SqlOrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---- organizations --------------------------------------------------------------------

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
        stmt = (
            _insert(self._session)(OrganizationRow)
            .values(
                slug=slug,
                name=name,
                description=description,
                logo_ref=logo_ref,
                logo=logo,
                created_by=created_by,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["hromada_id", "slug"])
            .returning(OrganizationRow.id)
        )
        org_id = (await self._session.execute(stmt)).scalar_one_or_none()
        if org_id is None:
            return None
        return Organization(org_id, slug, name, description, logo_ref, now)

    async def get(self, org_id: int) -> Organization | None:
        row = await self._session.get(OrganizationRow, org_id)
        return _org(row) if row else None

    async def get_by_slug(self, slug: str) -> Organization | None:
        row = (
            await self._session.execute(select(OrganizationRow).where(OrganizationRow.slug == slug))
        ).scalar_one_or_none()
        return _org(row) if row else None

    async def get_many(self, org_ids: Sequence[int]) -> dict[int, Organization]:
        if not org_ids:
            return {}
        rows = await self._session.execute(
            select(OrganizationRow).where(OrganizationRow.id.in_(set(org_ids)))
        )
        return {r.id: _org(r) for r in rows.scalars()}

    async def search(self, query: str, *, offset: int, limit: int) -> list[Organization]:
        stmt = select(OrganizationRow)
        if query:
            pattern = "%" + query.lower().replace("%", r"\%").replace("_", r"\_") + "%"
            stmt = stmt.where(func.lower(OrganizationRow.name).like(pattern, escape="\\"))
        rows = await self._session.execute(
            stmt.order_by(func.lower(OrganizationRow.name), OrganizationRow.id)
            .offset(offset)
            .limit(limit)
        )
        return [_org(r) for r in rows.scalars()]

    async def follower_counts(self, org_ids: Sequence[int]) -> dict[int, int]:
        if not org_ids:
            return {}
        rows = await self._session.execute(
            select(OrgFollowerRow.org_id, func.count())
            .where(OrgFollowerRow.org_id.in_(org_ids))
            .group_by(OrgFollowerRow.org_id)
        )
        counts = {int(org_id): 0 for org_id in org_ids}
        counts.update({int(org_id): int(n) for org_id, n in rows})
        return counts

    async def follow(self, org_id: int, citizen_id: int, now: datetime) -> bool:
        stmt = (
            _insert(self._session)(OrgFollowerRow)
            .values(org_id=org_id, citizen_id=citizen_id, followed_at=now)
            .on_conflict_do_nothing(index_elements=["org_id", "citizen_id"])
        )
        return ((await self._session.execute(stmt)).rowcount or 0) > 0

    async def unfollow(self, org_id: int, citizen_id: int) -> bool:
        result = await self._session.execute(
            delete(OrgFollowerRow).where(
                OrgFollowerRow.org_id == org_id, OrgFollowerRow.citizen_id == citizen_id
            )
        )
        return (result.rowcount or 0) > 0

    async def followed_by(self, citizen_id: int) -> set[int]:
        rows = await self._session.execute(
            select(OrgFollowerRow.org_id).where(OrgFollowerRow.citizen_id == citizen_id)
        )
        return {int(r) for r in rows.scalars()}

    # ---- channels -------------------------------------------------------------------------

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
        identity_id = (
            await self._session.execute(
                select(IdentityRow.id).where(
                    IdentityRow.platform == platform, IdentityRow.external_id == chat_id
                )
            )
        ).scalar_one_or_none()
        if identity_id is None:
            # A hidden "citizen" for the channel: notifications off keeps every audience
            # (including `all`) from reaching it; only enqueue_channel_posts addresses it.
            citizen_id = (
                await self._session.execute(
                    insert(CitizenRow)
                    .values(
                        locale=None,
                        notifications=NotificationMode.OFF.value,
                        dialog_state={"channel": True},
                        created_at=now,
                    )
                    .returning(CitizenRow.id)
                )
            ).scalar_one()
            identity_id = (
                await self._session.execute(
                    insert(IdentityRow)
                    .values(
                        citizen_id=citizen_id,
                        platform=platform,
                        external_id=chat_id,
                        reachable=True,
                        created_at=now,
                    )
                    .returning(IdentityRow.id)
                )
            ).scalar_one()
        else:
            # Re-linking after the bot was removed and added back: reachable again.
            await self._session.execute(
                update(IdentityRow).where(IdentityRow.id == identity_id).values(reachable=True)
            )
        values = dict(
            org_id=org_id,
            identity_id=identity_id,
            platform=platform,
            chat_id=chat_id,
            username=username,
            title=title,
            linked_by=linked_by,
            linked_at=now,
        )
        stmt = _insert(self._session)(OrgChannelRow).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["org_id", "identity_id"],
            set_={"username": username, "title": title, "linked_by": linked_by, "linked_at": now},
        )
        await self._session.execute(stmt)
        return Channel(org_id, platform, chat_id, username, title)

    async def channels(self, org_id: int) -> list[Channel]:
        rows = await self._session.execute(
            select(OrgChannelRow).where(OrgChannelRow.org_id == org_id).order_by(OrgChannelRow.id)
        )
        return [_channel(r) for r in rows.scalars()]

    async def enqueue_channel_posts(
        self, broadcast_id: int, org_id: int, *, now: datetime, spacing: timedelta
    ) -> int:
        rows = (
            await self._session.execute(
                select(
                    OrgChannelRow.identity_id,
                    IdentityRow.citizen_id,
                    IdentityRow.platform,
                    IdentityRow.external_id,
                    select(func.max(OutboxRow.due_at))
                    .where(
                        OutboxRow.identity_id == OrgChannelRow.identity_id,
                        OutboxRow.status == OutboxStatus.PENDING.value,
                    )
                    .scalar_subquery(),
                )
                .join(IdentityRow, IdentityRow.id == OrgChannelRow.identity_id)
                .where(OrgChannelRow.org_id == org_id, IdentityRow.reachable.is_(True))
            )
        ).all()
        if not rows:
            return 0
        values = []
        for identity_id, citizen_id, platform, external_id, last_due in rows:
            # Space this channel's posts: Telegram allows about 20 posts a minute per channel.
            due = now if last_due is None else max(now, _utc(last_due) + spacing)
            values.append(
                dict(
                    broadcast_id=broadcast_id,
                    identity_id=identity_id,
                    citizen_id=citizen_id,
                    platform=platform,
                    external_id=external_id,
                    locale=None,
                    status=OutboxStatus.PENDING.value,
                    due_at=due,
                    attempts=0,
                )
            )
        await self._session.execute(insert(OutboxRow), values)
        await self._session.execute(
            update(BroadcastRow)
            .where(BroadcastRow.id == broadcast_id)
            .values(total=BroadcastRow.total + len(values))
        )
        return len(values)

    # ---- events ---------------------------------------------------------------------------

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
        row = OrgEventRow(
            org_id=org_id,
            title=title,
            place=place,
            description=description,
            starts_at=starts_at,
            ends_at=ends_at,
            reminders=",".join(str(int(r.total_seconds())) for r in reminders),
            remind_followers=remind_followers,
            status=EventStatus.SCHEDULED.value,
            created_by=created_by,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _event(row)

    async def get_event(self, event_id: int) -> Event | None:
        row = await self._session.get(OrgEventRow, event_id)
        return _event(row) if row else None

    async def cancel_event(self, event_id: int, reason: str) -> bool:
        result = await self._session.execute(
            update(OrgEventRow)
            .where(OrgEventRow.id == event_id, OrgEventRow.status == EventStatus.SCHEDULED.value)
            .values(status=EventStatus.CANCELLED.value, cancel_reason=reason)
        )
        return (result.rowcount or 0) > 0

    async def upcoming_events(
        self,
        now: datetime,
        *,
        org_id: int | None = None,
        first_org_ids: Sequence[int] = (),
        offset: int = 0,
        limit: int = 20,
    ) -> list[Event]:
        # "Not over yet": still running (ends later) or, without an end, started at most 3 h ago.
        not_over = func.coalesce(OrgEventRow.ends_at, OrgEventRow.starts_at) >= now - (
            timedelta(hours=3)
        )
        stmt = select(OrgEventRow).where(
            OrgEventRow.status == EventStatus.SCHEDULED.value,
            OrgEventRow.starts_at >= now - timedelta(hours=3),
            not_over,
        )
        if org_id is not None:
            stmt = stmt.where(OrgEventRow.org_id == org_id)
        order: list[Any] = []
        if first_org_ids:
            order.append(case((OrgEventRow.org_id.in_(first_org_ids), 0), else_=1))
        order += [OrgEventRow.starts_at, OrgEventRow.id]
        rows = await self._session.execute(stmt.order_by(*order).offset(offset).limit(limit))
        return [_event(r) for r in rows.scalars()]

    async def events_starting_before(self, moment: datetime, now: datetime) -> list[Event]:
        rows = await self._session.execute(
            select(OrgEventRow)
            .where(
                OrgEventRow.status == EventStatus.SCHEDULED.value,
                OrgEventRow.starts_at > now,
                OrgEventRow.starts_at <= moment,
                OrgEventRow.reminders != "",
            )
            .order_by(OrgEventRow.starts_at)
        )
        return [_event(r) for r in rows.scalars()]

    async def claim_reminder(self, event_id: int, offset: timedelta, now: datetime) -> bool:
        stmt = (
            _insert(self._session)(EventReminderSentRow)
            .values(event_id=event_id, offset_s=int(offset.total_seconds()), sent_at=now)
            .on_conflict_do_nothing(index_elements=["event_id", "offset_s"])
        )
        return ((await self._session.execute(stmt)).rowcount or 0) > 0

    async def set_rsvp(self, event_id: int, citizen_id: int, answer: Rsvp, now: datetime) -> None:
        stmt = _insert(self._session)(EventRsvpRow).values(
            event_id=event_id, citizen_id=citizen_id, answer=answer.value, answered_at=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["event_id", "citizen_id"],
            set_={"answer": stmt.excluded.answer, "answered_at": stmt.excluded.answered_at},
        )
        await self._session.execute(stmt)

    async def rsvp_of(self, event_id: int, citizen_id: int) -> Rsvp | None:
        answer = (
            await self._session.execute(
                select(EventRsvpRow.answer).where(
                    EventRsvpRow.event_id == event_id, EventRsvpRow.citizen_id == citizen_id
                )
            )
        ).scalar_one_or_none()
        return Rsvp(answer) if answer else None

    async def rsvp_counts(self, event_ids: Sequence[int]) -> dict[int, RsvpCounts]:
        if not event_ids:
            return {}
        going = func.sum(case((EventRsvpRow.answer == Rsvp.GOING.value, 1), else_=0))
        rows = await self._session.execute(
            select(EventRsvpRow.event_id, going, func.count() - going)
            .where(EventRsvpRow.event_id.in_(event_ids))
            .group_by(EventRsvpRow.event_id)
        )
        counts = {int(e): RsvpCounts() for e in event_ids}
        counts.update({int(e): RsvpCounts(int(g or 0), int(n or 0)) for e, g, n in rows})
        return counts

    # ---- news -----------------------------------------------------------------------------

    async def add_news(
        self, *, org_id: int, text: str, image_ref: str | None, created_by: str, now: datetime
    ) -> NewsPost:
        row = OrgNewsRow(
            org_id=org_id, text=text, image_ref=image_ref, created_by=created_by, created_at=now
        )
        self._session.add(row)
        await self._session.flush()
        return _news(row)

    async def latest_news(self, org_id: int, *, limit: int) -> list[NewsPost]:
        rows = await self._session.execute(
            select(OrgNewsRow)
            .where(OrgNewsRow.org_id == org_id)
            .order_by(OrgNewsRow.created_at.desc(), OrgNewsRow.id.desc())
            .limit(limit)
        )
        return [_news(r) for r in rows.scalars()]


def _utc(value: datetime) -> datetime:
    # A scalar subquery bypasses UtcDateTime's result processing on SQLite.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
