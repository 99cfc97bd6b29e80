"""In-memory outbox and subscriptions with the SQL rules: one row per (broadcast, identity),
`off` residents skipped, digest residents held, leases and a shared token bucket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from core.campaigns.audience import Audience, AudienceKind
from core.citizens.model import IdentityRef, NotificationMode
from core.delivery.model import (
    BroadcastProgress,
    ClaimedMessage,
    DeliveryOutcome,
    DigestItem,
    OutboxStatus,
    SendReservation,
    reserve,
)


@dataclass
class MemoryOutboxRow:
    id: int
    broadcast_id: int
    identity_id: int
    citizen_id: int
    platform: str
    external_id: str
    locale: str | None
    status: OutboxStatus
    due_at: datetime
    attempts: int = 0
    lease_until: datetime | None = None
    claimed_by: str | None = None
    message_id: str | None = None
    error: str | None = None
    body: dict[str, Any] | None = None
    sent_at: datetime | None = None


@dataclass
class DeliveryMemory:
    broadcasts: dict[int, dict[str, Any]] = field(default_factory=dict)
    rows: dict[int, MemoryOutboxRow] = field(default_factory=dict)
    identity_ids: dict[IdentityRef, int] = field(default_factory=dict)
    subscriptions: set[tuple[int, str, str]] = field(default_factory=set)
    # Participants of campaigns whose kind has no in-memory rule (polls are derived).
    participants: dict[int, set[int]] = field(default_factory=dict)
    platforms: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class MemoryOutboxRepository:
    def __init__(self, state: Any) -> None:
        self.s = state
        self.m: DeliveryMemory = state.delivery

    def _identity_id(self, ref: IdentityRef) -> int:
        if ref not in self.m.identity_ids:
            self.m.identity_ids[ref] = len(self.m.identity_ids) + 1
        return self.m.identity_ids[ref]

    async def depth(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.m.rows.values():
            counts[row.status.value] = counts.get(row.status.value, 0) + 1
        return counts

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
        if dedupe_key is not None and await self.broadcast_id_by_key(dedupe_key) is not None:
            return None
        bid = self.m.new_id()
        self.m.broadcasts[bid] = dict(
            kind=kind,
            audience=audience,
            campaign_id=campaign_id,
            bulk=bulk,
            payloads=payloads,
            dedupe_key=dedupe_key,
            created_at=now,
            total=0,
        )
        return bid

    async def broadcast_id_by_key(self, dedupe_key: str) -> int | None:
        for bid, b in self.m.broadcasts.items():
            if b["dedupe_key"] == dedupe_key:
                return bid
        return None

    def participants_of(self, campaign_id: int) -> set[int]:
        if campaign_id in self.s.polls:
            return {
                citizen
                for (poll, citizen), ballot in self.s.ballots.items()
                if poll == campaign_id and self.s.choices.get(ballot)
            }
        if campaign_id in self.s.consultations.questions:
            # As core/consultations/tables.py: a submitted response, not a draft.
            return {
                citizen
                for (consultation, citizen), response in self.s.consultations.responses.items()
                if consultation == campaign_id and response.submitted
            }
        return set(self.m.participants.get(campaign_id, set()))

    def _audience(self, audience: Audience) -> set[int] | None:
        if audience.kind is AudienceKind.ALL:
            return None
        if audience.kind in (AudienceKind.TOPIC, AudienceKind.DISTRICT):
            return {
                c
                for c, k, code in self.m.subscriptions
                if (k, code) == (audience.kind, audience.code)
            }
        if audience.kind is AudienceKind.CITIZENS:
            return set(audience.citizen_ids)
        if audience.kind is AudienceKind.PARTICIPANTS:
            assert audience.ref_id is not None
            return self.participants_of(audience.ref_id)
        return set()

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
    ) -> int:
        wanted = self._audience(audience)
        excluded = (
            self.participants_of(exclude_participants_of) if exclude_participants_of else set()
        )
        count = 0
        for ref, (citizen_id, reachable) in sorted(
            self.s.identities.items(), key=lambda kv: str(kv[0])
        ):
            citizen = self.s.citizens[citizen_id]
            if (
                not reachable
                or ref.platform == "console"
                or citizen.notifications is NotificationMode.OFF
                or (wanted is not None and citizen_id not in wanted)
                or citizen_id in excluded
            ):
                continue
            held = (
                bulk and digest_at is not None and citizen.notifications is NotificationMode.DIGEST
            )
            row_id = self.m.new_id()
            self.m.rows[row_id] = MemoryOutboxRow(
                id=row_id,
                broadcast_id=broadcast_id,
                identity_id=self._identity_id(ref),
                citizen_id=citizen_id,
                platform=ref.platform,
                external_id=ref.external_id,
                locale=citizen.locale,
                status=OutboxStatus.HELD if held else OutboxStatus.PENDING,
                due_at=digest_at if held and digest_at else release_at,
            )
            count += 1
        self.m.broadcasts[broadcast_id]["total"] = count
        return count

    async def progress(
        self, broadcast_id: int, *, now: datetime | None = None
    ) -> BroadcastProgress | None:
        b = self.m.broadcasts.get(broadcast_id)
        if b is None:
            return None
        counts: dict[str, int] = {}
        for row in self.m.rows.values():
            if row.broadcast_id == broadcast_id:
                counts[row.status.value] = counts.get(row.status.value, 0) + 1
        return BroadcastProgress(
            id=broadcast_id,
            kind=b["kind"],
            audience=b["audience"],
            campaign_id=b["campaign_id"],
            created_at=b["created_at"],
            total=b["total"],
            counts=counts,
            due_later=sum(
                1
                for r in self.m.rows.values()
                if r.broadcast_id == broadcast_id
                and r.status is OutboxStatus.PENDING
                and now is not None
                and r.due_at > now
            ),
        )

    async def recent(self, *, limit: int = 20) -> list[BroadcastProgress]:
        ids = sorted(self.m.broadcasts, reverse=True)[:limit]
        return [p for i in ids if (p := await self.progress(i)) is not None]

    async def payloads(self, broadcast_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        return {
            i: self.m.broadcasts[i]["payloads"] for i in broadcast_ids if i in self.m.broadcasts
        }

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
        now: datetime,
    ) -> SendReservation:
        p = self.m.platforms.setdefault(platform, {"tokens": burst, "at": now, "paused": None})
        if p["paused"] is not None and p["paused"] > now:
            return SendReservation(0, 0.0, rate, p["paused"])
        refilled = p["tokens"] + max((now - p["at"]).total_seconds(), 0) * rate
        level, granted = reserve(refilled, want, rate, burst, ahead_s)
        p.update(tokens=level - granted, at=max(now, p["at"]))
        return SendReservation(granted, level, rate)

    async def pause(self, platform: str, until: datetime) -> None:
        p = self.m.platforms.setdefault(platform, {"tokens": 0.0, "at": until, "paused": None})
        p.update(paused=until, tokens=0.0)

    async def claim(
        self,
        platform: str,
        *,
        limit: int,
        now: datetime,
        lease_until: datetime,
        worker: str,
        chat_interval: timedelta | None = None,
    ) -> list[ClaimedMessage]:
        expired = [
            r
            for r in self.m.rows.values()
            if r.platform == platform
            and r.status is OutboxStatus.SENDING
            and r.lease_until is not None
            and r.lease_until < now
        ]
        due = sorted(
            (
                r
                for r in self.m.rows.values()
                if r.platform == platform and r.status is OutboxStatus.PENDING and r.due_at <= now
            ),
            key=lambda r: (r.due_at, r.id),
        )
        claimed = []
        for row in (expired + due)[:limit]:
            row.status, row.lease_until, row.claimed_by = OutboxStatus.SENDING, lease_until, worker
            row.attempts += 1
            claimed.append(
                ClaimedMessage(
                    row.id,
                    row.broadcast_id,
                    row.identity_id,
                    row.external_id,
                    row.locale,
                    row.attempts,
                    row.body,
                )
            )
        claimed.sort(key=lambda m: m.id)
        if chat_interval:
            claimed = await self._keep_chat_pace(claimed, now, chat_interval, worker)
        return claimed

    async def _keep_chat_pace(
        self, claimed: list[ClaimedMessage], now: datetime, interval: timedelta, worker: str
    ) -> list[ClaimedMessage]:
        ids = {m.id for m in claimed}
        busy = {
            r.identity_id
            for r in self.m.rows.values()
            if r.id not in ids
            and (
                r.status is OutboxStatus.SENDING
                or (r.status is OutboxStatus.SENT and r.sent_at and r.sent_at > now - interval)
            )
        }
        keep, later = [], []
        for m in claimed:
            if m.identity_id in busy:
                later.append(m.id)
            else:
                busy.add(m.identity_id)
                keep.append(m)
        await self.release(later, worker=worker, due_at=now + interval)
        return keep

    async def record(
        self, outcomes: Sequence[DeliveryOutcome], *, worker: str, now: datetime
    ) -> None:
        for o in outcomes:
            row = self.m.rows[o.outbox_id]
            if row.claimed_by != worker or row.status is not OutboxStatus.SENDING:
                continue
            row.status = OutboxStatus.PENDING if o.retry_at is not None else o.status
            row.due_at = o.retry_at or row.due_at
            row.message_id, row.error = o.message_id, o.error
            row.sent_at = now if o.status is OutboxStatus.SENT else None
            row.lease_until = row.claimed_by = None
            if o.identity_id is not None:
                for ref, iid in self.m.identity_ids.items():
                    if iid == o.identity_id and ref in self.s.identities:
                        self.s.identities[ref] = (self.s.identities[ref][0], False)

    async def release(self, outbox_ids: Sequence[int], *, worker: str, due_at: datetime) -> None:
        for oid in outbox_ids:
            row = self.m.rows[oid]
            if row.claimed_by == worker and row.status is OutboxStatus.SENDING:
                row.status, row.due_at = OutboxStatus.PENDING, due_at
                row.attempts -= 1
                row.lease_until = row.claimed_by = None

    async def take_digest(self, now: datetime, *, identities: int) -> list[DigestItem]:
        chosen = sorted(
            {
                r.identity_id
                for r in self.m.rows.values()
                if r.status is OutboxStatus.HELD and r.due_at <= now
            }
        )[:identities]
        items = []
        for row in self.m.rows.values():
            if row.identity_id in chosen and row.status is OutboxStatus.HELD and row.due_at <= now:
                row.status = OutboxStatus.DIGESTED
                items.append(
                    DigestItem(
                        row.identity_id,
                        row.citizen_id,
                        row.platform,
                        row.external_id,
                        row.locale,
                        row.broadcast_id,
                    )
                )
        return sorted(items, key=lambda d: (d.identity_id, d.broadcast_id))

    async def add_digest_rows(
        self,
        broadcast_id: int,
        rows: Sequence[tuple[DigestItem, dict[str, Any]]],
        *,
        due_at: datetime,
    ) -> None:
        for item, body in rows:
            row_id = self.m.new_id()
            self.m.rows[row_id] = MemoryOutboxRow(
                id=row_id,
                broadcast_id=broadcast_id,
                identity_id=item.identity_id,
                citizen_id=item.citizen_id,
                platform=item.platform,
                external_id=item.external_id,
                locale=item.locale,
                status=OutboxStatus.PENDING,
                due_at=due_at,
                body=body,
            )
        self.m.broadcasts[broadcast_id]["total"] += len(rows)

    def rows_of(self, broadcast_id: int) -> list[MemoryOutboxRow]:
        return [replace(r) for r in self.m.rows.values() if r.broadcast_id == broadcast_id]


class MemorySubscriptionRepository:
    def __init__(self, state: Any) -> None:
        self.m: DeliveryMemory = state.delivery

    async def of(self, citizen_id: int) -> set[tuple[str, str]]:
        return {(k, code) for c, k, code in self.m.subscriptions if c == citizen_id}

    async def set(self, citizen_id: int, kind: str, code: str, on: bool) -> None:
        if on:
            self.m.subscriptions.add((citizen_id, kind, code))
        else:
            self.m.subscriptions.discard((citizen_id, kind, code))
