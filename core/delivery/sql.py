"""SQL side of delivery: set-based enqueueing, leased claims, the shared send budget."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.audience import Audience
from core.campaigns.audience_sql import audience_query, participants_of
from core.citizens.model import NotificationMode
from core.citizens.tables import CitizenRow, IdentityRow
from core.delivery.model import (
    BroadcastProgress,
    ClaimedMessage,
    DeliveryOutcome,
    DigestItem,
    OutboxStatus,
    SendReservation,
    reserve,
)
from core.delivery.tables import (
    BroadcastRow,
    DeliveryPlatformRow,
    OutboxRow,
    SubscriptionRow,
)
from core.storage.base import BigId, UtcDateTime
from core.storage.statements import _session_dialect
from core.storage.tenancy import scoped_hromada

# The predicate of the partial index ix_outbox_identity_recent, as literal SQL: a planner can
# only use a partial index when it sees the query implies its predicate (not through binds).
_RECENT = text("outbox.status IN ('sending', 'sent')")

# Identities nobody can push to: the console is a local terminal session.
UNDELIVERABLE_PLATFORMS = ("console",)

# Each bot's "anything to send?" as two probes of ix_outbox_bot_status_due_at.
_DUE_BOTS = text(
    """
    SELECT b.h, b.p FROM unnest(CAST(:hs AS bigint[]), CAST(:ps AS text[])) AS b(h, p)
    WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.hromada_id = b.h AND o.platform = b.p
                    AND o.status = 'pending' AND o.due_at <= :now)
       OR EXISTS (SELECT 1 FROM outbox o WHERE o.hromada_id = b.h AND o.platform = b.p
                    AND o.status = 'sending' AND o.lease_until < :now)
    ORDER BY b.h, b.p
    """
).bindparams(bindparam("now", type_=UtcDateTime()))

outbox = OutboxRow.__table__
broadcasts = BroadcastRow.__table__
citizens = CitizenRow.__table__
identities = IdentityRow.__table__
platforms = DeliveryPlatformRow.__table__


def _dialect_insert(session: AsyncSession) -> Any:
    return _session_dialect(session).insert


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


class SqlOutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_broadcast(
        self,
        *,
        kind: str,
        audience: str,
        campaign_id: int | None,
        bulk: bool,
        payloads: dict[str, Any],
        dedupe_key: str | None,
        created_by: str | None,
        now: datetime,
    ) -> int | None:
        values = dict(
            kind=kind,
            audience=audience,
            campaign_id=campaign_id,
            bulk=bulk,
            payloads=payloads,
            dedupe_key=dedupe_key,
            created_by=created_by,
            created_at=now,
            total=0,
        )
        stmt = _dialect_insert(self._session)(BroadcastRow).values(**values)
        if dedupe_key is not None:
            stmt = stmt.on_conflict_do_nothing(index_elements=["hromada_id", "dedupe_key"])
        result = await self._session.execute(stmt.returning(BroadcastRow.id))
        return result.scalar_one_or_none()

    async def enqueue_chat(
        self, broadcast_id: int, *, platform: str, chat: str, now: datetime
    ) -> None:
        found = (
            await self._session.execute(
                select(IdentityRow.id, IdentityRow.citizen_id).where(
                    IdentityRow.platform == platform, IdentityRow.external_id == chat
                )
            )
        ).first()
        if found is None:
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
                        external_id=chat,
                        reachable=True,
                        created_at=now,
                    )
                    .returning(IdentityRow.id)
                )
            ).scalar_one()
        else:
            identity_id, citizen_id = found
            # Posting again after the bot was added back to the channel: reachable again.
            await self._session.execute(
                update(IdentityRow).where(IdentityRow.id == identity_id).values(reachable=True)
            )
        await self._session.execute(
            insert(OutboxRow).values(
                broadcast_id=broadcast_id,
                identity_id=identity_id,
                citizen_id=citizen_id,
                platform=platform,
                external_id=chat,
                locale=None,
                status=OutboxStatus.PENDING.value,
                due_at=now,
                attempts=0,
            )
        )
        await self._session.execute(
            update(BroadcastRow).where(BroadcastRow.id == broadcast_id).values(total=1)
        )

    async def broadcast_id_by_key(self, dedupe_key: str) -> int | None:
        return (
            await self._session.execute(
                select(BroadcastRow.id).where(BroadcastRow.dedupe_key == dedupe_key)
            )
        ).scalar_one_or_none()

    async def enqueue_audience(
        self,
        broadcast_id: int,
        audience: Audience,
        *,
        now: datetime,
        bulk: bool,
        release_at: datetime,
        digest_at: datetime | None,
        exclude_participants_of: int | None,
        home_districts: tuple[str | None, ...] | None = None,
        except_home_districts: tuple[str, ...] = (),
    ) -> int:
        release = literal(release_at, UtcDateTime())
        if bulk and digest_at is not None:
            is_digest = citizens.c.notifications == NotificationMode.DIGEST.value
            status: Any = case(
                (is_digest, OutboxStatus.HELD.value), else_=OutboxStatus.PENDING.value
            )
            due: Any = case((is_digest, literal(digest_at, UtcDateTime())), else_=release)
        else:
            status, due = literal(OutboxStatus.PENDING.value), release
        recipients = (
            select(
                identities.c.hromada_id,
                literal(broadcast_id, BigId),
                identities.c.id,
                identities.c.citizen_id,
                identities.c.platform,
                identities.c.external_id,
                citizens.c.locale,
                status,
                due,
                literal(0, Integer),
            )
            .select_from(identities.join(citizens, citizens.c.id == identities.c.citizen_id))
            .where(
                # A Core statement: this hromada's residents only (core/storage/tenancy.py).
                identities.c.hromada_id == scoped_hromada(self._session),
                identities.c.reachable.is_(True),
                identities.c.platform.not_in(UNDELIVERABLE_PLATFORMS),
                citizens.c.notifications != NotificationMode.OFF.value,
            )
        )
        wanted = await audience_query(self._session, audience)
        if wanted is not None:
            recipients = recipients.where(identities.c.citizen_id.in_(wanted))
        if exclude_participants_of is not None:
            took_part = await participants_of(self._session, exclude_participants_of)
            recipients = recipients.where(identities.c.citizen_id.not_in(took_part))
        if home_districts is not None:
            codes = [c for c in home_districts if c is not None]
            living = [citizens.c.home_district.in_(codes)] if codes else []
            if None in home_districts:
                living.append(citizens.c.home_district.is_(None))
            recipients = recipients.where(or_(*living) if living else false())
        if except_home_districts:
            recipients = recipients.where(
                or_(
                    citizens.c.home_district.is_(None),
                    citizens.c.home_district.not_in(except_home_districts),
                )
            )
        columns = [
            "hromada_id",
            "broadcast_id",
            "identity_id",
            "citizen_id",
            "platform",
            "external_id",
            "locale",
            "status",
            "due_at",
            "attempts",
        ]
        result = await self._session.execute(insert(OutboxRow).from_select(columns, recipients))
        count = max(result.rowcount or 0, 0)
        await self._session.execute(
            update(BroadcastRow).where(BroadcastRow.id == broadcast_id).values(total=count)
        )
        return count

    async def progress(
        self, broadcast_id: int, *, now: datetime | None = None
    ) -> BroadcastProgress | None:
        found = await self._progress([broadcast_id])
        if not found:
            return None
        if now is None:
            return found[0]
        later = (
            await self._session.execute(
                select(func.count()).where(
                    OutboxRow.broadcast_id == broadcast_id,
                    OutboxRow.status == OutboxStatus.PENDING.value,
                    OutboxRow.due_at > now,
                )
            )
        ).scalar_one()
        return replace(found[0], due_later=later)

    async def recent(self, *, limit: int = 20) -> list[BroadcastProgress]:
        ids = (
            await self._session.execute(
                select(BroadcastRow.id).order_by(BroadcastRow.id.desc()).limit(limit)
            )
        ).scalars()
        return await self._progress(list(ids))

    async def _progress(self, ids: list[int]) -> list[BroadcastProgress]:
        if not ids:
            return []
        heads = (
            await self._session.execute(
                select(
                    BroadcastRow.id,
                    BroadcastRow.kind,
                    BroadcastRow.audience,
                    BroadcastRow.campaign_id,
                    BroadcastRow.created_at,
                    BroadcastRow.total,
                )
                .where(BroadcastRow.id.in_(ids))
                .order_by(BroadcastRow.id.desc())
            )
        ).all()
        counts: dict[int, dict[str, int]] = {i: {} for i in ids}
        for bid, status, n in await self._session.execute(
            select(OutboxRow.broadcast_id, OutboxRow.status, func.count())
            .where(OutboxRow.broadcast_id.in_(ids))
            .group_by(OutboxRow.broadcast_id, OutboxRow.status)
        ):
            counts[bid][status] = n
        return [
            BroadcastProgress(
                id=h.id,
                kind=h.kind,
                audience=h.audience if len(h.audience) <= 80 else h.audience[:77] + "…",
                campaign_id=h.campaign_id,
                created_at=h.created_at,
                total=h.total,
                counts=counts[h.id],
            )
            for h in heads
        ]

    async def payloads(self, broadcast_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        if not broadcast_ids:
            return {}
        rows = await self._session.execute(
            select(BroadcastRow.id, BroadcastRow.payloads).where(
                BroadcastRow.id.in_(list(broadcast_ids))
            )
        )
        return {bid: payloads for bid, payloads in rows}

    async def take_tokens(
        self, platform: str, want: int, *, rate: float, burst: float, now: datetime
    ) -> tuple[int, datetime | None]:
        got = await self.reserve_sends(platform, want, rate=rate, burst=burst, ahead_s=0, now=now)
        return got.granted, got.paused_until

    async def reserve_sends(
        self,
        platform: str,
        want: int,
        *,
        rate: float,
        burst: float,
        ahead_s: float,
        now: datetime | Callable[[], datetime],
    ) -> SendReservation:
        if callable(now):
            # The worker's clock, also for a budget row created now (not the wall clock: a
            # worker paced by another clock would find its budget never refilling).
            row = await self._locked_platform(platform, now(), burst)
            now = now()  # after the lock: a wait for it does not shift the slots
        else:
            row = await self._locked_platform(platform, now, burst)
        paused_until = row.paused_until
        if paused_until is not None and paused_until > now:
            return SendReservation(0, 0.0, rate, paused_until)
        # Clocks of worker processes differ slightly: never count time backwards.
        elapsed = max((now - row.refilled_at).total_seconds(), 0.0)
        level, granted = reserve(row.tokens + elapsed * rate, want, rate, burst, ahead_s)
        await self._session.execute(
            update(DeliveryPlatformRow)
            .where(DeliveryPlatformRow.platform == platform)
            .values(tokens=level - granted, refilled_at=max(now, row.refilled_at))
        )
        return SendReservation(granted, level, rate)

    async def _locked_platform(self, platform: str, now: datetime, burst: float = 0.0) -> Any:
        select_row = (
            select(
                DeliveryPlatformRow.tokens,
                DeliveryPlatformRow.refilled_at,
                DeliveryPlatformRow.paused_until,
            )
            .where(DeliveryPlatformRow.platform == platform)
            .with_for_update()
        )
        row = (await self._session.execute(select_row)).one_or_none()
        if row is None:
            await self._session.execute(
                _dialect_insert(self._session)(DeliveryPlatformRow)
                .values(platform=platform, tokens=burst, refilled_at=now)
                .on_conflict_do_nothing(index_elements=["platform"])
            )
            row = (await self._session.execute(select_row)).one()
        return row

    async def depth(self) -> dict[str, int]:
        """Outbox rows per status (for /metrics)."""
        rows = await self._session.execute(
            select(outbox.c.status, func.count()).group_by(outbox.c.status)
        )
        return {str(status): int(count) for status, count in rows.all()}

    async def pause(self, platform: str, until: datetime) -> None:
        await self._locked_platform(platform, until)
        await self._session.execute(
            update(DeliveryPlatformRow)
            .where(DeliveryPlatformRow.platform == platform)
            .values(paused_until=until, tokens=0.0)
        )

    async def claim(
        self,
        platform: str,
        *,
        limit: int,
        now: datetime,
        lease_until: datetime,
        worker: str,
        chat_interval: timedelta | None = None,
        hromada_id: int | None = None,
    ) -> list[ClaimedMessage]:
        # Expired leases first (a crashed worker's in-flight rows), then due pending rows in
        # order; two statements so each one walks the (hromada, platform, status, due_at)
        # index. With `hromada_id`, only that hromada's bot's rows: each bot is claimed on its
        # own, so one hromada's big broadcast never queues another's behind it.
        claimed = await self._claim_where(
            and_(OutboxRow.status == OutboxStatus.SENDING.value, OutboxRow.lease_until < now),
            OutboxRow.lease_until,
            platform=platform,
            hromada_id=hromada_id,
            limit=limit,
            lease_until=lease_until,
            worker=worker,
        )
        if len(claimed) < limit:
            claimed += await self._claim_where(
                and_(OutboxRow.status == OutboxStatus.PENDING.value, OutboxRow.due_at <= now),
                OutboxRow.due_at,
                platform=platform,
                hromada_id=hromada_id,
                limit=limit - len(claimed),
                lease_until=lease_until,
                worker=worker,
            )
        if chat_interval and claimed:
            claimed = await self._keep_chat_pace(claimed, now, chat_interval, worker)
        return claimed

    async def due_bots(
        self, bots: Sequence[tuple[int, str]], now: datetime
    ) -> list[tuple[int, str]]:
        """Which of these bots (hromada, platform) have rows to send now (due, or leased by a
        worker that went away). On PostgreSQL two index probes per bot, however long the
        outbox; SQLite (one city, embedded) reads the due rows' bots directly."""
        if not bots:
            return []
        if _is_postgres(self._session):
            rows = await self._session.execute(
                _DUE_BOTS,
                {"hs": [h for h, _p in bots], "ps": [p for _h, p in bots], "now": now},
            )
            return [(int(h), str(p)) for h, p in rows.all()]
        wanted = set(bots)
        found = await self._session.execute(
            select(OutboxRow.hromada_id, OutboxRow.platform)
            .where(
                or_(
                    and_(OutboxRow.status == OutboxStatus.PENDING.value, OutboxRow.due_at <= now),
                    and_(
                        OutboxRow.status == OutboxStatus.SENDING.value,
                        OutboxRow.lease_until < now,
                    ),
                )
            )
            .distinct()
        )
        return sorted((h, p) for h, p in found.all() if (h, p) in wanted)

    async def _keep_chat_pace(
        self, claimed: list[ClaimedMessage], now: datetime, interval: timedelta, worker: str
    ) -> list[ClaimedMessage]:
        """Hand back rows for chats messaged less than `interval` ago (or right now, by another
        worker or earlier in this batch), due again one interval later, no attempt spent."""
        ids = [m.id for m in claimed]
        busy = set(
            (
                await self._session.execute(
                    select(OutboxRow.identity_id)
                    .where(
                        OutboxRow.identity_id.in_({m.identity_id for m in claimed}),
                        _RECENT,
                        OutboxRow.id.not_in(ids),
                        or_(
                            OutboxRow.status == OutboxStatus.SENDING.value,
                            OutboxRow.sent_at > now - interval,
                        ),
                    )
                    .distinct()
                )
            ).scalars()
        )
        keep: list[ClaimedMessage] = []
        later: list[int] = []
        for m in claimed:  # oldest first: the first row of a chat goes, the rest wait
            if m.identity_id in busy:
                later.append(m.id)
            else:
                busy.add(m.identity_id)
                keep.append(m)
        await self.release(later, worker=worker, due_at=now + interval)
        return keep

    async def _claim_where(
        self,
        condition: Any,
        order: Any,
        *,
        platform: str,
        hromada_id: int | None,
        limit: int,
        lease_until: datetime,
        worker: str,
    ) -> list[ClaimedMessage]:
        bot = [] if hromada_id is None else [OutboxRow.hromada_id == hromada_id]
        due = (
            select(OutboxRow.id)
            .where(*bot, OutboxRow.platform == platform, condition)
            .order_by(order, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            # Evaluated once: as `id IN (subquery)` next to another condition on outbox (the
            # hromada's, or row-level security's) PostgreSQL may run the subquery once per row,
            # and SKIP LOCKED then hands each run other rows: far more than `limit` claimed.
            .cte("due")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        result = await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == due.c.id)
            .values(
                status=OutboxStatus.SENDING.value,
                lease_until=lease_until,
                claimed_by=worker,
                attempts=OutboxRow.attempts + 1,
            )
            .returning(
                OutboxRow.id,
                OutboxRow.broadcast_id,
                OutboxRow.identity_id,
                OutboxRow.external_id,
                OutboxRow.locale,
                OutboxRow.attempts,
                OutboxRow.body,
            )
            .execution_options(synchronize_session=False)
        )
        return sorted((ClaimedMessage(*row) for row in result.all()), key=lambda m: m.id)

    async def record(
        self, outcomes: Sequence[DeliveryOutcome], *, worker: str, now: datetime
    ) -> None:
        if not outcomes:
            return
        stmt = (
            update(outbox)
            .where(
                outbox.c.id == bindparam("oid"),
                outbox.c.claimed_by == worker,
                outbox.c.status == OutboxStatus.SENDING.value,
            )
            .values(
                status=bindparam("new_status"),
                message_id=bindparam("mid"),
                error=bindparam("err"),
                due_at=func.coalesce(bindparam("retry_at", type_=UtcDateTime()), outbox.c.due_at),
                sent_at=bindparam("sent", type_=UtcDateTime()),
                lease_until=None,
                claimed_by=None,
            )
        )
        params = [
            {
                "oid": o.outbox_id,
                "new_status": (
                    OutboxStatus.PENDING.value if o.retry_at is not None else o.status.value
                ),
                "mid": o.message_id,
                "err": o.error[:300] if o.error else None,
                "retry_at": o.retry_at,
                "sent": now if o.status is OutboxStatus.SENT else None,
            }
            for o in outcomes
        ]
        connection = await self._session.connection()
        await connection.execute(stmt, params)
        gone = sorted({o.identity_id for o in outcomes if o.identity_id is not None})
        if gone:
            await self._session.execute(
                update(IdentityRow).where(IdentityRow.id.in_(gone)).values(reachable=False)
            )

    async def release(self, outbox_ids: Sequence[int], *, worker: str, due_at: datetime) -> None:
        if not outbox_ids:
            return
        await self._session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id.in_(list(outbox_ids)),
                OutboxRow.claimed_by == worker,
                OutboxRow.status == OutboxStatus.SENDING.value,
            )
            .values(
                status=OutboxStatus.PENDING.value,
                due_at=due_at,
                attempts=OutboxRow.attempts - 1,
                lease_until=None,
                claimed_by=None,
            )
            .execution_options(synchronize_session=False)
        )

    async def take_digest(self, now: datetime, *, identities: int) -> list[DigestItem]:
        due = (
            select(OutboxRow.identity_id)
            .where(OutboxRow.status == OutboxStatus.HELD.value, OutboxRow.due_at <= now)
            .distinct()
            .order_by(OutboxRow.identity_id)
            .limit(identities)
        )
        # The conditional UPDATE is the claim: a second scheduler finds nothing still held.
        result = await self._session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.identity_id.in_(due.scalar_subquery()),
                OutboxRow.status == OutboxStatus.HELD.value,
                OutboxRow.due_at <= now,
            )
            .values(status=OutboxStatus.DIGESTED.value)
            .returning(
                OutboxRow.identity_id,
                OutboxRow.citizen_id,
                OutboxRow.platform,
                OutboxRow.external_id,
                OutboxRow.locale,
                OutboxRow.broadcast_id,
            )
            .execution_options(synchronize_session=False)
        )
        return sorted(
            (DigestItem(*row) for row in result.all()),
            key=lambda d: (d.identity_id, d.broadcast_id),
        )

    async def add_digest_rows(
        self,
        broadcast_id: int,
        rows: Sequence[tuple[DigestItem, dict[str, Any]]],
        *,
        due_at: datetime,
    ) -> None:
        if not rows:
            return
        connection = await self._session.connection()
        await connection.execute(
            insert(outbox),
            [
                {
                    "broadcast_id": broadcast_id,
                    "identity_id": item.identity_id,
                    "citizen_id": item.citizen_id,
                    "platform": item.platform,
                    "external_id": item.external_id,
                    "locale": item.locale,
                    "status": OutboxStatus.PENDING.value,
                    "due_at": due_at,
                    "attempts": 0,
                    "body": body,
                }
                for item, body in rows
            ],
        )
        await self._session.execute(
            update(BroadcastRow)
            .where(BroadcastRow.id == broadcast_id)
            .values(total=BroadcastRow.total + len(rows))
        )


class SqlSubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, citizen_id: int) -> set[tuple[str, str]]:
        rows = await self._session.execute(
            select(SubscriptionRow.kind, SubscriptionRow.code).where(
                SubscriptionRow.citizen_id == citizen_id
            )
        )
        return {(kind, code) for kind, code in rows}

    async def set(self, citizen_id: int, kind: str, code: str, on: bool) -> None:
        if on:
            await self._session.execute(
                _dialect_insert(self._session)(SubscriptionRow)
                .values(citizen_id=citizen_id, kind=kind, code=code)
                .on_conflict_do_nothing()
            )
        else:
            await self._session.execute(
                delete(SubscriptionRow).where(
                    SubscriptionRow.citizen_id == citizen_id,
                    SubscriptionRow.kind == kind,
                    SubscriptionRow.code == code,
                )
            )
