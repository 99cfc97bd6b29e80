"""SqlPbRepository: PB settings and pots, projects, ballots (locked per resident and pot),
submitted votes, milestones."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.model import CampaignKind, CampaignStatus, ResultsVisibility
from core.campaigns.sql import _campaign, add_campaign_row
from core.campaigns.tables import CampaignRow
from core.pb.model import (
    Milestone,
    ParticipatoryBudget,
    PbPhase,
    PbRule,
    Pot,
    Progress,
    Project,
    ProjectStatus,
    StoredBallot,
    VotingStyle,
)
from core.pb.tables import (
    PbBallotRow,
    PbMilestoneRow,
    PbPotRow,
    PbProjectRow,
    PbRow,
    PbSelectionRow,
    PbVoteRow,
)
from core.storage.statements import _core, _dialect, _dialect_name, fresh_by_id, record

ballots = PbBallotRow.__table__


@cache
def _lock_ballot(dialect: str) -> Any:
    # Insert-or-touch: on PostgreSQL the conflicting UPDATE takes the row lock, so a second
    # concurrent change of the same ballot waits here until the first commits.
    stmt = _dialect(dialect).insert(ballots)
    return stmt.on_conflict_do_update(
        index_elements=[ballots.c.pb_id, ballots.c.citizen_id, ballots.c.pot],
        set_={"updated_at": stmt.excluded.updated_at},
    ).returning(ballots.c.id)


def _project(row: PbProjectRow) -> Project:
    return record(
        Project,
        row,
        status=ProjectStatus(row.status),
        progress=Progress(row.progress) if row.progress else None,
    )


def _pb(campaign: CampaignRow, row: PbRow, pots: Sequence[PbPotRow]) -> ParticipatoryBudget:
    return ParticipatoryBudget(
        campaign=_campaign(campaign),
        phase=PbPhase(row.phase),
        review_at=row.review_at,
        voting_opens_at=row.voting_opens_at,
        announce_at=row.announce_at,
        rule=PbRule(row.rule),
        pots=tuple(
            Pot(p.pot, int(p.budget), VotingStyle(p.style), p.max_choices)
            for p in sorted(pots, key=lambda p: p.position)
        ),
    )


class SqlPbRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        opens_at: datetime,
        closes_at: datetime,
        created_by: str,
        now: datetime,
        review_at: datetime,
        voting_opens_at: datetime,
        announce_at: datetime,
        rule: PbRule,
        pots: Sequence[Pot],
    ) -> ParticipatoryBudget:
        campaign = await add_campaign_row(
            self._session,
            kind=CampaignKind.PB,
            title=title,
            description=description,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
            visibility=ResultsVisibility.AFTER_CLOSE,
            created_by=created_by,
            now=now,
        )
        row = PbRow(
            campaign_id=campaign.id,
            phase=PbPhase.SUBMISSION.value,
            review_at=review_at,
            voting_opens_at=voting_opens_at,
            announce_at=announce_at,
            rule=rule.value,
        )
        self._session.add(row)
        await self._session.flush()
        pot_rows = [
            PbPotRow(
                pb_id=campaign.id,
                pot=p.code,
                budget=p.budget,
                style=p.style.value,
                max_choices=p.max_choices,
                position=i,
            )
            for i, p in enumerate(pots)
        ]
        self._session.add_all(pot_rows)
        await self._session.flush()
        return _pb(campaign, row, pot_rows)

    async def get(self, campaign_id: int) -> ParticipatoryBudget | None:
        found = (
            await self._session.execute(
                select(CampaignRow, PbRow)
                .join(PbRow, PbRow.campaign_id == CampaignRow.id)
                .where(CampaignRow.id == campaign_id)
                .execution_options(populate_existing=True)
            )
        ).one_or_none()
        if found is None:
            return None
        pots = (
            await self._session.execute(select(PbPotRow).where(PbPotRow.pb_id == campaign_id))
        ).scalars()
        return _pb(found[0], found[1], list(pots))

    async def set_phase(
        self, pb_id: int, from_phases: Sequence[PbPhase], to_phase: PbPhase
    ) -> bool:
        result = await self._session.execute(
            update(PbRow)
            .where(PbRow.campaign_id == pb_id, PbRow.phase.in_([p.value for p in from_phases]))
            .values(phase=to_phase.value)
        )
        return bool(result.rowcount)

    async def due(self, phase: PbPhase, now: datetime) -> list[int]:
        query = select(PbRow.campaign_id).join(CampaignRow, CampaignRow.id == PbRow.campaign_id)
        match phase:
            case PbPhase.REVIEW:
                query = query.where(
                    CampaignRow.status == CampaignStatus.OPEN.value,
                    PbRow.phase == PbPhase.SUBMISSION.value,
                    PbRow.review_at <= now,
                )
            case PbPhase.VOTING:
                query = query.where(
                    CampaignRow.status == CampaignStatus.OPEN.value,
                    PbRow.phase.in_([PbPhase.SUBMISSION.value, PbPhase.REVIEW.value]),
                    PbRow.voting_opens_at <= now,
                )
            case PbPhase.RESULTS:
                query = query.where(
                    CampaignRow.status == CampaignStatus.CLOSED.value,
                    PbRow.phase.in_(
                        [PbPhase.SUBMISSION.value, PbPhase.REVIEW.value, PbPhase.VOTING.value]
                    ),
                )
            case PbPhase.IMPLEMENTATION:
                query = query.where(
                    CampaignRow.status == CampaignStatus.CLOSED.value,
                    PbRow.phase == PbPhase.RESULTS.value,
                    PbRow.announce_at <= now,
                )
            case _:
                return []
        return list((await self._session.execute(query.order_by(PbRow.campaign_id))).scalars())

    async def add_project(
        self,
        *,
        pb_id: int,
        author_id: int,
        pot: str,
        title: str,
        description: str,
        cost: int,
        photo_ref: str | None,
        now: datetime,
    ) -> Project:
        row = PbProjectRow(
            pb_id=pb_id,
            author_id=author_id,
            pot=pot,
            title=title,
            description=description,
            estimate=cost,
            cost=cost,
            photo_ref=photo_ref,
            status=ProjectStatus.SUBMITTED.value,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _project(row)

    async def get_project(self, project_id: int) -> Project | None:
        row = await fresh_by_id(self._session, PbProjectRow, project_id)
        return None if row is None else _project(row)

    async def projects(
        self,
        pb_id: int,
        *,
        statuses: Sequence[ProjectStatus] | None = None,
        author_id: int | None = None,
        pot: str | None = None,
    ) -> list[Project]:
        query = (
            select(PbProjectRow)
            .where(PbProjectRow.pb_id == pb_id)
            .order_by(PbProjectRow.id)
            .execution_options(populate_existing=True)
        )
        if statuses:
            query = query.where(PbProjectRow.status.in_([s.value for s in statuses]))
        if author_id is not None:
            query = query.where(PbProjectRow.author_id == author_id)
        if pot is not None:
            query = query.where(PbProjectRow.pot == pot)
        return [_project(r) for r in (await self._session.execute(query)).scalars()]

    async def review_project(
        self,
        project_id: int,
        *,
        from_statuses: Sequence[ProjectStatus],
        to_status: ProjectStatus,
        cost: int | None,
        reason: str | None,
        now: datetime,
    ) -> bool:
        values: dict[str, Any] = {
            "status": to_status.value,
            "reject_reason": reason,
            "updated_at": now,
        }
        if cost is not None:
            values["cost"] = cost
        result = await self._session.execute(
            update(PbProjectRow)
            .where(
                PbProjectRow.id == project_id,
                PbProjectRow.status.in_([s.value for s in from_statuses]),
            )
            .values(values)
        )
        return bool(result.rowcount)

    async def set_selected(self, pb_id: int, winners: Sequence[int], now: datetime) -> None:
        on_ballot = (
            PbProjectRow.pb_id == pb_id,
            PbProjectRow.status == ProjectStatus.ACCEPTED.value,
        )
        await self._session.execute(
            update(PbProjectRow).where(*on_ballot).values(selected=False, updated_at=now)
        )
        if winners:
            await self._session.execute(
                update(PbProjectRow)
                .where(*on_ballot, PbProjectRow.id.in_(list(winners)))
                .values(selected=True, progress=Progress.PLANNED.value)
            )

    async def set_progress(self, project_id: int, progress: Progress, now: datetime) -> None:
        await self._session.execute(
            update(PbProjectRow)
            .where(PbProjectRow.id == project_id)
            .values(progress=progress.value, updated_at=now)
        )

    async def lock_ballot(self, pb_id: int, citizen_id: int, pot: str, now: datetime) -> int:
        result = await _core(
            self._session,
            _lock_ballot(_dialect_name(self._session)),
            {
                "pb_id": pb_id,
                "citizen_id": citizen_id,
                "pot": pot,
                "submitted_at": None,
                "created_at": now,
                "updated_at": now,
            },
        )
        return int(result.scalar_one())

    async def ballots(self, pb_id: int, citizen_id: int) -> list[StoredBallot]:
        rows = await self._session.execute(
            select(
                PbBallotRow.id, PbBallotRow.pot, PbBallotRow.submitted_at, PbBallotRow.receipt
            ).where(PbBallotRow.pb_id == pb_id, PbBallotRow.citizen_id == citizen_id)
        )
        return [StoredBallot(int(i), pot, at, receipt) for i, pot, at, receipt in rows]

    async def selection(self, ballot_id: int) -> list[Project]:
        rows = await self._session.execute(
            select(PbProjectRow)
            .join(PbSelectionRow, PbSelectionRow.project_id == PbProjectRow.id)
            .where(PbSelectionRow.ballot_id == ballot_id)
            .order_by(PbSelectionRow.created_at, PbProjectRow.id)
            .execution_options(populate_existing=True)
        )
        return [_project(r) for r in rows.scalars()]

    async def cast(self, ballot_id: int) -> frozenset[int]:
        rows = await self._session.execute(
            select(PbVoteRow.project_id).where(PbVoteRow.ballot_id == ballot_id)
        )
        return frozenset(int(p) for p in rows.scalars())

    async def select_project(self, ballot_id: int, project_id: int, now: datetime) -> bool:
        stmt = (
            _dialect(_dialect_name(self._session))
            .insert(PbSelectionRow.__table__)
            .on_conflict_do_nothing()
        )
        result = await self._session.execute(
            stmt, {"ballot_id": ballot_id, "project_id": project_id, "created_at": now}
        )
        return bool(result.rowcount)

    async def unselect_project(self, ballot_id: int, project_id: int) -> bool:
        result = await self._session.execute(
            delete(PbSelectionRow).where(
                PbSelectionRow.ballot_id == ballot_id, PbSelectionRow.project_id == project_id
            )
        )
        return bool(result.rowcount)

    async def submit(self, ballot_id: int, now: datetime, receipt: str | None) -> None:
        await self._session.execute(delete(PbVoteRow).where(PbVoteRow.ballot_id == ballot_id))
        await self._session.execute(
            insert(PbVoteRow).from_select(
                ["ballot_id", "project_id"],
                select(PbSelectionRow.ballot_id, PbSelectionRow.project_id).where(
                    PbSelectionRow.ballot_id == ballot_id
                ),
            )
        )
        # The receipt rides on the submission's own UPDATE: no extra round trip.
        await self._session.execute(
            update(PbBallotRow)
            .where(PbBallotRow.id == ballot_id)
            .values(submitted_at=now, updated_at=now, receipt=receipt)
        )

    async def receipts(self, pb_id: int) -> dict[int, str]:
        rows = await self._session.execute(
            select(PbBallotRow.id, PbBallotRow.receipt).where(
                PbBallotRow.pb_id == pb_id,
                PbBallotRow.submitted_at.is_not(None),
                PbBallotRow.receipt.is_not(None),
            )
        )
        return {int(i): str(r) for i, r in rows}

    async def receipts_of(self, citizen_id: int) -> list[tuple[int, str, str]]:
        rows = await self._session.execute(
            select(PbBallotRow.pb_id, PbBallotRow.pot, PbBallotRow.receipt)
            .where(
                PbBallotRow.citizen_id == citizen_id,
                PbBallotRow.submitted_at.is_not(None),
                PbBallotRow.receipt.is_not(None),
            )
            .order_by(PbBallotRow.submitted_at.desc(), PbBallotRow.id.desc())
        )
        return [(int(p), str(pot), str(r)) for p, pot, r in rows]

    async def tally(self, pb_id: int) -> dict[int, int]:
        rows = await self._session.execute(
            select(PbVoteRow.project_id, func.count())
            .join(PbBallotRow, PbBallotRow.id == PbVoteRow.ballot_id)
            .where(PbBallotRow.pb_id == pb_id, PbBallotRow.submitted_at.is_not(None))
            .group_by(PbVoteRow.project_id)
        )
        return {int(p): int(n) for p, n in rows.all()}

    async def submitted_ballots(self, pb_id: int) -> list[tuple[int, int, str, frozenset[int]]]:
        rows = await self._session.execute(
            select(PbBallotRow.id, PbBallotRow.citizen_id, PbBallotRow.pot, PbVoteRow.project_id)
            .join(PbVoteRow, PbVoteRow.ballot_id == PbBallotRow.id)
            .where(PbBallotRow.pb_id == pb_id, PbBallotRow.submitted_at.is_not(None))
            .order_by(PbBallotRow.id)
        )
        found: dict[tuple[int, int, str], set[int]] = defaultdict(set)
        for ballot_id, citizen_id, pot, project_id in rows:
            found[(int(ballot_id), int(citizen_id), pot)].add(int(project_id))
        return [(b, c, pot, frozenset(ids)) for (b, c, pot), ids in found.items()]

    async def voters(self, pb_id: int, pot: str | None = None) -> int:
        query = select(func.count(func.distinct(PbBallotRow.citizen_id))).where(
            PbBallotRow.pb_id == pb_id, PbBallotRow.submitted_at.is_not(None)
        )
        if pot is not None:
            query = query.where(PbBallotRow.pot == pot)
        return int((await self._session.execute(query)).scalar_one())

    async def project_voters(self, project_id: int) -> list[int]:
        rows = await self._session.execute(
            select(PbBallotRow.citizen_id)
            .join(PbVoteRow, PbVoteRow.ballot_id == PbBallotRow.id)
            .where(PbVoteRow.project_id == project_id, PbBallotRow.submitted_at.is_not(None))
            .order_by(PbBallotRow.citizen_id)
        )
        return [int(c) for c in rows.scalars()]

    async def add_milestone(
        self,
        *,
        project_id: int,
        status: Progress,
        text: str,
        image: bytes | None,
        created_by: str,
        now: datetime,
    ) -> Milestone:
        row = PbMilestoneRow(
            project_id=project_id,
            status=status.value,
            text=text,
            image=image,
            created_by=created_by,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return Milestone(row.id, project_id, status, text, image is not None, now)

    async def milestones(self, project_id: int) -> list[Milestone]:
        rows = await self._session.execute(
            select(
                PbMilestoneRow.id,
                PbMilestoneRow.status,
                PbMilestoneRow.text,
                PbMilestoneRow.image.is_not(None),
                PbMilestoneRow.created_at,
            )
            .where(PbMilestoneRow.project_id == project_id)
            .order_by(PbMilestoneRow.id)
        )
        return [
            Milestone(int(i), project_id, Progress(s), t, bool(img), at)
            for i, s, t, img, at in rows
        ]

    async def milestone_image(self, milestone_id: int) -> bytes | None:
        return (
            await self._session.execute(
                select(PbMilestoneRow.image).where(PbMilestoneRow.id == milestone_id)
            )
        ).scalar_one_or_none()


async def merge_ballots(session: AsyncSession, survivor: int, merged: int) -> int:
    """Two citizens become one: in each PB pot where both have a ballot, the one submitted
    first stands (a submitted ballot beats one never submitted; of two never submitted, the
    survivor's), and the other goes with its choices. The rest move to the survivor."""
    b = PbBallotRow
    rows = (
        await session.execute(
            select(b.id, b.pb_id, b.pot, b.citizen_id, b.submitted_at)
            .where(b.citizen_id.in_((survivor, merged)))
            .order_by(b.id)
            .with_for_update()
        )
    ).all()
    by_pot: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for row in rows:
        by_pot[(row.pb_id, row.pot)].append(row)
    doomed = []
    for both in by_pot.values():
        if len(both) < 2:
            continue

        def rank(r: Any) -> tuple[Any, ...]:
            if r.submitted_at is not None:
                return (0, r.submitted_at, r.id)
            return (1, r.citizen_id != survivor, r.id)

        doomed.append(sorted(both, key=rank)[1].id)
    if doomed:
        for table in (PbSelectionRow, PbVoteRow):
            await session.execute(delete(table).where(table.ballot_id.in_(doomed)))
        await session.execute(delete(b).where(b.id.in_(doomed)))
    await session.execute(update(b).where(b.citizen_id == merged).values(citizen_id=survivor))
    return len(doomed)
