"""SQLAlchemy implementation of the citizens' port (core.citizens.ports)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, or_, select, true, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from core.citizens.model import Citizen, IdentityRef, NotificationMode
from core.citizens.tables import CitizenRow, IdentityRow, ProcessedUpdateRow
from core.storage.statements import _core, _dialect, _dialect_name

citizens = CitizenRow.__table__
identities = IdentityRow.__table__
processed = ProcessedUpdateRow.__table__

# Hot-path statements are built once: building a SQLAlchemy statement costs more CPU than
# the database needs to run it (the compiled form is cached by SQLAlchemy as well).
SAVE_CITIZEN = (
    update(citizens)
    .where(citizens.c.id == bindparam("citizen_id"))
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
    )
)

CITIZEN_BY_ID = select(citizens).where(citizens.c.id == bindparam("citizen_id"))

SET_HOME_DISTRICT = (
    update(citizens)
    .where(
        citizens.c.id == bindparam("citizen_id"),
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

    async def mark_verified(self, citizen_id: int, at: datetime) -> None:
        await self._session.execute(
            update(citizens).where(citizens.c.id == citizen_id).values(verified_at=at)
        )

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
    )
