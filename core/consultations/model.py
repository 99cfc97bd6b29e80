"""Consultations: ordered questions a resident answers one by one, then submits once.

An answer is stored as given, in two plain columns so results are one GROUP BY:
`value` holds the option index (single choice), the bitmask of option indexes (multiple
choice) or the number (scale); `text` holds a free-text answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.campaigns.model import Campaign
from core.kernel.errors import TooManyChoicesError, UnknownOptionError, ValidationError

QUESTIONS_MAX = 50
QUESTION_TEXT_MAX = 500
OPTION_MAX = 100
OPTIONS_MAX = 20  # a multiple-choice answer is a bitmask of option indexes
TEXT_MAX = 4000
SCALES = ((1, 5), (0, 10))


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class SkipRule:
    """Skip this question when the answer to question `question` (its key) was `answer`."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """A question as an official describes it, before it has an id."""

    key: str
    text: str
    type: QuestionType
    options: tuple[str, ...] = ()
    max_choices: int = 1
    scale_min: int = 1
    scale_max: int = 5
    min_label: str = ""
    max_label: str = ""
    max_length: int = 1000
    skip_if: SkipRule | None = None
    required: bool = True  # an optional question has a Skip button; submit does not wait for it


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    position: int
    spec: QuestionSpec

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def type(self) -> QuestionType:
        return self.spec.type

    @property
    def text(self) -> str:
        return self.spec.text

    def choices(self) -> list[tuple[int, str]]:
        """(value, label) for each button: option indexes, or the numbers of the scale."""
        if self.type == QuestionType.SCALE:
            return [(n, str(n)) for n in range(self.spec.scale_min, self.spec.scale_max + 1)]
        return list(enumerate(self.spec.options))

    def check_choice(self, value: int) -> None:
        if value not in {v for v, _label in self.choices()}:
            raise UnknownOptionError(option_id=value)

    def labels_of(self, answer: Answer) -> list[str]:
        """The answer as words: chosen option labels, the scale number, or the text."""
        if self.type == QuestionType.TEXT:
            return [answer.text or ""]
        if answer.value is None:
            return []
        if self.type == QuestionType.SCALE:
            return [str(answer.value)]
        if self.type == QuestionType.MULTIPLE:
            return [self.spec.options[i] for i in mask_indexes(answer.value)]
        return [self.spec.options[answer.value]]


@dataclass(frozen=True, slots=True)
class Answer:
    value: int | None = None
    text: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.value is None and not self.text


def mask_indexes(mask: int) -> list[int]:
    return [i for i in range(OPTIONS_MAX) if mask & (1 << i)]


@dataclass(slots=True)
class Consultation:
    campaign: Campaign
    questions: list[Question]
    # Free-text answers go into the open data (residents are told on each text question).
    texts_public: bool = False

    @property
    def id(self) -> int:
        return self.campaign.id

    def question(self, question_id: int) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise UnknownOptionError(question_id=question_id)

    def visible(self, answers: Mapping[int, Answer]) -> list[Question]:
        """The questions this resident is asked, given their answers so far (skips applied)."""
        by_key = {q.key: q for q in self.questions}
        shown: list[Question] = []
        for q in self.questions:
            rule = q.spec.skip_if
            if rule is not None:
                source = by_key[rule.question]
                answer = answers.get(source.id)
                if (
                    source in shown
                    and answer is not None
                    and rule.answer in source.labels_of(answer)
                ):
                    continue
            shown.append(q)
        return shown

    def first(self, answers: Mapping[int, Answer]) -> Question | None:
        visible = self.visible(answers)
        return visible[0] if visible else None

    def next_unanswered(self, answers: Mapping[int, Answer]) -> Question | None:
        """The first question still waiting for an answer; a skipped optional one never is."""
        for q in self.visible(answers):
            answer = answers.get(q.id)
            if q.spec.required and (answer is None or answer.is_empty):
                return q
        return None

    def after(self, question_id: int, answers: Mapping[int, Answer]) -> Question | None:
        visible = self.visible(answers)
        ids = [q.id for q in visible]
        if question_id not in ids:
            return self.next_unanswered(answers)
        index = ids.index(question_id)
        return visible[index + 1] if index + 1 < len(visible) else None

    def before(self, question_id: int, answers: Mapping[int, Answer]) -> Question | None:
        visible = self.visible(answers)
        ids = [q.id for q in visible]
        if question_id not in ids or ids.index(question_id) == 0:
            return None
        return visible[ids.index(question_id) - 1]

    def progress(self, question_id: int, answers: Mapping[int, Answer]) -> tuple[int, int]:
        """(number of this question among those asked, how many are asked) — "3 of 8"."""
        ids = [q.id for q in self.visible(answers)]
        return (ids.index(question_id) + 1 if question_id in ids else len(ids)), len(ids)

    def may_shrink(self, answers: Mapping[int, Answer]) -> bool:
        """Whether a question still counted may be skipped by an answer not given yet.

        Then the count is an upper bound ("of up to 8"): it can only go down, never jump up,
        so the resident's counter stays truthful whichever way they answer.
        """
        visible = self.visible(answers)
        by_key = {q.key: q for q in visible}
        for q in visible:
            rule = q.spec.skip_if
            source = by_key.get(rule.question) if rule is not None else None
            if source is not None and (answers.get(source.id) or Answer()).is_empty:
                return True
        return False


def choose(question: Question, current: Answer | None, value: int) -> Answer:
    """The answer after tapping `value`: it replaces a single choice, toggles a multiple one."""
    question.check_choice(value)
    if question.type != QuestionType.MULTIPLE:
        return Answer(value=value)
    mask = (current.value or 0) if current else 0
    mask ^= 1 << value
    if len(mask_indexes(mask)) > question.spec.max_choices:
        raise TooManyChoicesError(max_choices=question.spec.max_choices)
    return Answer(value=mask or None)


def typed(question: Question, text: str) -> Answer:
    if question.type != QuestionType.TEXT:
        raise ValidationError("buttons_expected")
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError("answer_empty")
    if len(cleaned) > question.spec.max_length:
        raise ValidationError("answer_too_long", max=question.spec.max_length, length=len(cleaned))
    return Answer(text=cleaned)


def validate_questions(questions: Sequence[QuestionSpec]) -> None:
    """Rules a file's schema cannot express alone; `index` names the offending question."""
    if not questions:
        raise ValidationError("no_questions")
    if len(questions) > QUESTIONS_MAX:
        raise ValidationError("too_many_questions", max=QUESTIONS_MAX)
    seen: dict[str, QuestionSpec] = {}
    for index, q in enumerate(questions):
        if q.key in seen:
            raise ValidationError("duplicate_key", index=index, key=q.key)
        if q.skip_if is not None:
            source = seen.get(q.skip_if.question)
            if source is None:
                raise ValidationError("skip_unknown_question", index=index, key=q.skip_if.question)
            if source.type == QuestionType.TEXT:
                raise ValidationError("skip_on_text", index=index, key=q.skip_if.question)
            allowed = (
                [str(n) for n in range(source.scale_min, source.scale_max + 1)]
                if source.type == QuestionType.SCALE
                else list(source.options)
            )
            if q.skip_if.answer not in allowed:
                raise ValidationError(
                    "skip_unknown_answer", index=index, answer=q.skip_if.answer, allowed=allowed
                )
        seen[q.key] = q


