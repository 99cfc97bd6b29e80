"""A resident's own data, read ("my data") and forgotten ("forget me"), driven by the
participation registry (core/storage/participation.py): every table that refers to a citizen
is listed there with what forgetting does to it, so a new feature cannot be left out.

Forgetting, in one transaction:
- DELETE rows (identities, subscriptions, follows, RSVPs, reports) go;
- ANONYMIZE rows are either *participation* in a campaign — withdrawn while the campaign is
  not closed (its counts drop), kept in a closed one but re-pointed to a fresh anonymous
  citizen, so a published result never changes — or *content* (ideas, comments, entries):
  kept, re-pointed and their words replaced by "deleted by the author";
- the citizen row itself goes last (phone hash, settings, dialog state with it).
Each forget gets its own anonymous citizen: uniqueness per (campaign, citizen) still holds,
and nothing links two forgotten residents, or a forgotten resident to anyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.model import CampaignStatus
from core.campaigns.tables import CampaignRow
from core.citizens.data_ports import ForgetCounts
from core.citizens.model import NotificationMode
from core.citizens.tables import CitizenRow
from core.consultations.tables import ConsultationAnswerRow
from core.polls.tables import BallotChoiceRow
from core.storage.contributions import Content, Participation
from core.storage.participation import CITIZEN_REFERENCES, CitizenReference, OnForget
from core.storage.schema import metadata
from core.storage.tenancy import scoped

# What forgetting keeps, and how: each table's own plan, stated beside it in the registry
# (the shared features' lines in core/storage/participation.py, each kind's in its spec).
FORGET_PLAN: Mapping[str, Participation | Content] = {
    ref.table: ref.forget_plan for ref in CITIZEN_REFERENCES if ref.forget_plan is not None
}
# A deleted report leaves the reported item's `reports` count as it is: moderation already
# acted on it, and the count is no personal data.
# Columns of the citizen row never shown in "my data": keyed hashes mean nothing to a person.
PRIVATE_COLUMNS = frozenset({"phone_hash"})


def _table(name: str) -> Table:
    return metadata.tables[name]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


class SqlResidentDataRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---- my data ------------------------------------------------------------------------

    async def citizen_row(self, citizen_id: int) -> dict[str, Any] | None:
        row = (
            await self._session.execute(
                select(*CitizenRow.__table__.c).where(
                    CitizenRow.id == citizen_id,
                    scoped(CitizenRow.__table__.c.hromada_id),  # Core columns: no ORM criteria
                )
            )
        ).first()
        if row is None:
            return None
        return {
            k: _plain(v)
            for k, v in row._mapping.items()
            if k not in PRIVATE_COLUMNS and not k.endswith("_hash")
        }

    async def rows_of(self, citizen_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every exported registry table's rows of this citizen, as JSON-ready dicts."""
        out: dict[str, list[dict[str, Any]]] = {}
        for ref in CITIZEN_REFERENCES:
            if not ref.exported:
                continue
            table = _table(ref.table)
            rows = await self._session.execute(
                select(table).where(table.c[ref.column] == citizen_id)
            )
            out.setdefault(ref.table, []).extend(
                {k: _plain(v) for k, v in r._mapping.items()} for r in rows
            )
        return out

    async def ballot_choices(self, ballot_ids: list[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        if ballot_ids:
            rows = await self._session.execute(
                select(BallotChoiceRow.ballot_id, BallotChoiceRow.option_id).where(
                    BallotChoiceRow.ballot_id.in_(ballot_ids)
                )
            )
            for ballot_id, option_id in rows:
                found.setdefault(int(ballot_id), []).append(int(option_id))
        return found

    async def consultation_answers(self, response_ids: list[int]) -> dict[int, list[dict]]:
        found: dict[int, list[dict]] = {}
        if response_ids:
            rows = await self._session.execute(
                select(
                    ConsultationAnswerRow.response_id,
                    ConsultationAnswerRow.question_id,
                    ConsultationAnswerRow.value,
                    ConsultationAnswerRow.text,
                ).where(ConsultationAnswerRow.response_id.in_(response_ids))
            )
            for response_id, question_id, value, text in rows:
                found.setdefault(int(response_id), []).append(
                    {"question_id": int(question_id), "value": value, "text": text}
                )
        return found

    # ---- forget me ----------------------------------------------------------------------

    async def forget(self, citizen_id: int, *, now: datetime, marker: str) -> ForgetCounts:
        anonymous = (
            await self._session.execute(
                insert(CitizenRow)
                .values(
                    locale=None,
                    notifications=NotificationMode.OFF.value,
                    dialog_state={"forgotten": True},
                    created_at=now,
                )
                .returning(CitizenRow.id)
            )
        ).scalar_one()
        counts = ForgetCounts({}, {}, {})
        for ref in CITIZEN_REFERENCES:
            if ref.on_forget == OnForget.DELETE:
                counts.deleted[ref.table] = await self._delete(ref, citizen_id)
                continue
            plan = FORGET_PLAN[ref.table]
            if isinstance(plan, Participation):
                counts.withdrawn[ref.table] = await self._withdraw(ref, plan, citizen_id)
            values: dict[str, Any] = {ref.column: anonymous}
            if isinstance(plan, Content):
                table = _table(ref.table)
                values |= {c: marker for c in plan.text}
                values |= {c: ("" if not table.c[c].nullable else None) for c in plan.cleared}
            table = _table(ref.table)
            result = await self._session.execute(
                update(table).where(table.c[ref.column] == citizen_id).values(**values)
            )
            counts.anonymized[ref.table] = result.rowcount or 0
        await self._session.execute(delete(CitizenRow).where(CitizenRow.id == citizen_id))
        return counts

    async def _delete(self, ref: CitizenReference, citizen_id: int) -> int:
        table = _table(ref.table)
        result = await self._session.execute(delete(table).where(table.c[ref.column] == citizen_id))
        return result.rowcount or 0

    async def _withdraw(self, ref: CitizenReference, plan: Participation, citizen_id: int) -> int:
        """Delete the rows that count in a campaign which is not closed yet."""
        table = _table(ref.table)
        closed = select(CampaignRow.id).where(CampaignRow.status == CampaignStatus.CLOSED.value)
        if plan.via is None:
            in_open = table.c[plan.campaign].not_in(closed)
        else:
            other_name, key, campaign_column = plan.via
            other = _table(other_name)
            # An idea outside any call stays open to supports: its supports are withdrawn.
            in_open = table.c[key].in_(
                select(other.c.id).where(
                    other.c[campaign_column].is_(None) | other.c[campaign_column].not_in(closed)
                )
            )
        mine = (table.c[ref.column] == citizen_id) & in_open
        if plan.counter is not None:
            await self._take_back(table, plan.counter, mine)
        result = await self._session.execute(delete(table).where(mine))
        return result.rowcount or 0

    async def _take_back(self, table: Table, counter: tuple[str, str, str], rows: Any) -> None:
        target_name, column, key = counter
        target = _table(target_name)
        found = await self._session.execute(select(table.c[key]).where(rows))
        keys = [int(k) for k in found.scalars()]
        for k in keys:
            await self._session.execute(
                update(target)
                .where(target.c.id == k, target.c[column] > 0)
                .values({column: target.c[column] - 1})
            )
