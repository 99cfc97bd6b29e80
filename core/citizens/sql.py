"""SQLAlchemy implementation of the citizens' port (core.citizens.ports)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, column, delete, distinct, func, or_, select, table, true, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from core.citizens.model import (
    Citizen,
    IdentityRef,
    NotificationMode,
    ResidentCounts,
    VerificationLevel,
)
from core.citizens.tables import (
    CitizenRow,
    IdentityRow,
    LinkCodeFailureRow,
    LinkCodeRow,
    ProcessedUpdateRow,
)
from core.storage.statements import _core, _dialect, _dialect_name
from core.storage.tenancy import SCOPE_PARAM, scoped, scoped_hromada

citizens = CitizenRow.__table__
identities = IdentityRow.__table__
processed = ProcessedUpdateRow.__table__
# Rows that refer to a citizen but are not taking part in anything (officials' `residents show`).
NOT_PARTICIPATION = frozenset(
    {"identities", "subscriptions", "contest_participants", "link_codes", "link_code_failures"}
)

# Hot-path statements are built once: building a SQLAlchemy statement costs more CPU than
# the database needs to run it (the compiled form is cached by SQLAlchemy as well).
SAVE_CITIZEN = (
    update(citizens)
    .where(citizens.c.id == bindparam("citizen_id"), scoped(citizens.c.hromada_id))
    .values(
        locale=bindparam("new_locale"),
        notifications=bindparam("new_notifications"),
        dialog_state=bindparam("new_dialog_state"),
    )
)

CITIZEN_BY_IDENTITY = (
    select(citizens, identities.c.reachable)
    .join(identities, identities.c.citizen_id == citizens.c.id)
    .where(
        identities.c.platform == bindparam("platform"),
        identities.c.external_id == bindparam("external_id"),
        scoped(identities.c.hromada_id),
    )
    # The lock order of every update: the resident's citizen row first (PostgreSQL; SQLite
    # has one writer anyway). KEY SHARE lets the resident's own turns run side by side, but
    # a merge (FOR UPDATE, core/storage/merging.py) waits for turns in flight and turns wait
    # for the merge, then find the survivor: one ballot per poll whichever messenger votes.
    .with_for_update(key_share=True, of=citizens)
)

CITIZEN_BY_ID = select(citizens).where(
    citizens.c.id == bindparam("citizen_id"), scoped(citizens.c.hromada_id)
)

SET_HOME_DISTRICT = (
    update(citizens)
    .where(
        citizens.c.id == bindparam("citizen_id"),
        scoped(citizens.c.hromada_id),
        or_(
            citizens.c.home_district_set_at.is_(None),
            citizens.c.home_district_set_at <= bindparam("changeable_before"),
        ),
    )
    .values(home_district=bindparam("code"), home_district_set_at=bindparam("now"))
)


@cache
def record_update(dialect: str) -> Any:
    return _dialect(dialect).insert(processed).on_conflict_do_nothing()


@cache
def claim_update_and_find_sender() -> Any:
    """PostgreSQL: record the update (ON CONFLICT DO NOTHING) and read its sender, one round trip.

    One row always: `claimed` (1 the first time, 0 for a redelivery) and the citizen's columns
    plus `reachable`, all NULL when nobody has this identity yet.
    """
    claimed = (
        postgresql.insert(processed)
        .values(
            hromada_id=bindparam(SCOPE_PARAM),
            platform=bindparam("platform"),
            update_id=bindparam("update_id"),
            processed_at=bindparam("processed_at"),
        )
        .on_conflict_do_nothing()
        .returning(processed.c.update_id)
        .cte("claimed")
    )
    counted = select(func.count().label("claimed")).select_from(claimed).subquery("counted")
    sender = CITIZEN_BY_IDENTITY.subquery("sender")
    return select(counted.c.claimed, sender).select_from(counted.outerjoin(sender, true()))


class SqlCitizenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_identity(self, ref: IdentityRef) -> Citizen | None:
        row = (
            await self._session.execute(
                select(CitizenRow)
                .join(IdentityRow, IdentityRow.citizen_id == CitizenRow.id)
                .where(
                    IdentityRow.platform == ref.platform,
                    IdentityRow.external_id == ref.external_id,
                )
            )
        ).scalar_one_or_none()
        return None if row is None else _citizen(row)

    async def find(self, ref: IdentityRef) -> tuple[Citizen, bool] | None:
        row = (
            await _core(
                self._session,
                CITIZEN_BY_IDENTITY,
                {"platform": ref.platform, "external_id": ref.external_id},
            )
        ).one_or_none()
        return None if row is None else _found(row)

    async def claim_update_and_find(
        self, ref: IdentityRef, update_id: str, now: datetime
    ) -> tuple[bool, tuple[Citizen, bool] | None]:
        params = {"platform": ref.platform, "update_id": update_id, "processed_at": now}
        if _dialect_name(self._session) != "postgresql":
            # Each hromada's bot numbers its own updates: the key names the hromada.
            params["hromada_id"] = scoped_hromada(self._session)
            # SQLite allows no INSERT inside a WITH: two statements (no network to save there).
            first = bool((await _core(self._session, record_update("sqlite"), params)).rowcount)
            return first, await self.find(ref)
        stmt = claim_update_and_find_sender()
        row = (await _core(self._session, stmt, params | {"external_id": ref.external_id})).one()
        return bool(row.claimed), None if row.id is None else _found(row)

    async def create(self, ref: IdentityRef, locale: str | None, now: datetime) -> Citizen:
        row = CitizenRow(
            locale=locale,
            notifications=NotificationMode.INSTANT.value,
            dialog_state={},
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        self._session.add(
            IdentityRow(
                citizen_id=row.id,
                platform=ref.platform,
                external_id=ref.external_id,
                reachable=True,
                created_at=now,
            )
        )
        await self._session.flush()
        return _citizen(row)

    async def save(self, citizen: Citizen) -> None:
        # Every dialog step that moves the resident to another screen saves: the Core path.
        await _core(
            self._session,
            SAVE_CITIZEN,
            {
                "citizen_id": citizen.id,
                "new_locale": citizen.locale,
                "new_notifications": citizen.notifications.value,
                "new_dialog_state": dict(citizen.dialog_state),
            },
        )

    async def set_reachable(self, ref: IdentityRef, reachable: bool) -> bool:
        result = await self._session.execute(
            update(IdentityRow)
            .where(
                IdentityRow.platform == ref.platform,
                IdentityRow.external_id == ref.external_id,
                IdentityRow.reachable.is_not(reachable),
            )
            .values(reachable=reachable)
        )
        return bool(result.rowcount)

    async def get(self, citizen_id: int) -> Citizen | None:
        row = (await _core(self._session, CITIZEN_BY_ID, {"citizen_id": citizen_id})).one_or_none()
        return None if row is None else _citizen(row)

    async def set_home_district(
        self, citizen_id: int, code: str, *, now: datetime, changeable_before: datetime
    ) -> bool:
        result = await _core(
            self._session,
            SET_HOME_DISTRICT,
            {
                "citizen_id": citizen_id,
                "code": code,
                "now": now,
                "changeable_before": changeable_before,
            },
        )
        return bool(result.rowcount)

    async def identities_of(self, citizen_ids: Sequence[int]) -> dict[int, list[IdentityRef]]:
        found: dict[int, list[IdentityRef]] = {}
        for start in range(0, len(citizen_ids), 1000):  # keep IN lists small for SQLite
            rows = await self._session.execute(
                select(IdentityRow.citizen_id, IdentityRow.platform, IdentityRow.external_id)
                .where(IdentityRow.citizen_id.in_(list(citizen_ids[start : start + 1000])))
                .order_by(IdentityRow.id)
            )
            for citizen_id, platform, external_id in rows:
                found.setdefault(citizen_id, []).append(IdentityRef(platform, external_id))
        return found

    async def is_reachable(self, ref: IdentityRef) -> bool | None:
        return (
            await self._session.execute(
                select(IdentityRow.reachable).where(
                    IdentityRow.platform == ref.platform,
                    IdentityRow.external_id == ref.external_id,
                )
            )
        ).scalar_one_or_none()


class SqlResidentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, citizen_id: int) -> Citizen | None:
        row = await self._session.get(CitizenRow, citizen_id, populate_existing=True)
        return None if row is None else _citizen(row)

    async def owner_of_phone(self, phone_hash: str) -> int | None:
        return (
            await self._session.execute(
                select(CitizenRow.id).where(CitizenRow.phone_hash == phone_hash)
            )
        ).scalar_one_or_none()

    async def set_phone(
        self, citizen_id: int, phone_hash: str, phone_masked: str, now: datetime
    ) -> None:
        await self._session.execute(
            update(CitizenRow)
            .where(CitizenRow.id == citizen_id)
            .values(
                phone_hash=phone_hash,
                phone_masked=phone_masked,
                verified_at=func.coalesce(CitizenRow.verified_at, now),
            )
        )

    async def clear_phone(self, citizen_id: int) -> None:
        await self._session.execute(
            update(CitizenRow)
            .where(CitizenRow.id == citizen_id)
            .values(phone_hash=None, phone_masked=None, verified_at=None)
        )

    async def detach_identity(self, ref: IdentityRef, now: datetime) -> Citizen:
        current = await self._session.execute(
            select(CitizenRow.locale, CitizenRow.notifications)
            .join(IdentityRow, IdentityRow.citizen_id == CitizenRow.id)
            .where(IdentityRow.platform == ref.platform, IdentityRow.external_id == ref.external_id)
        )
        locale, notifications = current.one()
        row = CitizenRow(
            locale=locale, notifications=notifications, dialog_state={}, created_at=now
        )
        self._session.add(row)
        await self._session.flush()
        await self._session.execute(
            update(IdentityRow)
            .where(IdentityRow.platform == ref.platform, IdentityRow.external_id == ref.external_id)
            .values(citizen_id=row.id)
        )
        return _citizen(row)

    async def put_link_code(
        self, citizen_id: int, code_hash: str, now: datetime, expires_at: datetime
    ) -> None:
        await self.drop_link_code(citizen_id)
        self._session.add(
            LinkCodeRow(
                citizen_id=citizen_id, code_hash=code_hash, created_at=now, expires_at=expires_at
            )
        )
        await self._session.flush()

    async def live_link_codes(self, now: datetime) -> list[tuple[int, str]]:
        rows = await self._session.execute(
            select(LinkCodeRow.citizen_id, LinkCodeRow.code_hash).where(
                LinkCodeRow.expires_at > now
            )
        )
        return [(citizen_id, code_hash) for citizen_id, code_hash in rows]

    async def take_link_code(self, citizen_id: int, code_hash: str, now: datetime) -> bool:
        result = await self._session.execute(
            delete(LinkCodeRow).where(
                LinkCodeRow.citizen_id == citizen_id,
                LinkCodeRow.code_hash == code_hash,
                LinkCodeRow.expires_at > now,
            )
        )
        return bool(result.rowcount)

    async def drop_link_code(self, citizen_id: int) -> None:
        await self._session.execute(delete(LinkCodeRow).where(LinkCodeRow.citizen_id == citizen_id))

    async def add_link_failure(self, citizen_id: int, now: datetime) -> None:
        self._session.add(LinkCodeFailureRow(citizen_id=citizen_id, failed_at=now))
        await self._session.flush()

    async def link_failures_since(self, citizen_id: int, since: datetime) -> int:
        return (
            await self._session.execute(
                select(func.count())
                .select_from(LinkCodeFailureRow)
                .where(
                    LinkCodeFailureRow.citizen_id == citizen_id,
                    LinkCodeFailureRow.failed_at > since,
                )
            )
        ).scalar_one()

    async def counts(self) -> ResidentCounts:
        # Citizens owning a channel (org_channels) are not residents: they have no identity
        # of a person's own, but they do have one; they are few, and counted as what they are.
        session = self._session
        total = (await session.execute(select(func.count()).select_from(CitizenRow))).scalar_one()
        by_platform = dict(
            (
                await session.execute(
                    select(IdentityRow.platform, func.count(distinct(IdentityRow.citizen_id)))
                    .group_by(IdentityRow.platform)
                    .order_by(IdentityRow.platform)
                )
            ).all()
        )
        verified = (
            await session.execute(
                select(func.count())
                .select_from(CitizenRow)
                .where(CitizenRow.verified_at.is_not(None))
            )
        ).scalar_one()
        per_citizen = (
            select(IdentityRow.citizen_id)
            .group_by(IdentityRow.citizen_id)
            .having(func.count(distinct(IdentityRow.platform)) > 1)
            .subquery()
        )
        linked = (await session.execute(select(func.count()).select_from(per_citizen))).scalar_one()
        by_district = dict(
            (
                await session.execute(
                    select(CitizenRow.home_district, func.count()).group_by(
                        CitizenRow.home_district
                    )
                )
            ).all()
        )
        return ResidentCounts(
            total=total,
            by_platform=by_platform,
            by_level={
                VerificationLevel.NONE.value: total - verified,
                VerificationLevel.PHONE.value: verified,
            },
            linked=linked,
            by_district=by_district,
        )

    async def participation(self, citizen_id: int) -> dict[str, int]:
        # Every table the participation registry lists, read by name: a new kind shows up here
        # without this file knowing it. (Composed from every kind: imported when asked for.)
        from core.storage.participation import CITIZEN_REFERENCES

        counts: dict[str, int] = {}
        for ref in CITIZEN_REFERENCES:
            if ref.table in NOT_PARTICIPATION:
                continue
            t = table(ref.table, column(ref.column))
            counts[ref.table] = (
                await self._session.execute(
                    select(func.count()).select_from(t).where(t.c[ref.column] == citizen_id)
                )
            ).scalar_one()
        return counts


def _found(row: Any) -> tuple[Citizen, bool]:
    """A citizen read with its identity's `reachable` (a Core row, not an ORM one)."""
    citizen = Citizen(
        id=row.id,
        locale=row.locale,
        dialog_state=dict(row.dialog_state or {}),
        notifications=NotificationMode(row.notifications),
        verified_at=row.verified_at,
        home_district=row.home_district,
        home_district_set_at=row.home_district_set_at,
        phone_masked=row.phone_masked,
    )
    return citizen, bool(row.reachable)


def _citizen(row: CitizenRow | Any) -> Citizen:
    return Citizen(
        id=row.id,
        locale=row.locale,
        dialog_state=dict(row.dialog_state or {}),
        notifications=NotificationMode(row.notifications),
        verified_at=row.verified_at,
        home_district=row.home_district,
        home_district_set_at=row.home_district_set_at,
        phone_masked=row.phone_masked,
    )
