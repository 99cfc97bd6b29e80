"""SQLAlchemy implementation of the ballots' port (core.polls.ports)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.breakdown import Breakdown
from core.citizens.sql_groups import voter_group
from core.citizens.tables import CitizenRow
from core.polls.tables import BallotChoiceRow, BallotRow
from core.storage.statements import _core, _dialect, _dialect_name
from core.storage.tenancy import SCOPE_PARAM

ballots = BallotRow.__table__
choices = BallotChoiceRow.__table__

# Hot-path statements are built once: building a SQLAlchemy statement costs more CPU than
# the database needs to run it (the compiled form is cached by SQLAlchemy as well).
BALLOT_CHOICES = (
    select(choices.c.option_id)
    .join(ballots, ballots.c.id == choices.c.ballot_id)
    .where(
        ballots.c.campaign_id == bindparam("campaign_id"),
        ballots.c.citizen_id == bindparam("citizen_id"),
    )
)

TAKE_CHOICES = (
    delete(choices)
    .where(choices.c.ballot_id == bindparam("ballot_id"))
    .returning(choices.c.option_id)
)
INSERT_CHOICES = insert(choices)


@cache
def lock_ballot(dialect: str) -> Any:
    """Insert-or-touch the ballot with its new receipt, returning its id; ON CONFLICT DO UPDATE
    takes the row lock. The receipt rides on this statement: no extra round trip per vote."""
    stmt = _dialect(dialect).insert(ballots)
    return stmt.on_conflict_do_update(
        index_elements=[ballots.c.campaign_id, ballots.c.citizen_id],
        set_={"updated_at": stmt.excluded.updated_at, "receipt": stmt.excluded.receipt},
    ).returning(ballots.c.id)


# PostgreSQL: make a (locked) ballot's choices exactly `option_ids` in one round trip. Both parts
# see the same snapshot, taken after lock_ballot's row lock was granted, so no concurrent vote
# on this ballot can slip between them.
REPLACE_CHOICES = text(
    "WITH gone AS (DELETE FROM ballot_choices"
    " WHERE ballot_id = :ballot_id AND option_id <> ALL(:option_ids))"
    " INSERT INTO ballot_choices (hromada_id, ballot_id, option_id, campaign_id)"
    " SELECT :scope_hromada_id, :ballot_id, chosen, :campaign_id"
    " FROM unnest(:option_ids) AS chosen"
    " ON CONFLICT (ballot_id, option_id) DO NOTHING"
).bindparams(
    bindparam(SCOPE_PARAM, type_=BigInteger),  # supplied by _core (core/storage/tenancy.py)
    bindparam("ballot_id", type_=BigInteger),
    bindparam("campaign_id", type_=BigInteger),
    bindparam("option_ids", type_=ARRAY(BigInteger)),
)


class SqlBallotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def choices(self, campaign_id: int, citizen_id: int) -> frozenset[int]:
        result = await _core(
            self._session,
            BALLOT_CHOICES,
            {"campaign_id": campaign_id, "citizen_id": citizen_id},
        )
        return frozenset(result.scalars())

    async def lock_ballot(
        self, campaign_id: int, citizen_id: int, now: datetime, receipt: str | None = None
    ) -> int:
        # A concurrent double tap waits on this row lock for the first to commit, instead of
        # both reading "no vote yet" and both writing one.
        stmt = lock_ballot(_dialect_name(self._session))
        params = {
            "campaign_id": campaign_id,
            "citizen_id": citizen_id,
            "created_at": now,
            "updated_at": now,
            "receipt": receipt,
        }
        return (await _core(self._session, stmt, params)).scalar_one()

    async def take_choices(self, ballot_id: int) -> frozenset[int]:
        result = await _core(self._session, TAKE_CHOICES, {"ballot_id": ballot_id})
        return frozenset(result.scalars())

    async def add_choices(
        self, ballot_id: int, campaign_id: int, option_ids: frozenset[int]
    ) -> None:
        if option_ids:
            await _core(
                self._session,
                INSERT_CHOICES,
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
            REPLACE_CHOICES,
            params | {"option_ids": sorted(option_ids)},
        )

    async def set_receipt(self, ballot_id: int, receipt: str | None) -> None:
        await self._session.execute(
            update(BallotRow).where(BallotRow.id == ballot_id).values(receipt=receipt)
        )

    async def receipt(self, campaign_id: int, citizen_id: int) -> str | None:
        return (
            await self._session.execute(
                select(BallotRow.receipt).where(
                    BallotRow.campaign_id == campaign_id, BallotRow.citizen_id == citizen_id
                )
            )
        ).scalar_one_or_none()

    async def receipts_of(self, citizen_id: int) -> list[tuple[int, str]]:
        rows = await self._session.execute(
            select(BallotRow.campaign_id, BallotRow.receipt)
            .where(BallotRow.citizen_id == citizen_id, BallotRow.receipt.is_not(None))
            .order_by(BallotRow.updated_at.desc())
        )
        return [(int(c), str(r)) for c, r in rows.all()]

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

    async def tally_by(
        self, campaign_id: int, by: Breakdown
    ) -> dict[str | None, tuple[dict[int, int], int]]:
        # Two grouped scans (choices, then distinct voters), each joined to the voter's row.
        group = voter_group(by).label("voter_group")
        joined = choices.join(ballots, ballots.c.id == choices.c.ballot_id).join(
            CitizenRow.__table__, CitizenRow.__table__.c.id == ballots.c.citizen_id
        )
        rows = await self._session.execute(
            select(group, choices.c.option_id, func.count())
            .select_from(joined)
            .where(choices.c.campaign_id == campaign_id)
            .group_by(group, choices.c.option_id)
        )
        found: dict[str | None, tuple[dict[int, int], int]] = {}
        for key, option_id, count in rows:
            found.setdefault(key, ({}, 0))[0][int(option_id)] = int(count)
        voters = await self._session.execute(
            select(group, func.count(func.distinct(choices.c.ballot_id)))
            .select_from(joined)
            .where(choices.c.campaign_id == campaign_id)
            .group_by(group)
        )
        for key, count in voters:
            found[key] = (found.get(key, ({}, 0))[0], int(count))
        return found
