"""Delivery records: outbox statuses, a claimed row, its outcome, a broadcast's progress."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its due time (quiet hours, backoff) or a worker
    SENDING = "sending"  # claimed by a worker until lease_until; expired leases are re-claimed
    SENT = "sent"
    FAILED = "failed"  # permanently, with the reason in `error`
    UNREACHABLE = "unreachable"  # blocked the bot / unsubscribed: never retried
    HELD = "held"  # waits for the resident's daily digest
    DIGESTED = "digested"  # folded into a digest message


FINAL_STATUSES = (
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
    OutboxStatus.UNREACHABLE,
    OutboxStatus.DIGESTED,
)

# Retryable failures wait this long before attempt 2, 3, 4, 5; after that the row fails.
BACKOFF_SECONDS = (30, 120, 600, 3600)


def backoff_after(attempts: int) -> int | None:
    """Seconds to wait after the `attempts`-th failed try, or None when it is time to give up."""
    if 1 <= attempts <= len(BACKOFF_SECONDS):
        return BACKOFF_SECONDS[attempts - 1]
    return None


@dataclass(frozen=True, slots=True)
class SendReservation:
    """Sends granted from a platform's shared budget, and when each may go out.

    `level` is the bucket before the grant; below zero it is sends already promised to others
    for the near future. The i-th granted send (1-based) may go out `offset(i)` seconds after
    the reservation was made: never sooner than the budget for it has accrued.
    """

    granted: int
    level: float
    rate: float
    paused_until: datetime | None = None

    def offset(self, i: int) -> float:
        return max(0.0, (i - self.level) / self.rate)


def reserve(
    refilled: float, want: int, rate: float, burst: float, ahead_s: float
) -> tuple[float, int]:
    """(level, granted): the bucket after refilling (at most `burst`) and how many of `want`
    sends it grants, lending up to `ahead_s` seconds of future budget."""
    level = min(burst, refilled)
    return level, max(0, min(want, math.floor(level + ahead_s * rate + 1e-9)))


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """An outbox row a worker holds under lease."""

    id: int
    broadcast_id: int
    identity_id: int
    external_id: str
    locale: str | None
    attempts: int
    body: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What happened to one claimed row; `retry_at` set means try again then."""

    outbox_id: int
    status: OutboxStatus
    message_id: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    identity_id: int | None = None  # set with UNREACHABLE to mark the identity


@dataclass(frozen=True, slots=True)
class BroadcastProgress:
    id: int
    kind: str
    audience: str
    campaign_id: int | None
    created_at: datetime
    total: int
    counts: dict[str, int]
    due_later: int = 0  # pending rows waiting for quiet hours to end or for a retry

    def count(self, status: OutboxStatus) -> int:
        return self.counts.get(status.value, 0)

    @property
    def remaining(self) -> int:
        return sum(self.counts.get(s.value, 0) for s in OutboxStatus if s not in FINAL_STATUSES)

    @property
    def done(self) -> bool:
        return self.remaining == 0


@dataclass(frozen=True, slots=True)
class DigestItem:
    """A held bulk message taken for one resident identity's daily digest."""

    identity_id: int
    citizen_id: int
    platform: str
    external_id: str
    locale: str | None
    broadcast_id: int
