"""The audit log's hash chain: plain Python, no I/O, so the migration that chains existing
rows, the repository that appends and `audit verify` all hash exactly the same bytes.

Entry n's hash is SHA-256 over a canonical JSON encoding of its fields, its sequence number
and entry n-1's hash (the first entry links to GENESIS). Changing, deleting, inserting or
moving any entry breaks the chain from there on. Anyone holding an earlier head hash (posted to
the city's channel by `audit anchor`) can tell whether the log still leads to it, so even a
rewrite that recomputes every hash after the change is caught.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

GENESIS = "0" * 64
CHAIN_VERSION = 1


@dataclass(frozen=True, slots=True)
class ChainedEntry:
    """One stored row as verify reads it."""

    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    prev_hash: str
    hash: str


def canonical(
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    prev_hash: str,
) -> bytes:
    """Sorted keys, no spaces, UTF-8, times in UTC to the microsecond: one byte string per entry."""
    if at.tzinfo is None:
        raise ValueError("audit times are timezone-aware")
    document = {
        "v": CHAIN_VERSION,
        "seq": seq,
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "prev": prev_hash,
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def entry_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical(**fields)).hexdigest()


def _hash_at(entry: ChainedEntry, seq: int) -> str:
    return entry_hash(
        seq=seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=entry.before,
        after=entry.after,
        prev_hash=entry.prev_hash,
    )


class Problem(StrEnum):
    CHANGED = "changed"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    HEAD_NOT_FOUND = "head_not_found"


@dataclass(frozen=True, slots=True)
class Verification:
    entries: int
    head: str  # the last entry's stored hash (GENESIS for an empty log)
    problem: Problem | None = None
    seq: int | None = None  # the first entry the problem was found at
    head_seq: int | None = None  # `--head`: the entry whose hash it is

    @property
    def ok(self) -> bool:
        return self.problem is None


async def verify_chain(
    entries: AsyncIterable[ChainedEntry],
    *,
    hashes: Mapping[str, int],
    recorded_head: tuple[int, str] | None,
    expected_head: str | None = None,
) -> Verification:
    """Walk `entries` in seq order; stop at the first problem.

    `hashes` maps every stored hash to its seq (to tell a moved entry from a changed one);
    `recorded_head` is the (seq, hash) the log's head row holds, which catches entries cut off
    the end or appended behind the application's back.
    """
    expected_seq, prev, count, last = 1, GENESIS, 0, GENESIS
    async for entry in entries:
        if entry.seq > expected_seq:
            return Verification(count, last, Problem.DELETED, expected_seq)
        if entry.seq < expected_seq:  # a second entry with one number (constraint dropped)
            return Verification(count, last, Problem.INSERTED, entry.seq)
        if _hash_at(entry, entry.seq) != entry.hash or entry.prev_hash != prev:
            problem, seq = _diagnose(entry, hashes)
            return Verification(count, last, problem, seq)
        expected_seq, prev, last = entry.seq + 1, entry.hash, entry.hash
        count += 1
    if recorded_head is not None:
        head_seq, head_hash = recorded_head
        if head_seq > count:
            return Verification(count, last, Problem.DELETED, count + 1)
        if head_seq < count:
            return Verification(count, last, Problem.INSERTED, head_seq + 1)
        if head_hash != last:
            return Verification(count, last, Problem.CHANGED, count)
    if expected_head is not None:
        found = hashes.get(expected_head)
        if expected_head == GENESIS:
            found = 0
        if found is None:
            return Verification(count, last, Problem.HEAD_NOT_FOUND)
        return Verification(count, last, head_seq=found)
    return Verification(count, last)


_RENUMBER_REACH = 256


def _diagnose(entry: ChainedEntry, hashes: Mapping[str, int]) -> tuple[Problem, int]:
    """The entry does not fit where it stands: edited in place, or an intact entry that now sits
    at another number (entries moved, inserted before it, or deleted before it)."""
    origin = 0 if entry.prev_hash == GENESIS else hashes.get(entry.prev_hash)
    if origin is None:
        # Its predecessor is gone. Intact at a later number: entries before it were deleted
        # and the rest renumbered to hide the gap (a few hundred checks at most, once).
        if any(_hash_at(entry, entry.seq + k) == entry.hash for k in range(1, _RENUMBER_REACH)):
            return Problem.DELETED, entry.seq
        return Problem.CHANGED, entry.seq
    if _hash_at(entry, origin + 1) != entry.hash:
        return Problem.CHANGED, entry.seq
    belongs_at = origin + 1
    if belongs_at == entry.seq:
        # Intact, but the entry before it is not the one it was chained to: that one was
        # rewritten (its hash recomputed to hide the edit).
        return Problem.CHANGED, entry.seq - 1
    if belongs_at == entry.seq - 1:
        return Problem.INSERTED, entry.seq - 1  # moved up by one: an entry went in before it
    if belongs_at == entry.seq + 1:
        return Problem.DELETED, entry.seq  # moved down by one: the entry before it is gone
    return Problem.REORDERED, entry.seq
