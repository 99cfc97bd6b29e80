"""SQL side of the open-data export: counted ballots and submitted answers, with the voter's
district and verification (never their id, which the service pseudonymises)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.tables import CampaignRow
from core.citizens.tables import CitizenRow
from core.consultations.tables import (
    ConsultationAnswerRow,
    ConsultationResponseRow,
    ConsultationRow,
)
from core.contests.tables import ContestParticipantRow, ContestVoteRow
from core.polls.tables import BallotChoiceRow, BallotRow
from core.trust.ports import AnswerRecord, BallotRecord


class SqlOpenDataRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def poll_ballots(self, campaign_id: int) -> list[BallotRecord]:
        choices: dict[int, list[int]] = {}
        for ballot_id, option_id in await self._session.execute(
            select(BallotChoiceRow.ballot_id, BallotChoiceRow.option_id).where(
                BallotChoiceRow.campaign_id == campaign_id
            )
        ):
            choices.setdefault(int(ballot_id), []).append(int(option_id))
        rows = await self._session.execute(
            select(
                BallotRow.id,
                BallotRow.updated_at,
                BallotRow.receipt,
                CitizenRow.home_district,
                CitizenRow.verified_at,
            )
            .join(CitizenRow, CitizenRow.id == BallotRow.citizen_id)
            .where(BallotRow.campaign_id == campaign_id)
            .order_by(BallotRow.id)
        )
        return [
            BallotRecord(
                key=int(r.id),
                choices=tuple(sorted(choices[int(r.id)])),
                district=r.home_district,
                verified=r.verified_at is not None,
                cast_at=r.updated_at,
                receipt=r.receipt,
            )
            for r in rows
            if int(r.id) in choices
        ]

    async def contest_ballots(self, campaign_id: int) -> list[BallotRecord]:
        votes: dict[int, list[int]] = {}
        last: dict[int, object] = {}
        for citizen_id, entry_id, at in await self._session.execute(
            select(
                ContestVoteRow.citizen_id, ContestVoteRow.entry_id, ContestVoteRow.created_at
            ).where(ContestVoteRow.contest_id == campaign_id)
        ):
            votes.setdefault(int(citizen_id), []).append(int(entry_id))
            last[int(citizen_id)] = max(at, last.get(int(citizen_id), at))  # type: ignore[type-var]
        if not votes:
            return []
        rows = await self._session.execute(
            select(
                CitizenRow.id,
                CitizenRow.home_district,
                CitizenRow.verified_at,
                ContestParticipantRow.receipt,
            )
            .outerjoin(
                ContestParticipantRow,
                (ContestParticipantRow.citizen_id == CitizenRow.id)
                & (ContestParticipantRow.contest_id == campaign_id),
            )
            .where(CitizenRow.id.in_(sorted(votes)))
            .order_by(CitizenRow.id)
        )
        return [
            BallotRecord(
                key=int(r.id),
                choices=tuple(sorted(votes[int(r.id)])),
                district=r.home_district,
                verified=r.verified_at is not None,
                cast_at=last[int(r.id)],  # type: ignore[arg-type]
                receipt=r.receipt,
            )
            for r in rows
        ]

    async def consultation_answers(self, campaign_id: int) -> list[AnswerRecord]:
        rows = await self._session.execute(
            select(
                ConsultationResponseRow.id,
                ConsultationResponseRow.submitted_at,
                ConsultationAnswerRow.question_id,
                ConsultationAnswerRow.value,
                ConsultationAnswerRow.text,
                CitizenRow.home_district,
                CitizenRow.verified_at,
            )
            .join(
                ConsultationAnswerRow,
                ConsultationAnswerRow.response_id == ConsultationResponseRow.id,
            )
            .join(CitizenRow, CitizenRow.id == ConsultationResponseRow.citizen_id)
            .where(
                ConsultationResponseRow.campaign_id == campaign_id,
                ConsultationResponseRow.submitted_at.is_not(None),
            )
            .order_by(ConsultationResponseRow.id, ConsultationAnswerRow.question_id)
        )
        return [
            AnswerRecord(
                response_key=int(r.id),
                question_id=int(r.question_id),
                value=r.value,
                text=r.text,
                district=r.home_district,
                verified=r.verified_at is not None,
                submitted_at=r.submitted_at,
            )
            for r in rows
        ]

    async def texts_public(self, campaign_id: int) -> bool:
        found = (
            await self._session.execute(
                select(ConsultationRow.texts_public).where(
                    ConsultationRow.campaign_id == campaign_id
                )
            )
        ).scalar_one_or_none()
        return bool(found)

    async def campaign_ids(self) -> list[int]:
        rows = await self._session.execute(select(CampaignRow.id).order_by(CampaignRow.id))
        return [int(i) for i in rows.scalars()]
