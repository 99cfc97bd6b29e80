"""The delivery repository ports: broadcasts and the outbox, and the residents' subscriptions
(implemented in core.delivery.sql)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from core.campaigns.audience import Audience
from core.delivery.model import (
    BroadcastProgress,
    ClaimedMessage,
    DeliveryOutcome,
    DigestItem,
    SendReservation,
)


class OutboxRepository(Protocol):
    """Broadcasts and outbox rows (core/delivery/outbox.py writes, the workers drain)."""

    async def depth(self) -> dict[str, int]:
        """Outbox rows per status."""
        ...

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
        """The new broadcast's id; None when `dedupe_key` was already used."""
        ...

    async def broadcast_id_by_key(self, dedupe_key: str) -> int | None: ...
    async def enqueue_chat(
        self, broadcast_id: int, *, platform: str, chat: str, now: datetime
    ) -> None:
        """One outbox row for a public chat (a channel) that is no resident: the audit anchor.

        The chat gets a hidden identity (notifications off: no audience ever reaches it)."""
        ...

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
        """Insert one row per reachable identity of each recipient (set-based); the count.

        `home_districts`: only residents living in one of these (None in it: not set);
        `except_home_districts`: leave out those living in one of these."""
        ...

    async def progress(
        self, broadcast_id: int, *, now: datetime | None = None
    ) -> BroadcastProgress | None:
        """Counts per status; with `now`, also how many pending rows are due only later."""
        ...

    async def recent(self, *, limit: int = 20) -> list[BroadcastProgress]: ...
    async def payloads(self, broadcast_ids: Sequence[int]) -> dict[int, dict[str, Any]]: ...
    async def take_tokens(
        self, platform: str, want: int, *, rate: float, burst: float, now: datetime
    ) -> tuple[int, datetime | None]:
        """Atomically take up to `want` send tokens from the platform's shared bucket.

        Returns (granted, paused_until): nothing is granted while the platform is paused."""
        ...

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
        """Atomically reserve up to `want` sends, lending up to `ahead_s` of future budget.
        `now` as a clock is read once the budget is locked: slots then count from the moment
        the caller's clock was read, not from before a wait for the lock.

        Each granted send has a slot (`SendReservation.offset`) no sooner than its budget
        accrues; nothing is granted while the platform is paused."""
        ...

    async def pause(self, platform: str, until: datetime) -> None: ...
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
        """Lease due pending rows and rows whose lease expired (a crashed worker's); with
        `hromada_id`, only that hromada's (its bot's) rows.

        With `chat_interval`, a row whose chat was sent something less than that long ago, is
        being sent something now, or comes second for its chat in this batch goes back to
        pending, due one interval later, without spending an attempt."""
        ...

    async def due_bots(
        self, bots: Sequence[tuple[int, str]], now: datetime
    ) -> list[tuple[int, str]]:
        """Which of these bots (hromada id, platform) have rows to send now."""
        ...

    async def record(
        self, outcomes: Sequence[DeliveryOutcome], *, worker: str, now: datetime
    ) -> None:
        """Store outcomes of rows this worker still holds; mark unreachable identities."""
        ...

    async def release(self, outbox_ids: Sequence[int], *, worker: str, due_at: datetime) -> None:
        """Hand back claimed rows unsent (a 429 arrived first), without counting an attempt."""
        ...

    async def take_digest(self, now: datetime, *, identities: int) -> list[DigestItem]:
        """Atomically move due held rows of up to `identities` identities to `digested`."""
        ...

    async def add_digest_rows(
        self,
        broadcast_id: int,
        rows: Sequence[tuple[DigestItem, dict[str, Any]]],
        *,
        due_at: datetime,
    ) -> None:
        """One pending row per identity carrying its own digest body."""
        ...


class SubscriptionRepository(Protocol):
    """Topics and districts a resident follows (Settings)."""

    async def of(self, citizen_id: int) -> set[tuple[str, str]]: ...
    async def set(self, citizen_id: int, kind: str, code: str, on: bool) -> None: ...
