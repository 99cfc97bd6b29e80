"""Consultations: create from a plan, answer question by question, resume, submit once, results.

Every answer is written as it is given; where the resident is (the current question) is kept on
their response row, so they resume on the same question after a restart or from another channel.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from core.audit import service as audit
from core.campaigns import template
from core.campaigns.breakdown import Breakdown, ResultsBreakdown, assemble
from core.campaigns.model import (
    EDITABLE_FROM,
    Campaign,
    CampaignKind,
    initial_status,
    validate_window,
)
from core.consultations import announcements
from core.consultations.model import (
    Answer,
    Consultation,
    ConsultationResults,
    Question,
    QuestionType,
    Response,
    TextAnswer,
    choose,
    compute_results,
    typed,
)
from core.consultations.plan import ConsultationPlan
from core.consultations.ports import CONSULTATIONS
from core.kernel.errors import (
    AlreadySubmittedError,
    CampaignClosedError,
    CampaignNotOpenError,
    InvalidTransitionError,
    ValidationError,
)
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a resident stands: the question to show next, or None for the summary."""

    consultation: Consultation
    response: Response | None
    answers: dict[int, Answer]
    current: Question | None

    @property
    def submitted(self) -> bool:
        return self.response is not None and self.response.submitted

    @property
    def position(self) -> tuple[int, int]:
        visible = self.consultation.visible(self.answers)
        if self.current is None:
            return len(visible), len(visible)
        return self.consultation.progress(self.current.id, self.answers)

    @property
    def total_may_shrink(self) -> bool:
        """The count of questions is "up to": an answer still to come may skip some."""
        return self.consultation.may_shrink(self.answers)


async def create_consultation(
    uow: UnitOfWork, plan: ConsultationPlan, *, actor: str, now: datetime
) -> Consultation:
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    validate_window(plan.opens_at, plan.closes_at, now=now)
    consultation = await uow.repository(CONSULTATIONS).add(
        title=plan.title,
        description=plan.description,
        status=initial_status(plan.opens_at),
        opens_at=plan.opens_at,
        closes_at=plan.closes_at,
        visibility=plan.visibility,
        audience=plan.audience,
        created_by=actor,
        now=now,
        questions=plan.questions,
    )
    consultation.campaign = await template.set_file_delivery(
        uow,
        consultation.campaign,
        audience=plan.audience,
        reminders=plan.reminders,
        send_results=plan.send_results,
    )
    consultation.campaign = await template.set_receipts(uow, consultation.campaign, plan.receipts)
    consultation.campaign = await template.set_eligibility(
        uow, consultation.campaign, plan.eligibility
    )
    await audit.record(
        uow,
        actor=actor,
        action="consultation.create",
        object_type="campaign",
        object_id=consultation.id,
        now=now,
        after={
            "title": plan.title,
            "questions": [q.key for q in plan.questions],
            "opens_at": plan.opens_at.isoformat() if plan.opens_at else None,
            "closes_at": plan.closes_at.isoformat(),
            "audience": plan.audience,
            "status": consultation.campaign.status.value,
            "reminders": plan.reminders,
            "send_results": plan.send_results,
            "eligible": plan.eligibility.as_list(),
        },
    )
    return consultation


async def set_texts_public(
    uow: UnitOfWork, consultation_id: int, public: bool, *, actor: str, now: datetime
) -> Consultation:
    """Publish free-text answers in the open data, or not. Only before it opens: residents
    answer knowing whether their words will be public."""
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    consultation = await get_consultation(uow, consultation_id)
    if consultation.campaign.status not in EDITABLE_FROM:
        raise InvalidTransitionError(
            "not_editable", campaign_id=consultation_id, status=consultation.campaign.status
        )
    await uow.repository(CONSULTATIONS).set_texts_public(consultation_id, public)
    await audit.record(
        uow,
        actor=actor,
        action="consultation.texts_public",
        object_type="campaign",
        object_id=consultation_id,
        now=now,
        before={"texts_public": consultation.texts_public},
        after={"texts_public": public},
    )
    consultation.texts_public = public
    return consultation


async def get_consultation(uow: UnitOfWork, consultation_id: int) -> Consultation:
    return template.found(await uow.repository(CONSULTATIONS).get(consultation_id), consultation_id)


async def consultations_for_residents(uow: UnitOfWork, now: datetime) -> list[Campaign]:
    """Open consultations still accepting answers, then a few recently closed ones."""
    return await template.for_residents(uow, CampaignKind.CONSULTATION, now)


async def view(uow: UnitOfWork, consultation_id: int, citizen_id: int) -> Progress:
    """Read-only: the resident's progress, without starting a response."""
    consultation = await get_consultation(uow, consultation_id)
    response = await uow.repository(CONSULTATIONS).find_response(consultation_id, citizen_id)
    answers = await uow.repository(CONSULTATIONS).answers(response.id) if response else {}
    return _progress(consultation, response, answers)


