"""SqlContestRepository: contest settings and phase, entries, votes, the per-citizen lock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.breakdown import Breakdown
from core.campaigns.model import CampaignKind, CampaignStatus, ResultsVisibility
from core.campaigns.sql import _campaign, add_campaign_row
from core.campaigns.tables import CampaignRow
from core.citizens.sql_groups import voter_group
from core.citizens.tables import CitizenRow
from core.contests.model import Contest, ContestPhase, Entry, EntryStatus
from core.contests.tables import (
    ContestEntryRow,
    ContestParticipantRow,
    ContestRow,
    ContestVoteRow,
)
from core.storage.statements import _core, _dialect, _dialect_name, fresh_by_id, record

participants = ContestParticipantRow.__table__
votes = ContestVoteRow.__table__


@cache
def _lock_participant(dialect: str) -> Any:
    stmt = _dialect(dialect).insert(participants)
    return stmt.on_conflict_do_update(
        index_elements=[participants.c.contest_id, participants.c.citizen_id],
        set_={"updated_at": stmt.excluded.updated_at},
    )


@cache
def _add_vote(dialect: str) -> Any:
    return _dialect(dialect).insert(votes).on_conflict_do_nothing()


def _contest(campaign: CampaignRow, row: ContestRow) -> Contest:
    return Contest(
        campaign=_campaign(campaign),
        phase=ContestPhase(row.phase),
        submissions_close_at=row.submissions_close_at,
        voting_opens_at=row.voting_opens_at,
        votes_per_resident=row.votes_per_resident,
        winners=row.winners,
        entries_per_resident=row.entries_per_resident,
        premoderation=row.premoderation,
        audience=row.audience,
    )


def _entry(row: ContestEntryRow) -> Entry:
    return record(Entry, row, status=EntryStatus(row.status))


class SqlContestRepository:
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
        submissions_close_at: datetime,
        voting_opens_at: datetime,
        votes_per_resident: int,
        winners: int,
        entries_per_resident: int,
        premoderation: bool,
        audience: str,
    ) -> Contest:
        campaign = await add_campaign_row(
            self._session,
            kind=CampaignKind.CONTEST,
            title=title,
            description=description,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
            visibility=ResultsVisibility.AFTER_CLOSE,
            created_by=created_by,
            now=now,
        )
        row = ContestRow(
            campaign_id=campaign.id,
            phase=ContestPhase.SUBMISSIONS.value,
            submissions_close_at=submissions_close_at,
            voting_opens_at=voting_opens_at,
            votes_per_resident=votes_per_resident,
            winners=winners,
            entries_per_resident=entries_per_resident,
            premoderation=premoderation,
            audience=audience,
        )
        self._session.add(row)
        await self._session.flush()
        return _contest(campaign, row)

    async def get(self, campaign_id: int) -> Contest | None:
        found = (
            await self._session.execute(
                select(CampaignRow, ContestRow)
                .join(ContestRow, ContestRow.campaign_id == CampaignRow.id)
                .where(CampaignRow.id == campaign_id)
                .execution_options(populate_existing=True)
            )
        ).one_or_none()
        return None if found is None else _contest(found[0], found[1])

    async def set_phase(
        self, contest_id: int, from_phases: Sequence[ContestPhase], to_phase: ContestPhase
    ) -> bool:
        result = await self._session.execute(
            update(ContestRow)
            .where(
                ContestRow.campaign_id == contest_id,
                ContestRow.phase.in_([p.value for p in from_phases]),
            )
            .values(phase=to_phase.value)
        )
        return bool(result.rowcount)

    async def due_for_voting(self, now: datetime) -> list[int]:
        result = await self._session.execute(
            select(ContestRow.campaign_id)
            .join(CampaignRow, CampaignRow.id == ContestRow.campaign_id)
            .where(
                CampaignRow.status == CampaignStatus.OPEN.value,
                ContestRow.phase == ContestPhase.SUBMISSIONS.value,
                ContestRow.voting_opens_at <= now,
            )
        )
        return list(result.scalars())

    async def due_to_finish(self) -> list[int]:
        result = await self._session.execute(
            select(ContestRow.campaign_id)
            .join(CampaignRow, CampaignRow.id == ContestRow.campaign_id)
            .where(
                CampaignRow.status == CampaignStatus.CLOSED.value,
                ContestRow.phase != ContestPhase.FINISHED.value,
            )
        )
        return list(result.scalars())

    async def lock_participant(self, contest_id: int, citizen_id: int, now: datetime) -> None:
        # Concurrent entries or votes by one citizen queue on this row, so limits hold.
        await _core(
            self._session,
            _lock_participant(_dialect_name(self._session)),
            {"contest_id": contest_id, "citizen_id": citizen_id, "updated_at": now},
        )

    async def set_receipt(self, contest_id: int, citizen_id: int, receipt: str | None) -> None:
        await self._session.execute(
            update(ContestParticipantRow)
            .where(
                ContestParticipantRow.contest_id == contest_id,
                ContestParticipantRow.citizen_id == citizen_id,
            )
            .values(receipt=receipt)
        )

    async def receipt(self, contest_id: int, citizen_id: int) -> str | None:
        return (
            await self._session.execute(
                select(ContestParticipantRow.receipt).where(
                    ContestParticipantRow.contest_id == contest_id,
                    ContestParticipantRow.citizen_id == citizen_id,
                )
            )
        ).scalar_one_or_none()

    async def receipts_of(self, citizen_id: int) -> list[tuple[int, str]]:
        rows = await self._session.execute(
            select(ContestParticipantRow.contest_id, ContestParticipantRow.receipt)
            .where(
                ContestParticipantRow.citizen_id == citizen_id,
                ContestParticipantRow.receipt.is_not(None),
            )
            .order_by(ContestParticipantRow.updated_at.desc())
        )
        return [(int(c), str(r)) for c, r in rows.all()]

    async def count_entries(self, contest_id: int, author_id: int) -> int:
        return (
            await self._session.execute(
                select(func.count()).where(
                    ContestEntryRow.contest_id == contest_id,
                    ContestEntryRow.author_id == author_id,
                )
            )
        ).scalar_one()

    async def add_entry(
        self,
        *,
        contest_id: int,
        author_id: int,
        author_seq: int,
        title: str,
        description: str,
        photo_ref: str | None,
        status: EntryStatus,
        now: datetime,
    ) -> Entry:
        row = ContestEntryRow(
            contest_id=contest_id,
            author_id=author_id,
            author_seq=author_seq,
            title=title,
            description=description,
            photo_ref=photo_ref,
            status=status.value,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _entry(row)

    async def get_entry(self, entry_id: int) -> Entry | None:
        row = await fresh_by_id(self._session, ContestEntryRow, entry_id)
        return None if row is None else _entry(row)

    async def entries(
        self,
        contest_id: int,
        *,
        statuses: Sequence[EntryStatus] | None = None,
        author_id: int | None = None,
    ) -> list[Entry]:
        query = (
            select(ContestEntryRow)
            .where(ContestEntryRow.contest_id == contest_id)
            .order_by(ContestEntryRow.id)
            .execution_options(populate_existing=True)
        )
        if statuses:
            query = query.where(ContestEntryRow.status.in_([s.value for s in statuses]))
        if author_id is not None:
            query = query.where(ContestEntryRow.author_id == author_id)
        return [_entry(r) for r in (await self._session.execute(query)).scalars()]

    async def set_entry_status(
        self,
        entry_id: int,
        from_statuses: Sequence[EntryStatus],
        to_status: EntryStatus,
        reason: str | None,
        now: datetime,
    ) -> bool:
        result = await self._session.execute(
            update(ContestEntryRow)
            .where(
                ContestEntryRow.id == entry_id,
                ContestEntryRow.status.in_([s.value for s in from_statuses]),
            )
            .values(status=to_status.value, reject_reason=reason, updated_at=now)
        )
        return bool(result.rowcount)

    async def my_votes(self, contest_id: int, citizen_id: int) -> frozenset[int]:
        result = await self._session.execute(
            select(votes.c.entry_id).where(
                votes.c.contest_id == contest_id, votes.c.citizen_id == citizen_id
            )
        )
        return frozenset(result.scalars())

    async def add_vote(
        self, contest_id: int, entry_id: int, citizen_id: int, now: datetime
    ) -> bool:
        result = await _core(
            self._session,
            _add_vote(_dialect_name(self._session)),
            {
                "entry_id": entry_id,
                "citizen_id": citizen_id,
                "contest_id": contest_id,
                "created_at": now,
            },
        )
        return bool(result.rowcount)

    async def remove_vote(self, entry_id: int, citizen_id: int) -> bool:
        result = await self._session.execute(
            delete(ContestVoteRow).where(
                ContestVoteRow.entry_id == entry_id, ContestVoteRow.citizen_id == citizen_id
            )
        )
        return bool(result.rowcount)

    async def tally(self, contest_id: int) -> dict[int, int]:
        result = await self._session.execute(
            select(votes.c.entry_id, func.count())
            .where(votes.c.contest_id == contest_id)
            .group_by(votes.c.entry_id)
        )
        return {int(e): int(n) for e, n in result.all()}

    async def voters(self, contest_id: int) -> int:
        result = await self._session.execute(
            select(func.count(func.distinct(votes.c.citizen_id))).where(
                votes.c.contest_id == contest_id
            )
        )
        return int(result.scalar_one())

    async def tally_by(
        self, contest_id: int, by: Breakdown
    ) -> dict[str | None, tuple[dict[int, int], int]]:
        # Two grouped scans (votes per entry, then distinct voters), joined to the voter's row.
        group = voter_group(by).label("voter_group")
        citizens = CitizenRow.__table__
        joined = votes.join(citizens, citizens.c.id == votes.c.citizen_id)
        rows = await self._session.execute(
            select(group, votes.c.entry_id, func.count())
            .select_from(joined)
            .where(votes.c.contest_id == contest_id)
            .group_by(group, votes.c.entry_id)
        )
        found: dict[str | None, tuple[dict[int, int], int]] = {}
        for key, entry_id, count in rows:
            found.setdefault(key, ({}, 0))[0][int(entry_id)] = int(count)
        voters = await self._session.execute(
            select(group, func.count(func.distinct(votes.c.citizen_id)))
            .select_from(joined)
            .where(votes.c.contest_id == contest_id)
            .group_by(group)
        )
        for key, count in voters:
            found[key] = (found.get(key, ({}, 0))[0], int(count))
        return found
