"""SqlPetitionRepository: petitions (a campaign row and a petitions row) and signatures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.model import CampaignKind, CampaignStatus, ResultsVisibility
from core.campaigns.sql import _campaign, add_campaign_row
from core.campaigns.tables import CampaignRow
from core.petitions.model import (
    Decision,
    NewPetition,
    Petition,
    PetitionQuery,
    PetitionSort,
    PetitionStatus,
    RejectReason,
)
from core.petitions.tables import PetitionRow, PetitionSignatureRow
from core.storage import tallies
from core.storage.statements import _core
from core.storage.tenancy import scoped

campaigns = CampaignRow.__table__
petitions = PetitionRow.__table__
signatures = PetitionSignatureRow.__table__

_PETITION_COLUMNS = [c.label(f"p_{c.name}") for c in petitions.c]
# Core statements (no ORM criteria): every petition read or moved is the hromada's own.
_SELECT = (
    select(campaigns, *_PETITION_COLUMNS)
    .join(petitions, petitions.c.id == campaigns.c.id)
    .where(scoped(campaigns.c.hromada_id))
)
PETITION_IN_SCOPE = scoped(petitions.c.hromada_id)


def _petition(row: Any) -> Petition:
    return Petition(
        campaign=_campaign(row),
        author_id=row.p_author_id,
        addressee=row.p_addressee,
        topic=row.p_topic,
        status=PetitionStatus(row.p_status),
        signatures=row.p_signatures,
        threshold=row.p_threshold,
        submitted_at=row.p_submitted_at,
        moderated_at=row.p_moderated_at,
        reject_reason=RejectReason(row.p_reject_reason) if row.p_reject_reason else None,
        reject_note=row.p_reject_note,
        threshold_reached_at=row.p_threshold_reached_at,
        answer_due_at=row.p_answer_due_at,
        decision=Decision(row.p_decision) if row.p_decision else None,
        answer=row.p_answer,
        answered_at=row.p_answered_at,
    )


class SqlPetitionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _run(self, stmt: Any, params: Any = None) -> Any:
        return await _core(self._session, stmt, params)

    async def _set(
        self, petition_id: int, from_status: PetitionStatus, values: dict[str, Any]
    ) -> bool:
        result = await self._run(
            update(petitions)
            .where(
                petitions.c.id == petition_id,
                PETITION_IN_SCOPE,
                petitions.c.status == from_status.value,
            )
            .values(**values)
        )
        return bool(result.rowcount)

    async def _campaign_to(
        self,
        petition_id: int,
        from_statuses: Sequence[CampaignStatus],
        to_status: CampaignStatus,
        **values: Any,
    ) -> None:
        await self._run(
            update(campaigns)
            .where(
                campaigns.c.id == petition_id,
                scoped(campaigns.c.hromada_id),
                campaigns.c.status.in_([s.value for s in from_statuses]),
            )
            .values(status=to_status.value, **values)
        )

    async def add(self, petition: NewPetition, *, created_by: str, now: datetime) -> Petition:
        row = await add_campaign_row(
            self._session,
            kind=CampaignKind.PETITION,
            title=petition.title,
            description=petition.text,
            status=CampaignStatus.DRAFT,
            opens_at=None,
            closes_at=None,
            visibility=ResultsVisibility.LIVE,
            created_by=created_by,
            now=now,
        )
        # The campaign row goes on through Core statements (approve, answer): the ORM copy
        # must not linger in the session to be read back stale.
        self._session.expunge(row)
        await self._run(
            petitions.insert().values(
                id=row.id,
                author_id=petition.author_id,
                addressee=petition.addressee,
                topic=petition.topic,
                status=PetitionStatus.PENDING.value,
                signatures=0,
                threshold=0,
                submitted_at=now,
                updated_at=now,
            )
        )
        found = await self.get(row.id)
        assert found is not None
        return found

    async def get(self, petition_id: int) -> Petition | None:
        row = (await self._run(_SELECT.where(campaigns.c.id == petition_id))).one_or_none()
        return None if row is None else _petition(row)

    async def search(self, query: PetitionQuery, *, offset: int, limit: int) -> list[Petition]:
        stmt = _SELECT
        if query.statuses:
            stmt = stmt.where(petitions.c.status.in_([s.value for s in query.statuses]))
        if query.topic:
            stmt = stmt.where(petitions.c.topic == query.topic)
        if query.author_id is not None:
            stmt = stmt.where(petitions.c.author_id == query.author_id)
        if query.overdue_at is not None:
            stmt = stmt.where(
                petitions.c.status == PetitionStatus.THRESHOLD_REACHED.value,
                petitions.c.answer_due_at <= query.overdue_at,
            )
        if query.sort == PetitionSort.TOP:
            stmt = stmt.order_by(petitions.c.signatures.desc(), petitions.c.id.desc())
        elif query.overdue_at is not None:
            stmt = stmt.order_by(petitions.c.answer_due_at, petitions.c.id)
        else:
            stmt = stmt.order_by(petitions.c.id.desc())
        rows = await self._run(stmt.offset(offset).limit(limit))
        return [_petition(r) for r in rows]

    async def approve(
        self, petition_id: int, *, threshold: int, closes_at: datetime, now: datetime
    ) -> bool:
        changed = await self._set(
            petition_id,
            PetitionStatus.PENDING,
            {
                "status": PetitionStatus.OPEN.value,
                "threshold": threshold,
                "moderated_at": now,
                "updated_at": now,
            },
        )
        if changed:
            await self._campaign_to(
                petition_id,
                (CampaignStatus.DRAFT,),
                CampaignStatus.OPEN,
                opens_at=now,
                closes_at=closes_at,
                updated_at=now,
            )
        return changed

    async def reject(
        self, petition_id: int, *, reason: RejectReason, note: str | None, now: datetime
    ) -> bool:
        changed = await self._set(
            petition_id,
            PetitionStatus.PENDING,
            {
                "status": PetitionStatus.REJECTED.value,
                "reject_reason": reason.value,
                "reject_note": note,
                "moderated_at": now,
                "updated_at": now,
            },
        )
        if changed:
            await self._campaign_to(
                petition_id, (CampaignStatus.DRAFT,), CampaignStatus.CLOSED, updated_at=now
            )
        return changed

    async def reach_threshold(self, petition_id: int, *, due_at: datetime, now: datetime) -> bool:
        return await self._set(
            petition_id,
            PetitionStatus.OPEN,
            {
                "status": PetitionStatus.THRESHOLD_REACHED.value,
                "threshold_reached_at": now,
                "answer_due_at": due_at,
                "updated_at": now,
            },
        )

    async def answer(
        self, petition_id: int, *, decision: Decision, text: str, now: datetime
    ) -> bool:
        changed = await self._set(
            petition_id,
            PetitionStatus.THRESHOLD_REACHED,
            {
                "status": PetitionStatus.ANSWERED.value,
                "decision": decision.value,
                "answer": text,
                "answered_at": now,
                "updated_at": now,
            },
        )
        if changed:  # the answer ends the signing, if the period had not already
            await self._campaign_to(
                petition_id,
                (CampaignStatus.OPEN,),
                CampaignStatus.CLOSED,
                closes_at=now,
                updated_at=now,
            )
        return changed

    async def expired(self, now: datetime) -> list[int]:
        rows = await self._run(
            select(petitions.c.id)
            .join(campaigns, campaigns.c.id == petitions.c.id)
            .where(
                PETITION_IN_SCOPE,
                petitions.c.status == PetitionStatus.OPEN.value,
                campaigns.c.closes_at <= now,
            )
            .order_by(petitions.c.id)
        )
        return list(rows.scalars())

    async def close_unsuccessful(self, petition_id: int, now: datetime) -> bool:
        changed = await self._set(
            petition_id,
            PetitionStatus.OPEN,
            {"status": PetitionStatus.NOT_ENOUGH_SIGNATURES.value, "updated_at": now},
        )
        if changed:  # the template's close sweep may have closed the campaign already
            await self._campaign_to(
                petition_id, (CampaignStatus.OPEN,), CampaignStatus.CLOSED, updated_at=now
            )
        return changed

    async def add_signature(self, petition_id: int, citizen_id: int, now: datetime) -> int | None:
        return await tallies.add_once(
            self._session,
            signatures,
            {"petition_id": petition_id, "citizen_id": citizen_id, "created_at": now},
            counter=petitions.c.signatures,
            item_id=petition_id,
        )

    async def signed_among(self, citizen_id: int, petition_ids: Sequence[int]) -> set[int]:
        rows = await self._run(
            select(signatures.c.petition_id).where(
                signatures.c.citizen_id == citizen_id,
                signatures.c.petition_id.in_(list(petition_ids)),
            )
        )
        return set(rows.scalars())

    async def signer_ids(self, petition_id: int) -> list[int]:
        rows = await self._run(
            select(signatures.c.citizen_id)
            .where(signatures.c.petition_id == petition_id)
            .order_by(signatures.c.citizen_id)
        )
        return list(rows.scalars())