def _progress(
    consultation: Consultation, response: Response | None, answers: dict[int, Answer]
) -> Progress:
    visible_ids = {q.id for q in consultation.visible(answers)}
    if response is not None and response.current_question_id in visible_ids:
        current = consultation.question(response.current_question_id)  # type: ignore[arg-type]
    elif not answers:  # not started: the first question, even an optional one
        current = consultation.first(answers)
    else:  # at the summary, or on a question their answers now skip
        current = consultation.next_unanswered(answers)
    return Progress(consultation, response, answers, current)


async def _draft(
    uow: UnitOfWork, consultation_id: int, citizen_id: int, now: datetime
) -> tuple[Consultation, Response, dict[int, Answer]]:
    """The open consultation and the citizen's locked, unsubmitted response with its answers."""
    consultation = await get_consultation(uow, consultation_id)
    try:
        consultation.campaign.ensure_accepting(now)
    except (CampaignClosedError, CampaignNotOpenError) as error:
        error.params["kind"] = CampaignKind.CONSULTATION.value  # so the words fit
        raise
    await template.ensure_eligible(uow, consultation.campaign, citizen_id)
    response = await uow.repository(CONSULTATIONS).open_response(consultation_id, citizen_id, now)
    if response.submitted:
        raise AlreadySubmittedError(consultation_id=consultation_id)
    return consultation, response, await uow.repository(CONSULTATIONS).answers(response.id)


async def resume(uow: UnitOfWork, consultation_id: int, citizen_id: int, now: datetime) -> Progress:
    """Start, or continue exactly where the resident left off."""
    consultation, response, answers = await _draft(uow, consultation_id, citizen_id, now)
    progress = _progress(consultation, response, answers)
    current_id = progress.current.id if progress.current else None
    if response.current_question_id != current_id:
        await uow.repository(CONSULTATIONS).set_current(response.id, current_id, now)
    return progress


async def _move(
    uow: UnitOfWork,
    consultation: Consultation,
    response: Response,
    answers: dict[int, Answer],
    target: Question | None,
    now: datetime,
) -> Progress:
    # current_question_id None (with every question answered) means "at the summary".
    await uow.repository(CONSULTATIONS).set_current(response.id, target.id if target else None, now)
    moved = Response(response.id, response.citizen_id, target.id if target else None, None)
    return Progress(consultation, moved, answers, target)


async def _store(
    uow: UnitOfWork,
    consultation: Consultation,
    response: Response,
    answers: dict[int, Answer],
    question: Question,
    answer: Answer,
    now: datetime,
) -> dict[int, Answer]:
    if answer.is_empty:
        await uow.repository(CONSULTATIONS).delete_answers(response.id, [question.id])
        return {k: v for k, v in answers.items() if k != question.id}
    await uow.repository(CONSULTATIONS).save_answer(
        response.id, consultation.id, question.id, answer, now
    )
    return {**answers, question.id: answer}


async def choose_option(
    uow: UnitOfWork,
    *,
    consultation_id: int,
    citizen_id: int,
    question_id: int,
    value: int,
    now: datetime,
) -> Progress:
    """A tap on an option or a scale number. Single choice and scale move on; multiple stays."""
    consultation, response, answers = await _draft(uow, consultation_id, citizen_id, now)
    question = consultation.question(question_id)
    answers = await _store(
        uow,
        consultation,
        response,
        answers,
        question,
        choose(question, answers.get(question_id), value),
        now,
    )
    if question.type == QuestionType.MULTIPLE:
        return await _move(uow, consultation, response, answers, question, now)
    target = _next_after(consultation, question, answers)
    return await _move(uow, consultation, response, answers, target, now)


async def answer_text(
    uow: UnitOfWork,
    *,
    consultation_id: int,
    citizen_id: int,
    question_id: int,
    text: str,
    now: datetime,
) -> Progress:
    consultation, response, answers = await _draft(uow, consultation_id, citizen_id, now)
    question = consultation.question(question_id)
    answers = await _store(
        uow, consultation, response, answers, question, typed(question, text), now
    )
    target = _next_after(consultation, question, answers)
    return await _move(uow, consultation, response, answers, target, now)


async def next_question(
    uow: UnitOfWork, *, consultation_id: int, citizen_id: int, question_id: int, now: datetime
) -> Progress:
    """ "Next" after a multiple-choice question (or a text already answered)."""
    consultation, response, answers = await _draft(uow, consultation_id, citizen_id, now)
    question = consultation.question(question_id)
    current = answers.get(question_id)
    if current is None or current.is_empty:
        raise ValidationError("answer_required", question_id=question_id)
    target = _next_after(consultation, question, answers)
    return await _move(uow, consultation, response, answers, target, now)


