"""SQLAlchemy implementation of the campaigns' port (core.campaigns.ports), and the campaigns
row every campaign kind's SQL starts from (`add_campaign_row`, `_campaign`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Select, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.eligibility import Eligibility
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.campaigns.tables import CampaignRow
from core.storage.statements import _core
from core.storage.tenancy import scoped

if TYPE_CHECKING:
    from core.polls.model import Poll

campaigns = CampaignRow.__table__


@cache
def _poll_with_options() -> Select[Any]:
    """A poll with its options, in one round trip. Built once, on first use: building a
    SQLAlchemy statement costs more CPU than the database needs to run it (the compiled form
    is cached by SQLAlchemy as well); and a command that reads no poll (`campaign list`)
    does without the polls' tables."""
    from core.polls.tables import PollOptionRow, PollRow

    polls = PollRow.__table__
    poll_options = PollOptionRow.__table__
    return (
        select(
            campaigns,
            polls.c.max_choices,
            poll_options.c.id.label("option_id"),
            poll_options.c.position.label("option_position"),
            poll_options.c.label.label("option_label"),
        )
        .join(polls, polls.c.campaign_id == campaigns.c.id)
        .join(poll_options, poll_options.c.campaign_id == campaigns.c.id)
        .where(campaigns.c.id == bindparam("campaign_id"), scoped(campaigns.c.hromada_id))
        .order_by(poll_options.c.position)
    )


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
        from core.polls.model import Poll, PollOption
        from core.polls.tables import PollOptionRow, PollRow

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

    async def set_receipts(self, campaign_id: int, on: bool) -> None:
        await self._session.execute(
            update(CampaignRow)
            .where(CampaignRow.id == campaign_id)
            .values(receipts=on)
            .execution_options(synchronize_session=False)
        )

    async def set_eligibility(self, campaign_id: int, eligibility: Eligibility) -> None:
        await self._session.execute(
            update(CampaignRow)
            .where(CampaignRow.id == campaign_id)
            .values(
                eligible_verified=eligibility.verified,
                eligible_districts=eligibility.districts_column,
            )
        )

    async def get(self, campaign_id: int) -> Campaign | None:
        row = await self._session.get(CampaignRow, campaign_id)
        return None if row is None else _campaign(row)

    async def get_poll(self, campaign_id: int) -> Poll | None:
        # One round trip: the campaign, its poll settings and every option, joined.
        # Core rows straight to the domain: no ORM execution path, no instrumented object.
        from core.polls.model import Poll, PollOption

        rows = (
            await _core(self._session, _poll_with_options(), {"campaign_id": campaign_id})
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
        eligibility=Eligibility.stored(row.eligible_verified, row.eligible_districts),
        receipts=row.receipts is not False,  # unset before the first flush: the default
    )
