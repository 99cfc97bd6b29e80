"""SQLAlchemy implementations of the repository ports in core.kernel.unit_of_work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.model import AuditEntry
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.citizens.model import Citizen, IdentityRef, NotificationMode
from core.polls.model import Poll, PollOption
from core.storage import statements
from core.storage.models import (
    AuditRow,
    BallotChoiceRow,
    CampaignRow,
    CitizenRow,
    IdentityRow,
    PollOptionRow,
    PollRow,
)

# Where a unit of work keeps its session's connection while a transaction is open: asking the
# session for it on every statement costs a greenlet round of its own. The unit of work drops
# it when the transaction ends (commit / rollback), as the session then lets the connection go.
CONNECTION_KEY = "spilno.connection"


async def _core(session: AsyncSession, stmt: Any, params: Any) -> Any:
    """Execute a Core statement on the session's connection, skipping the ORM layer (cheaper)."""
    connection = session.info.get(CONNECTION_KEY)
    if connection is None:
        connection = session.info[CONNECTION_KEY] = await session.connection()
    return await connection.execute(stmt, params)


def _dialect_name(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "postgresql"


async def add_campaign_row(
    session: AsyncSession,
    *,
    kind: CampaignKind,
    title: str,
    description: str,
    status: CampaignStatus,
    opens_at: datetime | None,
    closes_at: datetime | None,
    visibility: ResultsVisibility,
    created_by: str,
    now: datetime,
) -> CampaignRow:
    """The campaigns row every kind starts with (its own table then hangs off the id)."""
    row = CampaignRow(
        kind=kind.value,
        title=title,
        description=description,
        status=status.value,
        opens_at=opens_at,
        closes_at=closes_at,
        results_visibility=visibility.value,
        created_at=now,
        created_by=created_by,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


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
                statements.CITIZEN_BY_IDENTITY,
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
            first = bool(
                (await _core(self._session, statements.record_update("sqlite"), params)).rowcount
            )
            return first, await self.find(ref)
        stmt = statements.claim_update_and_find_sender()
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
            statements.SAVE_CITIZEN,
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
    )
    return citizen, bool(row.reachable)


def _citizen(row: CitizenRow) -> Citizen:
    return Citizen(
        id=row.id,
        locale=row.locale,
        dialog_state=dict(row.dialog_state or {}),
        notifications=NotificationMode(row.notifications),
    )


class SqlCampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_poll(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        visibility: ResultsVisibility,
        created_by: str,
        now: datetime,
        max_choices: int,
        options: Sequence[str],
    ) -> Poll:
        row = await add_campaign_row(
            self._session,
            kind=CampaignKind.POLL,
            title=title,
            description=description,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
            visibility=visibility,
            created_by=created_by,
            now=now,
        )
        self._session.add(PollRow(campaign_id=row.id, max_choices=max_choices))
        await self._session.flush()
        option_rows = [
            PollOptionRow(campaign_id=row.id, position=i, label=label)
            for i, label in enumerate(options, start=1)
        ]
        self._session.add_all(option_rows)
        await self._session.flush()
        return Poll(
            campaign=_campaign(row),
            max_choices=max_choices,
            options=[PollOption(id=o.id, position=o.position, label=o.label) for o in option_rows],
        )

    async def set_delivery(
        self, campaign_id: int, *, audience: str | None, reminders: str, send_results: bool
    ) -> None:
        await self._session.execute(
            update(CampaignRow)
            .where(CampaignRow.id == campaign_id)
            .values(audience=audience, reminders=reminders, send_results=send_results)
            .execution_options(synchronize_session=False)
        )

    async def get(self, campaign_id: int) -> Campaign | None:
        row = await self._session.get(CampaignRow, campaign_id)
        return None if row is None else _campaign(row)

    async def get_poll(self, campaign_id: int) -> Poll | None:
        # One round trip: the campaign, its poll settings and every option, joined.
        # Core rows straight to the domain: no ORM execution path, no instrumented object.
        rows = (
            await _core(self._session, statements.POLL_WITH_OPTIONS, {"campaign_id": campaign_id})
        ).all()
        if not rows:
            return None
        first = rows[0]
        return Poll(
            campaign=_campaign(first),
            max_choices=first.max_choices,
            options=[
                PollOption(id=r.option_id, position=r.option_position, label=r.option_label)
                for r in rows
            ],
        )

    async def list(
        self,
        *,
        kinds: Sequence[CampaignKind] | None = None,
        statuses: Sequence[CampaignStatus] | None = None,
    ) -> list[Campaign]:
        query = select(CampaignRow).order_by(CampaignRow.id.desc())
        if kinds:
            query = query.where(CampaignRow.kind.in_([k.value for k in kinds]))
        if statuses:
            query = query.where(CampaignRow.status.in_([s.value for s in statuses]))
        return [_campaign(r) for r in (await self._session.execute(query)).scalars()]

    async def transition(
        self,
        campaign_id: int,
        from_statuses: Sequence[CampaignStatus],
        to_status: CampaignStatus,
        now: datetime,
        *,
        opens_at: datetime | None = None,
        closes_at: datetime | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": to_status.value, "updated_at": now}
        if opens_at is not None:
            values["opens_at"] = opens_at
        if closes_at is not None:
            values["closes_at"] = closes_at
        result = await self._session.execute(
            update(CampaignRow)
            .where(
                CampaignRow.id == campaign_id,
                CampaignRow.status.in_([s.value for s in from_statuses]),
            )
            .values(**values)
        )
        return bool(result.rowcount)

    async def set_window(
        self,
        campaign_id: int,
        from_statuses: Sequence[CampaignStatus],
        *,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        now: datetime,
    ) -> bool:
        result = await self._session.execute(
            update(CampaignRow)
            .where(
                CampaignRow.id == campaign_id,
                CampaignRow.status.in_([s.value for s in from_statuses]),
            )
            .values(status=status.value, opens_at=opens_at, closes_at=closes_at, updated_at=now)
        )
        return bool(result.rowcount)

    async def delete(self, campaign_id: int, from_statuses: Sequence[CampaignStatus]) -> bool:
        # Polls, options, questions, idea calls … are removed by their ON DELETE CASCADE keys
        # (SQLite enforces them: PRAGMA foreign_keys=ON in core/storage/db.py).
        result = await self._session.execute(
            delete(CampaignRow).where(
                CampaignRow.id == campaign_id,
                CampaignRow.status.in_([s.value for s in from_statuses]),
            )
        )
        return bool(result.rowcount)

    async def due_to_open(self, now: datetime) -> list[int]:
        query = select(CampaignRow.id).where(
            CampaignRow.status == CampaignStatus.SCHEDULED.value, CampaignRow.opens_at <= now
        )
        return list((await self._session.execute(query)).scalars())

    async def due_to_close(self, now: datetime) -> list[int]:
        query = select(CampaignRow.id).where(
            CampaignRow.status == CampaignStatus.OPEN.value, CampaignRow.closes_at <= now
        )
        return list((await self._session.execute(query)).scalars())

    async def count(self) -> int:
        return (await self._session.execute(select(func.count(CampaignRow.id)))).scalar_one()


def _campaign(row: CampaignRow | Row[Any]) -> Campaign:
    return Campaign(
        id=row.id,
        kind=CampaignKind(row.kind),
        title=row.title,
        description=row.description,
        status=CampaignStatus(row.status),
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        results_visibility=ResultsVisibility(row.results_visibility),
        created_at=row.created_at,
        created_by=row.created_by,
        audience=row.audience,
        reminders=row.reminders or "",
        send_results=bool(row.send_results),
    )


class SqlBallotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def choices(self, campaign_id: int, citizen_id: int) -> frozenset[int]:
        result = await _core(
            self._session,
            statements.BALLOT_CHOICES,
            {"campaign_id": campaign_id, "citizen_id": citizen_id},
        )
        return frozenset(result.scalars())

    async def lock_ballot(self, campaign_id: int, citizen_id: int, now: datetime) -> int:
        # A concurrent double tap waits on this row lock for the first to commit, instead of
        # both reading "no vote yet" and both writing one.
        stmt = statements.lock_ballot(_dialect_name(self._session))
        params = {
            "campaign_id": campaign_id,
            "citizen_id": citizen_id,
            "created_at": now,
            "updated_at": now,
        }
        return (await _core(self._session, stmt, params)).scalar_one()

    async def take_choices(self, ballot_id: int) -> frozenset[int]:
        result = await _core(self._session, statements.TAKE_CHOICES, {"ballot_id": ballot_id})
        return frozenset(result.scalars())

    async def add_choices(
        self, ballot_id: int, campaign_id: int, option_ids: frozenset[int]
    ) -> None:
        if option_ids:
            await _core(
                self._session,
                statements.INSERT_CHOICES,
                [
                    {"ballot_id": ballot_id, "option_id": o, "campaign_id": campaign_id}
                    for o in sorted(option_ids)
                ],
            )

    async def replace_choices(
        self, ballot_id: int, campaign_id: int, option_ids: frozenset[int]
    ) -> None:
        if _dialect_name(self._session) != "postgresql":
            await self.take_choices(ballot_id)
            await self.add_choices(ballot_id, campaign_id, option_ids)
            return
        params = {"ballot_id": ballot_id, "campaign_id": campaign_id}
        await _core(
            self._session,
            statements.REPLACE_CHOICES,
            params | {"option_ids": sorted(option_ids)},
        )

    async def tally(self, campaign_id: int) -> tuple[dict[int, int], int]:
        counts = dict(
            (
                await self._session.execute(
                    select(BallotChoiceRow.option_id, func.count())
                    .where(BallotChoiceRow.campaign_id == campaign_id)
                    .group_by(BallotChoiceRow.option_id)
                )
            ).all()
        )
        voters = (
            await self._session.execute(
                select(func.count(func.distinct(BallotChoiceRow.ballot_id))).where(
                    BallotChoiceRow.campaign_id == campaign_id
                )
            )
        ).scalar_one()
        return {int(k): int(v) for k, v in counts.items()}, int(voters)


class SqlAuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, entry: AuditEntry) -> None:
        self._session.add(
            AuditRow(
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                before=entry.before,
                after=entry.after,
            )
        )
        await self._session.flush()

    async def list(
        self, *, limit: int = 100, org: str | None = None, since: datetime | None = None
    ) -> list[AuditEntry]:
        stmt = select(AuditRow)
        if org is not None:
            # Organization actions carry the slug in `after` (JSON ->> / json_extract).
            stmt = stmt.where(AuditRow.after["org"].as_string() == org)
        if since is not None:
            stmt = stmt.where(AuditRow.at >= since)
        rows = (
            await self._session.execute(stmt.order_by(AuditRow.id.desc()).limit(limit))
        ).scalars()
        return [
            AuditEntry(
                actor=r.actor,
                action=r.action,
                object_type=r.object_type,
                object_id=r.object_id,
                at=r.at,
                before=r.before,
                after=r.after,
            )
            for r in rows
        ]