async def skip_question(
    uow: UnitOfWork, *, consultation_id: int, citizen_id: int, question_id: int, now: datetime
) -> Progress:
    """ "Skip" on an optional question: no answer to it, on to the next one."""
    consultation, response, answers = await _draft(uow, consultation_id, citizen_id, now)
    question = consultation.question(question_id)
    if question.spec.required:
        raise ValidationError("answer_required", question_id=question_id)
    answers = await _store(uow, consultation, response, answers, question, Answer(), now)
    target = _next_after(consultation, question, answers)
    return await _move(uow, consultation, response, answers, target, now)


def _next_after(
    consultation: Consultation, question: Question, answers: dict[int, Answer]
) -> Question | None:
    """The next question to show: the following one, or a skipped-over unanswered one."""
    following = consultation.after(question.id, answers)
    if following is not None:
        return following
    return consultation.next_unanswered(answers)


async def go_back(
    uow: UnitOfWork,
    *,
    consultation_id: int,
    citizen_id: int,
    question_id: int | None,
    now: datetime,
) -> Progress:
    """Back to the previous question; from the summary (question_id None) to the last one."""
    consultation, response, answers = await _draft(uow, consultation_id, citizen_id, now)
    visible = consultation.visible(answers)
    if question_id is None:
        target = visible[-1] if visible else None
    else:
        target = consultation.before(question_id, answers) or consultation.question(question_id)
    return await _move(uow, consultation, response, answers, target, now)


async def submit(
    uow: UnitOfWork, *, consultation_id: int, citizen_id: int, now: datetime
) -> Progress:
    """Final and once: answers to questions the resident's choices skipped are dropped."""
    consultation, response, answers = await _draft(uow, consultation_id, citizen_id, now)
    missing = consultation.next_unanswered(answers)
    if missing is not None:
        raise ValidationError("answer_required", question_id=missing.id)
    visible = {q.id for q in consultation.visible(answers)}
    skipped = [qid for qid in answers if qid not in visible]
    await uow.repository(CONSULTATIONS).delete_answers(response.id, skipped)
    if not await uow.repository(CONSULTATIONS).submit(response.id, now):
        raise AlreadySubmittedError(consultation_id=consultation_id)
    kept = {k: v for k, v in answers.items() if k in visible}
    done = Response(response.id, citizen_id, None, now)
    return Progress(consultation, done, kept, None)


async def results(
    uow: UnitOfWork, consultation_id: int, *, now: datetime, for_official: bool = False
) -> ConsultationResults:
    consultation = await get_consultation(uow, consultation_id)
    template.ensure_results_visible(consultation.campaign, now=now, for_official=for_official)
    rows, submissions = await uow.repository(CONSULTATIONS).tally(consultation_id)
    return compute_results(consultation, rows, submissions)


async def results_by(
    uow: UnitOfWork, consultation_id: int, by: Breakdown
) -> ResultsBreakdown[ConsultationResults]:
    """The answers from each group of respondents (as officials see them, at any time)."""
    consultation = await get_consultation(uow, consultation_id)
    tallies = await uow.repository(CONSULTATIONS).tally_by(consultation_id, by)
    rows, submissions = await uow.repository(CONSULTATIONS).tally(consultation_id)
    return assemble(
        by,
        compute_results(consultation, rows, submissions),
        tallies,
        ([], 0),
        lambda tally: compute_results(consultation, *tally),
        lambda tally: tally[1],
    )


async def submission_count(uow: UnitOfWork, consultation_id: int) -> int:
    """How many responses were submitted."""
    _rows, submissions = await uow.repository(CONSULTATIONS).tally(consultation_id)
    return submissions


async def export_texts(
    uow: UnitOfWork, consultation_id: int, *, batch: int = 500
) -> AsyncIterator[TextAnswer]:
    """Every submitted free-text answer, streamed in batches (for officials' exports)."""
    await get_consultation(uow, consultation_id)
    after = (0, 0)
    while True:
        rows = await uow.repository(CONSULTATIONS).texts(consultation_id, after=after, limit=batch)
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = (rows[-1].response_id, rows[-1].question_id)


async def publish_due(uow: UnitOfWork, now: datetime) -> list[int]:
    """Scheduler sweep: announce the results of newly closed consultations, once each."""
    published = []
    for consultation_id in await uow.repository(CONSULTATIONS).closed_unpublished():
        if await uow.repository(CONSULTATIONS).mark_published(consultation_id, now):
            published.append(consultation_id)
            campaign = await uow.campaigns.get(consultation_id)
            if campaign is not None and campaign.send_results:  # the file's `send_results`
                outcome = await results(uow, consultation_id, now=now, for_official=True)
                by_district = await results_by(uow, consultation_id, Breakdown.DISTRICT)
                await announcements.consultation_results(uow, outcome, by_district, now)
    return published
