"""The citizens' repository port (implemented in core.citizens.sql)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.citizens.model import Citizen, IdentityRef, MergeReport, ResidentCounts


class CitizenRepository(Protocol):
    async def get_by_identity(self, ref: IdentityRef) -> Citizen | None: ...
    async def find(self, ref: IdentityRef) -> tuple[Citizen, bool] | None:
        """The citizen owning this identity and whether that identity is reachable."""
        ...

    async def claim_update_and_find(
        self, ref: IdentityRef, update_id: str, now: datetime
    ) -> tuple[bool, tuple[Citizen, bool] | None]:
        """Remember the update `ref` sent (False: a redelivery) and `find(ref)`, in one go.

        Every inbound update does both first; on PostgreSQL it is one round trip, not two.
        """
        ...

    async def create(self, ref: IdentityRef, locale: str | None, now: datetime) -> Citizen: ...
    async def save(self, citizen: Citizen) -> None: ...
    async def set_reachable(self, ref: IdentityRef, reachable: bool) -> bool: ...
    async def is_reachable(self, ref: IdentityRef) -> bool | None: ...
    async def get(self, citizen_id: int) -> Citizen | None: ...
    async def set_home_district(
        self, citizen_id: int, code: str, *, now: datetime, changeable_before: datetime
    ) -> bool:
        """Set the home district unless it was set after `changeable_before` (conditional
        UPDATE: two quick taps cannot both change it). False: refused, nothing written."""
        ...

    async def identities_of(self, citizen_ids: Sequence[int]) -> dict[int, list[IdentityRef]]:
        """Each citizen's platform identities (oldest first), for officials' exports."""
        ...


class ResidentRepository(Protocol):
    """Verification, linking codes and the officials' view of residents (issue 16)."""

    async def get(self, citizen_id: int) -> Citizen | None: ...
    async def owner_of_phone(self, phone_hash: str) -> int | None: ...
    async def set_phone(
        self, citizen_id: int, phone_hash: str, phone_masked: str, now: datetime
    ) -> None:
        """Store the number's hash and mask; the citizen is verified from `now` (if not before)."""
        ...

    async def clear_phone(self, citizen_id: int) -> None:
        """The citizen holds no number and is no longer verified (its owner proved it theirs)."""
        ...

    async def detach_identity(self, ref: IdentityRef, now: datetime) -> Citizen:
        """Move `ref` to a new citizen (same language and notifications) and return it."""
        ...

    async def put_link_code(
        self, citizen_id: int, code_hash: str, now: datetime, expires_at: datetime
    ) -> None:
        """The citizen's one code (a new one replaces the old)."""
        ...

    async def live_link_codes(self, now: datetime) -> list[tuple[int, str]]:
        """(citizen id, code hash) of every code not yet expired."""
        ...

    async def take_link_code(self, citizen_id: int, code_hash: str, now: datetime) -> bool:
        """Delete the citizen's code if it is still this one and alive; True when it was."""
        ...

    async def drop_link_code(self, citizen_id: int) -> None: ...
    async def add_link_failure(self, citizen_id: int, now: datetime) -> None: ...
    async def link_failures_since(self, citizen_id: int, since: datetime) -> int: ...
    async def counts(self) -> ResidentCounts: ...
    async def participation(self, citizen_id: int) -> dict[str, int]:
        """Rows per participation table (`ballots`, `ideas`, …) that belong to the citizen."""
        ...


class MergeRepository(Protocol):
    """Two citizens become one, every table by the participation registry's rules
    (implemented in core.storage.merging: it is the one place that knows every table)."""

    async def lock(self, citizen_ids: Sequence[int]) -> list[tuple[int, datetime]]:
        """Lock the citizens' rows (ascending ids: one lock order for every merge) and return
        (id, created_at) of those that still exist."""
        ...

    async def merge(self, survivor_id: int, merged_id: int) -> MergeReport:
        """Move every row of `merged_id` to `survivor_id`, collapse duplicates, carry the
        profile (phone, verification, district, language), delete `merged_id`."""
        ...