@dataclass(frozen=True, slots=True)
class ChoiceCount:
    label: str
    count: int
    percent: float  # share of the respondents who answered this question


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question: Question
    respondents: int
    choices: list[ChoiceCount] = field(default_factory=list)
    average: float | None = None  # scale questions only


@dataclass(frozen=True, slots=True)
class ConsultationResults:
    consultation_id: int
    title: str
    submissions: int
    questions: list[QuestionResult]


def compute_results(
    consultation: Consultation, rows: Sequence[tuple[int, int | None, int]], submissions: int
) -> ConsultationResults:
    """`rows` are (question id, value, count) from a GROUP BY; free text has value None."""
    by_question: dict[int, list[tuple[int | None, int]]] = {}
    for question_id, value, count in rows:
        by_question.setdefault(question_id, []).append((value, count))
    outcome = []
    for q in consultation.questions:
        groups = by_question.get(q.id, [])
        respondents = sum(count for _value, count in groups)
        per_choice: dict[int, int] = {}
        for value, count in groups:
            if value is None:
                continue
            chosen = mask_indexes(value) if q.type == QuestionType.MULTIPLE else [value]
            for v in chosen:
                per_choice[v] = per_choice.get(v, 0) + count
        choices = [
            ChoiceCount(
                label=label,
                count=per_choice.get(value, 0),
                percent=round(100.0 * per_choice.get(value, 0) / respondents, 1)
                if respondents
                else 0.0,
            )
            for value, label in ([] if q.type == QuestionType.TEXT else q.choices())
        ]
        average = None
        if q.type == QuestionType.SCALE and respondents:
            average = round(sum(v * c for v, c in per_choice.items()) / respondents, 2)
        outcome.append(QuestionResult(q, respondents, choices, average))
    return ConsultationResults(consultation.id, consultation.campaign.title, submissions, outcome)


@dataclass(frozen=True, slots=True)
class Response:
    """A resident's response: a draft until `submitted_at` is set (once, for good)."""

    id: int
    citizen_id: int
    current_question_id: int | None
    submitted_at: datetime | None

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


@dataclass(frozen=True, slots=True)
class TextAnswer:
    response_id: int
    question_id: int
    text: str
    submitted_at: datetime
