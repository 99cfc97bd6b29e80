"""Two citizens become one: every table that refers to a citizen, by the registry's rule.

`core/storage/participation.py` says, for each citizen column, what a merge does with it
(`OnMerge`); this module is the one place that carries those rules out, so a table added to the
registry with an existing rule needs nothing here, and a new rule fails loudly (`RULES`).

Lock order (PostgreSQL): both citizen rows FOR UPDATE, lower id first — every update of a
resident's holds KEY SHARE on its citizen row from its first statement (core/citizens/sql.py),
so a merge waits for the turns in flight and the turns that follow wait for the merge — then
the participation rows. All of it inside the caller's one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.citizens.model import MergeReport, VoidedBallot
from core.citizens.tables import CitizenRow
from core.consultations.tables import ConsultationResponseRow
from core.contests.tables import ContestEntryRow, ContestRow, ContestVoteRow
from core.ideas.tables import IdeaCommentRow, IdeaReportRow, IdeaRow
from core.polls.tables import BallotChoiceRow, BallotRow
from core.storage.base import Base
from core.storage.participation import CITIZEN_REFERENCES, CitizenReference, OnMerge

Rule = Callable[["SqlMergeRepository", CitizenReference, int, int], Awaitable[int]]


class SqlMergeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._voided: list[VoidedBallot] = []

    async def lock(self, citizen_ids: Sequence[int]) -> list[tuple[int, datetime]]:
        rows = await self._session.execute(
            select(CitizenRow.id, CitizenRow.created_at)
            .where(CitizenRow.id.in_(sorted(set(citizen_ids))))
            .order_by(CitizenRow.id)
            .with_for_update()
        )
        return [(citizen_id, created_at) for citizen_id, created_at in rows]

    async def merge(self, survivor_id: int, merged_id: int) -> MergeReport:
        self._voided = []
        dropped: dict[str, int] = {}
        for ref in CITIZEN_REFERENCES:
            count = await RULES[ref.on_merge](self, ref, survivor_id, merged_id)
            if count:
                dropped[ref.table] = count
        await self._absorb_profile(survivor_id, merged_id)
        return MergeReport(survivor_id, merged_id, tuple(self._voided), dropped)

    # ---- the rules ---------------------------------------------------------------------------

    def _table(self, ref: CitizenReference) -> Table:
        return Base.metadata.tables[ref.table]

    async def _reassign(self, ref: CitizenReference, survivor: int, merged: int) -> int:
        t = self._table(ref)
        col = t.c[ref.column]
        await self._session.execute(update(t).where(col == merged).values({ref.column: survivor}))
        return 0

    async def _drop(self, ref: CitizenReference, survivor: int, merged: int) -> int:
        t = self._table(ref)
        result = await self._session.execute(delete(t).where(t.c[ref.column] == merged))
        return result.rowcount or 0

    async def _keep_survivors(self, ref: CitizenReference, survivor: int, merged: int) -> int:
        t = self._table(ref)
        col = t.c[ref.column]
        theirs = t.alias("survivors")
        duplicate = exists().where(
            theirs.c[ref.column] == survivor, *(theirs.c[k] == t.c[k] for k in ref.key)
        )
        doomed = (
            await self._session.execute(
                select(*(t.c[k] for k in ref.key)).where(col == merged, duplicate)
            )
        ).all()
        if doomed:
            await self._session.execute(delete(t).where(col == merged, duplicate))
            await _recount(self._session, ref, doomed)
        await self._reassign(ref, survivor, merged)
        return len(doomed)

    async def _renumber(self, ref: CitizenReference, survivor: int, merged: int) -> int:
        assert ref.renumbered is not None
        t = self._table(ref)
        col, seq = t.c[ref.column], t.c[ref.renumbered]
        theirs = t.alias("survivors")
        highest = (
            select(func.coalesce(func.max(theirs.c[ref.renumbered]), 0))
            .where(theirs.c[ref.column] == survivor, *(theirs.c[k] == t.c[k] for k in ref.key))
            .scalar_subquery()
        )
        # Both citizens may have "entry 1" in one contest: the merged one's move past the
        # survivor's. Each row takes its own new number (seq + highest), so no two collide.
        await self._session.execute(
            update(t).where(col == merged).values({ref.column: survivor, seq: seq + highest})
        )
        return 0

    async def _first_ballot_stands(self, ref: CitizenReference, survivor: int, merged: int) -> int:
        cast = (
            exists()
            .where(BallotChoiceRow.ballot_id == BallotRow.id)
            .correlate(BallotRow)
            .label("cast")
        )
        rows = (
            await self._session.execute(
                select(
                    BallotRow.id,
                    BallotRow.campaign_id,
                    BallotRow.citizen_id,
                    BallotRow.created_at,
                    cast,
                )
                .where(BallotRow.citizen_id.in_((survivor, merged)))
                .order_by(BallotRow.id)
                .with_for_update(of=BallotRow)
            )
        ).all()
        by_poll: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            by_poll[row.campaign_id].append(row)
        doomed: list[int] = []
        for campaign_id, ballots in by_poll.items():
            if len(ballots) < 2:
                continue
            # A ballot with every choice withdrawn is no vote; of two votes, the first cast.
            standing, other = sorted(ballots, key=lambda b: (not b.cast, b.created_at, b.id))
            doomed.append(other.id)
            if other.cast:
                self._voided.append(
                    VoidedBallot(
                        campaign_id=campaign_id,
                        voided_ballot_id=other.id,
                        voided_citizen_id=other.citizen_id,
                        standing_ballot_id=standing.id,
                        standing_cast_at=standing.created_at,
                    )
                )
        if doomed:
            await self._session.execute(
                delete(BallotChoiceRow).where(BallotChoiceRow.ballot_id.in_(doomed))
            )
            await self._session.execute(delete(BallotRow).where(BallotRow.id.in_(doomed)))
        await self._reassign(ref, survivor, merged)
        return len(doomed)

    async def _submitted_first(self, ref: CitizenReference, survivor: int, merged: int) -> int:
        r = ConsultationResponseRow
        rows = (
            await self._session.execute(
                select(r.id, r.campaign_id, r.submitted_at, r.updated_at)
                .where(r.citizen_id.in_((survivor, merged)))
                .order_by(r.id)
                .with_for_update()
            )
        ).all()
        by_campaign: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            by_campaign[row.campaign_id].append(row)
        doomed = []
        for responses in by_campaign.values():
            if len(responses) < 2:
                continue

            # Submitted beats a draft, the earlier submission the later; of two drafts, the
            # one worked on last (that is where the resident will want to continue).
            def rank(resp: Any) -> tuple[Any, ...]:
                if resp.submitted_at is not None:
                    return (0, resp.submitted_at, resp.id)
                return (1, -resp.updated_at.timestamp(), resp.id)

            doomed.append(sorted(responses, key=rank)[1].id)
        if doomed:
            await self._session.execute(delete(r).where(r.id.in_(doomed)))
        await self._reassign(ref, survivor, merged)
        return len(doomed)

    async def _earliest_up_to_limit(self, ref: CitizenReference, survivor: int, merged: int) -> int:
        v = ContestVoteRow
        rows = (
            await self._session.execute(
                select(
                    v.entry_id, v.citizen_id, v.contest_id, v.created_at, ContestEntryRow.author_id
                )
                .join(ContestEntryRow, ContestEntryRow.id == v.entry_id)
                .where(v.citizen_id.in_((survivor, merged)))
                .with_for_update(of=v)
            )
        ).all()
        contests = {row.contest_id for row in rows}
        if not contests:
            return 0
        limits = dict(
            (
                await self._session.execute(
                    select(ContestRow.campaign_id, ContestRow.votes_per_resident).where(
                        ContestRow.campaign_id.in_(contests)
                    )
                )
            ).all()
        )
        person = {survivor, merged}
        doomed: list[tuple[int, int]] = []
        by_contest: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            by_contest[row.contest_id].append(row)
        for contest_id, votes in by_contest.items():
            kept: set[int] = set()
            for vote in sorted(votes, key=lambda x: (x.created_at, x.citizen_id != survivor)):
                own = vote.author_id in person  # never a vote for one's own entry
                if own or vote.entry_id in kept or len(kept) >= limits.get(contest_id, 0):
                    doomed.append((vote.entry_id, vote.citizen_id))
                else:
                    kept.add(vote.entry_id)
        for entry_id, citizen_id in doomed:
            await self._session.execute(
                delete(v).where(v.entry_id == entry_id, v.citizen_id == citizen_id)
            )
        await self._reassign(ref, survivor, merged)
        return len(doomed)

    async def _kind_rule(self, ref: CitizenReference, survivor: int, merged: int) -> int:
        assert ref.merge is not None, f"{ref.table}.{ref.column}: KIND_RULE without merge"
        return await ref.merge(self._session, survivor, merged)

    # ---- the citizen row itself -----------------------------------------------------------------

    async def _absorb_profile(self, survivor_id: int, merged_id: int) -> None:
        """Phone, verification, home district and language go to the survivor where it has
        none; then the merged citizen, now owning nothing, is deleted."""
        c = CitizenRow
        fresh = {"populate_existing": True}
        survivor = (
            await self._session.execute(
                select(c).where(c.id == survivor_id), execution_options=fresh
            )
        ).scalar_one()
        merged = (
            await self._session.execute(select(c).where(c.id == merged_id), execution_options=fresh)
        ).scalar_one()
        values: dict[str, Any] = {}
        if survivor.phone_hash is None and merged.phone_hash is not None:
            values |= {"phone_hash": merged.phone_hash, "phone_masked": merged.phone_masked}
        verified = [d for d in (survivor.verified_at, merged.verified_at) if d is not None]
        if verified:
            values["verified_at"] = min(verified)
        if survivor.home_district is None and merged.home_district is not None:
            values |= {
                "home_district": merged.home_district,
                "home_district_set_at": merged.home_district_set_at,
            }
        if survivor.locale is None and merged.locale is not None:
            values["locale"] = merged.locale
        # The phone hash is unique: the merged row lets go of it before the survivor takes it.
        await self._session.execute(delete(c).where(c.id == merged_id))
        if values:
            await self._session.execute(update(c).where(c.id == survivor_id).values(values))
        self._session.expire_all()


async def _recount(session: AsyncSession, ref: CitizenReference, keys: Sequence[Any]) -> None:
    """Counters kept next to a row (an idea's supports and reports, a petition's signatures)
    after duplicates went."""
    table = ref.table
    if ref.counted_in is not None:
        rows = Base.metadata.tables[table]
        items = Base.metadata.tables[ref.counted_in[0]]
        ids = {key[0] for key in keys}
        count = (
            select(func.count())
            .where(rows.c[ref.key[0]] == items.c.id)
            .correlate(items)
            .scalar_subquery()
        )
        await session.execute(
            update(items).where(items.c.id.in_(ids)).values({ref.counted_in[1]: count})
        )
    elif table == "idea_reports":
        for target, model in (("idea", IdeaRow), ("comment", IdeaCommentRow)):
            ids = {item for kind, item in keys if kind == target}
            if not ids:
                continue
            count = (
                select(func.count())
                .where(and_(IdeaReportRow.target == target, IdeaReportRow.item_id == model.id))
                .correlate(model)
                .scalar_subquery()
            )
            await session.execute(update(model).where(model.id.in_(ids)).values(reports=count))


RULES: dict[OnMerge, Rule] = {
    OnMerge.REASSIGN: SqlMergeRepository._reassign,
    OnMerge.KEEP_SURVIVORS: SqlMergeRepository._keep_survivors,
    OnMerge.RENUMBER: SqlMergeRepository._renumber,
    OnMerge.DROP: SqlMergeRepository._drop,
    OnMerge.FIRST_BALLOT_STANDS: SqlMergeRepository._first_ballot_stands,
    OnMerge.SUBMITTED_FIRST: SqlMergeRepository._submitted_first,
    OnMerge.EARLIEST_UP_TO_LIMIT: SqlMergeRepository._earliest_up_to_limit,
    OnMerge.KIND_RULE: SqlMergeRepository._kind_rule,
}
