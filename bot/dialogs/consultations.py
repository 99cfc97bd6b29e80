"""Consultations in chat: list, one consultation, questions one by one, summary, results.

Answers are saved as they are given, and the current question lives on the resident's
response row, so "Continue" lands exactly where they stopped, after a restart or on another
channel. Dialog state only says which question is on screen (for typed free-text answers).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogs.eligibility import standing
from bot.dialogs.feature import Feature, MenuEntry, Params, own, state_int
from bot.dialogs.nav import back_to_menu_row
from bot.dialogs.turn import Route, Turn, on
from bot.ui import (
    Action,
    Button,
    Id,
    Reply,
    Small,
)
from core.campaigns.model import CampaignKind
from core.consultations import service as consultations
from core.consultations.model import ConsultationResults, QuestionType, mask_indexes
from core.consultations.service import Progress
from core.hromadas.taxonomy import N_
from core.kernel.errors import (
    AlreadySubmittedError,
    CampaignClosedError,
    ValidationError,
)
from core.kernel.i18n import _, format_datetime, format_number, ngettext


@dataclass(frozen=True, slots=True)
class ListConsultations(Action):
    PREFIX = "cons"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class ShowConsultation(Action):
    PREFIX = "con"
    consultation_id: Id


@dataclass(frozen=True, slots=True)
class StartConsultation(Action):
    PREFIX = "cgo"
    consultation_id: Id


@dataclass(frozen=True, slots=True)
class ChooseOption(Action):
    PREFIX = "cch"
    consultation_id: Id
    question_id: Id
    value: Small


CHOOSE = ChooseOption.PREFIX


@dataclass(frozen=True, slots=True)
class NextQuestion(Action):
    PREFIX = "cnx"
    consultation_id: Id
    question_id: Id


@dataclass(frozen=True, slots=True)
class PreviousQuestion(Action):
    PREFIX = "cbk"
    consultation_id: Id
    question_id: Id | None = None


@dataclass(frozen=True, slots=True)
class SubmitAnswers(Action):
    PREFIX = "csub"
    consultation_id: Id


@dataclass(frozen=True, slots=True)
class ShowConsultationResults(Action):
    PREFIX = "cres"
    consultation_id: Id


@dataclass(frozen=True, slots=True)
class ShowCharts(Action):
    PREFIX = "cchart"
    consultation_id: Id


@dataclass(frozen=True, slots=True)
class SkipQuestion(Action):
    PREFIX = "cskp"  # an optional question, left unanswered
    consultation_id: Id
    question_id: Id


@dataclass(frozen=True, slots=True)
class ContinueLater(Action):
    PREFIX = "clt"  # "Continue later": the consultation screen, saying the answers are kept
    consultation_id: Id


SCREEN_PREFIX = "consult"  # dialog_state["screen"] while a free-text answer is awaited
_CHECKED = "✅ "
BAR_WIDTH = 10


async def consultation_list(turn: Turn, _action: ListConsultations | None = None) -> list[Reply]:
    turn.citizen.dialog_state = {"screen": "consultations"}
    found = await consultations.consultations_for_residents(turn.uow, turn.now)
    if not found:
        return [
            Reply(
                _("There are no consultations right now. We will let you know when one opens."),
                buttons=(back_to_menu_row(),),
            )
        ]
    rows = [
        (
            Button(
                ("📋 " if c.is_accepting(turn.now) else "🔒 ") + _short(c.title),
                ShowConsultation(c.id).pack(),
            ),
        )
        for c in found
    ]
    return [
        Reply(
            _("Consultations: the city asks your opinion before deciding. Choose one."),
            buttons=(*rows, back_to_menu_row()),
        )
    ]


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


async def consultation_screen(turn: Turn, action: ShowConsultation) -> list[Reply]:
    consultation_id = action.consultation_id
    return [await render_consultation(turn, consultation_id)]


async def continue_later(turn: Turn, action: ContinueLater) -> list[Reply]:
    consultation_id = action.consultation_id
    notice = _(
        "⏸ Your answers are saved. Come back any time and press “Continue” "
        "to go on from this question."
    )
    return [await render_consultation(turn, consultation_id, notice)]


async def render_consultation(turn: Turn, consultation_id: int, notice: str | None = None) -> Reply:
    progress = await consultations.view(turn.uow, consultation_id, turn.citizen.id)
    campaign = progress.consultation.campaign
    turn.citizen.dialog_state = {"screen": "consultation", "c": consultation_id}
    lines = [notice, ""] if notice else []
    lines.append("📋 " + campaign.title)
    if campaign.description:
        lines.append(campaign.description)
    lines.append("")
    buttons: list[tuple[Button, ...]] = []
    total = len(progress.consultation.visible(progress.answers))
    if progress.submitted:
        lines.append(_("✅ You have taken part. Thank you!"))
    elif campaign.is_accepting(turn.now):
        if progress.total_may_shrink:
            count = ngettext(
                "Up to {n} question: some depend on your answers.",
                "Up to {n} questions: some depend on your answers.",
                total,
            )
        else:
            count = ngettext("{n} question.", "{n} questions.", total)
        lines.append(
            count.format(n=total) + " " + _("You can stop at any time and continue later.")
        )
        if campaign.closes_at:
            lines.append(_("Open until {date}.").format(date=format_datetime(campaign.closes_at)))
        # Who may answer, explained, with what fixes it instead of "Start".
        rule = standing(turn.citizen, campaign, turn.now)
        lines += rule.lines
        if rule.eligible:
            label = _("▶️ Continue") if progress.response else _("▶️ Start")
            buttons.append((Button(label, StartConsultation(consultation_id).pack()),))
        buttons += rule.rows
    elif campaign.is_effectively_closed(turn.now):
        lines.append(_("This consultation is closed."))
    elif campaign.opens_at:
        lines.append(_("Opens on {date}.").format(date=format_datetime(campaign.opens_at)))
    if campaign.results_visible_to_residents(turn.now):
        buttons.append((Button(_("📈 Results"), ShowConsultationResults(consultation_id).pack()),))
    buttons.append((Button(_("« All consultations"), ListConsultations().pack()),))
    return Reply("\n".join(lines), buttons=tuple(buttons))


async def start(turn: Turn, action: StartConsultation) -> list[Reply]:
    consultation_id = action.consultation_id
    progress = await consultations.resume(turn.uow, consultation_id, turn.citizen.id, turn.now)
    return [render(turn, progress)]


async def _move(
    turn: Turn,
    step: Callable[..., Awaitable[Progress]],
    action: ChooseOption | NextQuestion | SkipQuestion | PreviousQuestion,
    **answer: int,
) -> list[Reply]:
    """One step through the questions (answer, next, skip, back), then the screen it leads to."""
    progress = await step(
        turn.uow,
        consultation_id=action.consultation_id,
        citizen_id=turn.citizen.id,
        question_id=action.question_id,
        now=turn.now,
        **answer,
    )
    return [render(turn, progress)]


async def choose(turn: Turn, action: ChooseOption) -> list[Reply]:
    return await _move(turn, consultations.choose_option, action, value=action.value)


async def next_question(turn: Turn, action: NextQuestion) -> list[Reply]:
    return await _move(turn, consultations.next_question, action)


async def skip(turn: Turn, action: SkipQuestion) -> list[Reply]:
    return await _move(turn, consultations.skip_question, action)


async def back(turn: Turn, action: PreviousQuestion) -> list[Reply]:
    return await _move(turn, consultations.go_back, action)


async def typed_answer(turn: Turn) -> list[Reply]:
    """Text (or a photo, where text was asked) while a question is on screen."""
    state = turn.citizen.dialog_state
    consultation_id, question_id = int(state.get("c", 0)), int(state.get("q", 0))
    progress = await consultations.resume(turn.uow, consultation_id, turn.citizen.id, turn.now)
    question = progress.current
    if question is None or question.id != question_id or question.type != QuestionType.TEXT:
        reply = Reply(_("Please answer with the buttons under the question."))
        return [reply, render(turn, progress)]
    if turn.incoming.text is None:
        reply = Reply(_("Please type your answer as text."))
        return [reply, render(turn, progress)]
    progress = await consultations.answer_text(
        turn.uow,
        consultation_id=consultation_id,
        citizen_id=turn.citizen.id,
        question_id=question_id,
        text=turn.incoming.text,
        now=turn.now,
    )
    return [render(turn, progress)]


async def submit(turn: Turn, action: SubmitAnswers) -> list[Reply]:
    consultation_id = action.consultation_id
    await consultations.submit(
        turn.uow, consultation_id=consultation_id, citizen_id=turn.citizen.id, now=turn.now
    )
    turn.citizen.dialog_state = {"screen": "consultation", "c": consultation_id}
    return [
        Reply(
            _(
                "✅ Thank you! Your answers are submitted. "
                "We will send you the results when the consultation closes."
            ),
            buttons=(
                (Button(_("« All consultations"), ListConsultations().pack()),),
                back_to_menu_row(),
            ),
        )
    ]


def render(turn: Turn, progress: Progress) -> Reply:
    """The current question, or the summary when every question is answered."""
    consultation = progress.consultation
    cid = consultation.id
    question = progress.current
    if question is None:
        turn.citizen.dialog_state = {"screen": "consultation", "c": cid}
        return _summary(progress)
    turn.citizen.dialog_state = {"screen": f"{SCREEN_PREFIX}:q", "c": cid, "q": question.id}
    answer = progress.answers.get(question.id)
    lines = [f"📋 {consultation.campaign.title}", _counter(progress), "", question.text]
    rows: list[tuple[Button, ...]] = []
    match question.type:
        case QuestionType.SINGLE:
            lines.append(_("Choose one answer."))
            rows = [
                (
                    Button(
                        (_CHECKED if answer and answer.value == v else "") + label,
                        ChooseOption(cid, question.id, v).pack(),
                    ),
                )
                for v, label in question.choices()
            ]
        case QuestionType.MULTIPLE:
            n = question.spec.max_choices
            lines.append(
                ngettext(
                    "Choose up to {n} answer, then press Next.",
                    "Choose up to {n} answers, then press Next.",
                    n,
                ).format(n=n)
            )
            chosen = set(mask_indexes(answer.value)) if answer and answer.value else set()
            rows = [
                (
                    Button(
                        (_CHECKED if v in chosen else "") + label,
                        ChooseOption(cid, question.id, v).pack(),
                    ),
                )
                for v, label in question.choices()
            ]
            if chosen:
                rows.append((Button(_("Next »"), NextQuestion(cid, question.id).pack()),))
        case QuestionType.SCALE:
            spec = question.spec
            lines.append(
                _("Rate from {low} to {high}.").format(low=spec.scale_min, high=spec.scale_max)
            )
            if spec.min_label or spec.max_label:
                lines.append(
                    f"{spec.scale_min} — {spec.min_label} · {spec.scale_max} — {spec.max_label}"
                )
            row_size = 6 if spec.scale_max - spec.scale_min >= 6 else 5
            buttons = [
                Button(
                    (_CHECKED if answer and answer.value == v else "") + label,
                    ChooseOption(cid, question.id, v).pack(),
                )
                for v, label in question.choices()
            ]
            rows = [tuple(buttons[i : i + row_size]) for i in range(0, len(buttons), row_size)]
        case QuestionType.TEXT:
            lines.append(
                _("Type your answer and send it (up to {n} characters).").format(
                    n=question.spec.max_length
                )
            )
            if consultation.texts_public:
                lines.append(
                    _("Answers to this question are published as open data, without names.")
                )
            if answer and answer.text:
                lines.append(_("Your answer: {text}").format(text=answer.text))
                rows.append((Button(_("Next »"), NextQuestion(cid, question.id).pack()),))
    if not question.spec.required:
        lines.append(_("This question is optional."))
        if answer is None or answer.is_empty:
            rows.append((Button(_("Skip »"), SkipQuestion(cid, question.id).pack()),))
    nav = []
    if progress.position[0] > 1:
        nav.append(Button(_("« Back"), PreviousQuestion(cid, question.id).pack()))
    nav.append(Button(_("⏸ Continue later"), ContinueLater(cid).pack()))
    rows.append(tuple(nav))
    return Reply("\n".join(lines), buttons=tuple(rows))


def _counter(progress: Progress) -> str:
    """ "Question 2 of 4", or "of up to 5" while an answer still to come may skip some."""
    number, total = progress.position
    if progress.total_may_shrink:
        return _("Question {n} of up to {total}").format(n=number, total=total)
    return _("Question {n} of {total}").format(n=number, total=total)


def _summary(progress: Progress) -> Reply:
    consultation = progress.consultation
    cid = consultation.id
    lines = [f"📋 {consultation.campaign.title}", _("Please check your answers:"), ""]
    for number, question in enumerate(consultation.visible(progress.answers), start=1):
        answer = progress.answers.get(question.id)
        given = ", ".join(question.labels_of(answer)) if answer else "—"
        lines.append(f"{number}. {question.text}\n   → {given}")
    lines += ["", _("After you submit, the answers cannot be changed.")]
    return Reply(
        "\n".join(lines),
        buttons=(
            (Button(_("✅ Submit"), SubmitAnswers(cid).pack()),),
            (Button(_("« Back"), PreviousQuestion(cid).pack()),),
            (Button(_("⏸ Continue later"), ContinueLater(cid).pack()),),
        ),
    )


async def results_screen(turn: Turn, action: ShowConsultationResults) -> list[Reply]:
    consultation_id = action.consultation_id
    outcome = await consultations.results(turn.uow, consultation_id, now=turn.now)
    return [
        Reply(
            render_results(outcome),
            buttons=(
                (Button(_("🖼 Charts"), ShowCharts(consultation_id).pack()),),
                (Button(_("« Back"), ShowConsultation(consultation_id).pack()),),
            ),
        )
    ]


async def charts_screen(turn: Turn, action: ShowCharts) -> list[Reply]:
    """The same PNG charts officials export, one image per question with choices."""
    from core.consultations.charts import consultation_charts

    consultation_id = action.consultation_id
    outcome = await consultations.results(turn.uow, consultation_id, now=turn.now)
    images = consultation_charts(outcome)
    replies = [Reply(f"{position}/{len(outcome.questions)}", image=png) for position, png in images]
    back_row = (Button(_("« Back"), ShowConsultation(consultation_id).pack()),)
    return [*replies, Reply(_("These are all the charts."), buttons=(back_row,))]


def render_results(outcome: ConsultationResults) -> str:
    lines = [
        _("📈 Results: {title}").format(title=outcome.title),
        ngettext("{n} resident took part.", "{n} residents took part.", outcome.submissions).format(
            n=format_number(outcome.submissions)
        ),
    ]
    for row in outcome.questions:
        lines += ["", f"{row.question.position}. {row.question.text}"]
        if row.question.type == QuestionType.TEXT:
            lines.append(
                ngettext("{n} written answer.", "{n} written answers.", row.respondents).format(
                    n=format_number(row.respondents)
                )
            )
            continue
        for choice in row.choices:
            filled = round(BAR_WIDTH * choice.percent / 100)
            lines.append(
                f"{choice.label}: {'▓' * filled}{'░' * (BAR_WIDTH - filled)} "
                f"{format_number(choice.count)} ({format_number(choice.percent)}%)"
            )
        if row.average is not None:
            lines.append(_("Average: {value}").format(value=format_number(row.average)))
    return "\n".join(lines)


ROUTES: tuple[Route, ...] = (
    on(ListConsultations, consultation_list),
    on(ShowConsultation, consultation_screen),
    on(StartConsultation, start),
    on(ChooseOption, choose),
    on(NextQuestion, next_question),
    on(PreviousQuestion, back),
    on(SubmitAnswers, submit),
    on(ShowConsultationResults, results_screen),
    on(ShowCharts, charts_screen),
    on(SkipQuestion, skip),
    on(ContinueLater, continue_later),
)


def _way_back(screen: str, state: Mapping[str, Any]) -> tuple[Button | None, Button | None] | None:
    consultation_id = state_int(state, "c")
    this = Button(_("« Back to the consultation"), ShowConsultation(consultation_id).pack())
    every = Button(_("« All consultations"), ListConsultations().pack())
    if screen.startswith(SCREEN_PREFIX + ":"):
        # "Start" resumes on the question the resident is on (it lives on their response row).
        question = Button(_("« Back to the question"), StartConsultation(consultation_id).pack())
        return question, this
    match screen:
        case "consultations":
            return None, every
        case "consultation":
            return this, every
    return None


def _use_buttons(p: Params) -> str:
    return _("Please answer with the buttons, or type text where the question asks.")


FEATURE = Feature(
    routes=ROUTES,
    commands={"consultations": consultation_list},
    input_screens={SCREEN_PREFIX: typed_answer},
    menu=(
        MenuEntry(
            N_("📋 Consultations"),
            ListConsultations(),
            N_(
                "answer the city's questions before it decides; stop at any time and "
                "continue later."
            ),
            2,
        ),
    ),
    kind=CampaignKind.CONSULTATION,
    opener=lambda turn, cid: consultation_screen(turn, ShowConsultation(cid)),
    results=lambda turn, cid: results_screen(turn, ShowConsultationResults(cid)),
    error_texts={
        own(AlreadySubmittedError): lambda p: _(
            "You have already submitted your answers to this consultation. Thank you!"
        ),
        (ValidationError, "answer_required"): lambda p: _("Please answer this question first."),
        (ValidationError, "answer_too_long"): lambda p: _(
            "Your answer is too long: {length} characters, at most {max}."
        ).format(length=p.get("length"), max=p.get("max")),
        (ValidationError, "answer_empty"): _use_buttons,
        (ValidationError, "buttons_expected"): _use_buttons,
    },
    kind_texts={
        CampaignClosedError: lambda p: _(
            "This consultation is closed; answers are no longer accepted."
        ),
    },
    officials_only=tuple(
        (ValidationError, reason)
        for reason in (
            "duplicate_key",
            "no_questions",
            "skip_on_text",
            "skip_unknown_answer",
            "skip_unknown_question",
            "too_many_questions",
        )
    ),
    way_back=_way_back,
    in_progress=(SCREEN_PREFIX + ":",),
)
