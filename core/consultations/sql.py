"""SqlConsultationRepository: questions, responses (drafts until submitted), answers, tallies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.breakdown import Breakdown
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.campaigns.sql import _campaign, add_campaign_row
from core.campaigns.tables import CampaignRow
from core.citizens.sql_groups import voter_group
from core.citizens.tables import CitizenRow
from core.consultations.model import (
    Answer,
    Consultation,
    Question,
    QuestionSpec,
    QuestionType,
    Response,
    SkipRule,
    TextAnswer,
)
from core.consultations.tables import (
    ConsultationAnswerRow,
    ConsultationQuestionRow,
    ConsultationResponseRow,
    ConsultationRow,
)
from core.storage.statements import _core, _dialect, _dialect_name, record
from core.storage.tenancy import scoped

campaigns = CampaignRow.__table__
questions = ConsultationQuestionRow.__table__
responses = ConsultationResponseRow.__table__
answers = ConsultationAnswerRow.__table__

CONSULTATION_WITH_QUESTIONS = (
    select(
        campaigns,
        questions.c.id.label("question_id"),
        questions.c.position.label("question_position"),
        questions.c.key.label("question_key"),
        questions.c.spec.label("question_spec"),
        ConsultationRow.__table__.c.texts_public.label("texts_public"),
    )
    .join(questions, questions.c.campaign_id == campaigns.c.id)
    .join(
        ConsultationRow.__table__,
        ConsultationRow.__table__.c.campaign_id == campaigns.c.id,
    )
    .where(campaigns.c.id == bindparam("campaign_id"), scoped(campaigns.c.hromada_id))
    .order_by(questions.c.position)
)

ANSWERS_OF = select(answers.c.question_id, answers.c.value, answers.c.text).where(
    answers.c.response_id == bindparam("response_id")
)


@cache
def _open_response(dialect: str) -> Any:
    """Insert-or-touch the response; ON CONFLICT DO UPDATE takes the row lock (two taps queue)."""
    stmt = _dialect(dialect).insert(responses)
    return stmt.on_conflict_do_update(
        index_elements=[responses.c.campaign_id, responses.c.citizen_id],
        set_={"updated_at": stmt.excluded.updated_at},
    ).returning(
        responses.c.id,
        responses.c.citizen_id,
        responses.c.current_question_id,
        responses.c.submitted_at,
    )


@cache
def _save_answer(dialect: str) -> Any:
    stmt = _dialect(dialect).insert(answers)
    return stmt.on_conflict_do_update(
        index_elements=[answers.c.response_id, answers.c.question_id],
        set_={
            "value": stmt.excluded.value,
            "text": stmt.excluded.text,
            "answered_at": stmt.excluded.answered_at,
        },
    )


def spec_to_json(spec: QuestionSpec) -> dict[str, Any]:
    return {
        "text": spec.text,
        "type": spec.type.value,
        "options": list(spec.options),
        "max_choices": spec.max_choices,
        "scale": [spec.scale_min, spec.scale_max],
        "labels": [spec.min_label, spec.max_label],
        "max_length": spec.max_length,
        "skip_if": [spec.skip_if.question, spec.skip_if.answer] if spec.skip_if else None,
        "required": spec.required,
    }


def spec_from_json(key: str, data: dict[str, Any]) -> QuestionSpec:
    skip = data.get("skip_if")
    return QuestionSpec(
        key=key,
        text=data["text"],
        type=QuestionType(data["type"]),
        options=tuple(data.get("options") or ()),
        max_choices=int(data.get("max_choices", 1)),
        scale_min=int(data["scale"][0]),
        scale_max=int(data["scale"][1]),
        min_label=data["labels"][0],
        max_label=data["labels"][1],
        max_length=int(data.get("max_length", 1000)),
        skip_if=SkipRule(skip[0], skip[1]) if skip else None,
        required=bool(data.get("required", True)),  # specs written before `required` existed
    )


def _response(row: Any) -> Response:
    return record(Response, row)


class SqlConsultationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        visibility: ResultsVisibility,
        audience: str,
        created_by: str,
        now: datetime,
        questions: Sequence[QuestionSpec],
    ) -> Consultation:
        row = await add_campaign_row(
            self._session,
            kind=CampaignKind.CONSULTATION,
            title=title,
            description=description,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
            visibility=visibility,
            created_by=created_by,
            now=now,
        )
        self._session.add(ConsultationRow(campaign_id=row.id, audience=audience))
        await self._session.flush()
        question_rows = [
            ConsultationQuestionRow(
                campaign_id=row.id, position=i, key=spec.key, spec=spec_to_json(spec)
            )
            for i, spec in enumerate(questions, start=1)
        ]
        self._session.add_all(question_rows)
        await self._session.flush()
        return Consultation(
            campaign=_campaign(row),
            questions=[
                Question(id=q.id, position=q.position, spec=spec)
                for q, spec in zip(question_rows, questions, strict=True)
            ],
        )

    async def get(self, campaign_id: int) -> Consultation | None:
        # One round trip: the campaign and every question, joined.
        rows = (
            await self._session.execute(CONSULTATION_WITH_QUESTIONS, {"campaign_id": campaign_id})
        ).all()
        if not rows:
            return None
        first = rows[0]._mapping
        campaign: Campaign = _campaign(CampaignRow(**{c.name: first[c.name] for c in campaigns.c}))
        return Consultation(
            campaign=campaign,
            questions=[
                Question(
                    id=r.question_id,
                    position=r.question_position,
                    spec=spec_from_json(r.question_key, r.question_spec),
                )
                for r in rows
            ],
            texts_public=bool(first["texts_public"]),
        )

    async def set_texts_public(self, campaign_id: int, public: bool) -> None:
        await self._session.execute(
            update(ConsultationRow)
            .where(ConsultationRow.campaign_id == campaign_id)
            .values(texts_public=public)
        )

    async def open_response(self, campaign_id: int, citizen_id: int, now: datetime) -> Response:
        stmt = _open_response(_dialect_name(self._session))
        params = {
            "campaign_id": campaign_id,
            "citizen_id": citizen_id,
            "started_at": now,
            "updated_at": now,
        }
        return _response((await _core(self._session, stmt, params)).one())

    async def find_response(self, campaign_id: int, citizen_id: int) -> Response | None:
        row = (
            await self._session.execute(
                select(ConsultationResponseRow).where(
                    ConsultationResponseRow.campaign_id == campaign_id,
                    ConsultationResponseRow.citizen_id == citizen_id,
                )
            )
        ).scalar_one_or_none()
        return None if row is None else _response(row)

    async def answers(self, response_id: int) -> dict[int, Answer]:
        result = await _core(self._session, ANSWERS_OF, {"response_id": response_id})
        return {int(r.question_id): Answer(r.value, r.text) for r in result}

    async def save_answer(
        self, response_id: int, campaign_id: int, question_id: int, answer: Answer, now: datetime
    ) -> None:
        await _core(
            self._session,
            _save_answer(_dialect_name(self._session)),
            {
                "response_id": response_id,
                "question_id": question_id,
                "campaign_id": campaign_id,
                "value": answer.value,
                "text": answer.text,
                "answered_at": now,
            },
        )

    async def delete_answers(self, response_id: int, question_ids: Sequence[int]) -> None:
        if question_ids:
            await self._session.execute(
                delete(ConsultationAnswerRow).where(
                    ConsultationAnswerRow.response_id == response_id,
                    ConsultationAnswerRow.question_id.in_(list(question_ids)),
                )
            )

    async def set_current(self, response_id: int, question_id: int | None, now: datetime) -> None:
        await self._session.execute(
            update(ConsultationResponseRow)
            .where(ConsultationResponseRow.id == response_id)
            .values(current_question_id=question_id, updated_at=now)
        )

    async def submit(self, response_id: int, now: datetime) -> bool:
        result = await self._session.execute(
            update(ConsultationResponseRow)
            .where(
                ConsultationResponseRow.id == response_id,
                ConsultationResponseRow.submitted_at.is_(None),
            )
            .values(submitted_at=now, updated_at=now)
        )
        return bool(result.rowcount)

    async def tally(self, campaign_id: int) -> tuple[list[tuple[int, int | None, int]], int]:
        submitted = (responses.c.id == answers.c.response_id) & responses.c.submitted_at.is_not(
            None
        )
        rows = (
            await self._session.execute(
                select(answers.c.question_id, answers.c.value, func.count())
                .join(responses, submitted)
                .where(answers.c.campaign_id == campaign_id)
                .group_by(answers.c.question_id, answers.c.value)
            )
        ).all()
        total = (
            await self._session.execute(
                select(func.count()).where(
                    responses.c.campaign_id == campaign_id, responses.c.submitted_at.is_not(None)
                )
            )
        ).scalar_one()
        return [(int(q), v, int(c)) for q, v, c in rows], int(total)

    async def tally_by(
        self, campaign_id: int, by: Breakdown
    ) -> dict[str | None, tuple[list[tuple[int, int | None, int]], int]]:
        # `tally` per group: submitted responses joined to the respondent's row.
        group = voter_group(by).label("voter_group")
        citizens = CitizenRow.__table__
        submitted = responses.join(citizens, citizens.c.id == responses.c.citizen_id)
        rows = await self._session.execute(
            select(group, answers.c.question_id, answers.c.value, func.count())
            .select_from(answers.join(submitted, responses.c.id == answers.c.response_id))
            .where(answers.c.campaign_id == campaign_id, responses.c.submitted_at.is_not(None))
            .group_by(group, answers.c.question_id, answers.c.value)
        )
        found: dict[str | None, tuple[list[tuple[int, int | None, int]], int]] = {}
        for key, question_id, value, count in rows:
            found.setdefault(key, ([], 0))[0].append((int(question_id), value, int(count)))
        totals = await self._session.execute(
            select(group, func.count())
            .select_from(submitted)
            .where(responses.c.campaign_id == campaign_id, responses.c.submitted_at.is_not(None))
            .group_by(group)
        )
        for key, count in totals:
            found[key] = (found.get(key, ([], 0))[0], int(count))
        return found

    async def texts(
        self, campaign_id: int, *, after: tuple[int, int] = (0, 0), limit: int = 500
    ) -> list[TextAnswer]:
        rows = (
            await self._session.execute(
                select(
                    answers.c.response_id,
                    answers.c.question_id,
                    answers.c.text,
                    ConsultationResponseRow.submitted_at,
                )
                .join(ConsultationResponseRow, ConsultationResponseRow.id == answers.c.response_id)
                .where(
                    answers.c.campaign_id == campaign_id,
                    answers.c.text.is_not(None),
                    # Keyset paging on (response, question): no OFFSET scans on big exports.
                    (answers.c.response_id > after[0])
                    | ((answers.c.response_id == after[0]) & (answers.c.question_id > after[1])),
                    ConsultationResponseRow.submitted_at.is_not(None),
                )
                .order_by(answers.c.response_id, answers.c.question_id)
                .limit(limit)
            )
        ).all()
        return [TextAnswer(r[0], r[1], r[2], r[3]) for r in rows]

    async def closed_unpublished(self) -> list[int]:
        result = await self._session.execute(
            select(ConsultationRow.campaign_id)
            .join(CampaignRow, CampaignRow.id == ConsultationRow.campaign_id)
            .where(
                CampaignRow.status == CampaignStatus.CLOSED.value,
                ConsultationRow.results_published_at.is_(None),
            )
        )
        return list(result.scalars())

    async def mark_published(self, campaign_id: int, now: datetime) -> bool:
        result = await self._session.execute(
            update(ConsultationRow)
            .where(
                ConsultationRow.campaign_id == campaign_id,
                ConsultationRow.results_published_at.is_(None),
            )
            .values(results_published_at=now)
        )
        return bool(result.rowcount)
