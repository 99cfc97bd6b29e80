"""A consultation's file (YAML): its questions on top of what every campaign's file has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, StrictBool, StringConstraints, model_validator

from core.campaigns.files import (
    CampaignFields,
    CampaignPlan,
    Description,
    FileModel,
    Key,
    Path,
    WindowFields,
    file_error,
    read_file,
)
from core.campaigns.model import ResultsVisibility
from core.consultations import model as cdomain
from core.consultations.model import QuestionSpec, QuestionType, SkipRule
from core.kernel.errors import ValidationError

Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=cdomain.OPTION_MAX)
]


class SkipIfModel(FileModel):
    question: Key
    answer: Annotated[str, Field(min_length=1)]


class QuestionModel(FileModel):
    key: Key
    text: Annotated[str, StringConstraints(min_length=1, max_length=cdomain.QUESTION_TEXT_MAX)]
    type: Literal["single", "multiple", "scale", "text"]
    options: list[Label] | None = None
    max: Annotated[int, Field(ge=1)] | None = None
    scale: Literal["1-5", "0-10"] | None = None
    min_label: Annotated[str, Field(max_length=40)] = ""
    max_label: Annotated[str, Field(max_length=40)] = ""
    max_length: Annotated[int, Field(ge=1, le=cdomain.TEXT_MAX)] = 1000
    skip_if: SkipIfModel | None = None
    required: StrictBool = True

    @model_validator(mode="after")
    def _fits_its_type(self) -> QuestionModel:
        choice = self.type in ("single", "multiple")
        if choice and (not self.options or len(self.options) < 2):
            raise ValueError("a choice question needs at least 2 options")
        if choice and len(self.options or []) > cdomain.OPTIONS_MAX:
            raise ValueError(f"at most {cdomain.OPTIONS_MAX} options")
        if choice and len({o.casefold() for o in self.options or []}) != len(self.options or []):
            raise ValueError("two options are the same")
        if not choice and self.options:
            raise ValueError(f"a {self.type} question has no options")
        if self.max is not None and self.type != "multiple":
            raise ValueError("max is only for multiple choice")
        if self.max is not None and self.max > len(self.options or []):
            raise ValueError("max is more than the number of options")
        if self.scale is not None and self.type != "scale":
            raise ValueError("scale is only for scale questions")
        return self

    def to_spec(self) -> QuestionSpec:
        low, high = (int(n) for n in (self.scale or "1-5").split("-"))
        return QuestionSpec(
            key=self.key,
            text=self.text.strip(),
            type=QuestionType(self.type),
            options=tuple(self.options or ()),
            max_choices=self.max or (len(self.options or ()) if self.type == "multiple" else 1),
            scale_min=low,
            scale_max=high,
            min_label=self.min_label,
            max_label=self.max_label,
            max_length=self.max_length,
            skip_if=SkipRule(self.skip_if.question, self.skip_if.answer) if self.skip_if else None,
            required=self.required,
        )


class ConsultationModel(CampaignFields, WindowFields):
    description: Description = ""
    questions: Annotated[list[QuestionModel], Field(min_length=1, max_length=50)]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsultationPlan(CampaignPlan):
    description: str
    opens_at: datetime | None
    closes_at: datetime
    visibility: ResultsVisibility
    questions: list[QuestionSpec]


def parse_consultation(text: str, *, tz: ZoneInfo) -> ConsultationPlan:
    model, lines = read_file(text, ConsultationModel)
    questions = [q.to_spec() for q in model.questions]
    try:
        cdomain.validate_questions(questions)
    except ValidationError as error:
        index = error.params.get("index")
        path: Path = ("questions", index) if isinstance(index, int) else ("questions",)
        if error.reason.startswith("skip_"):
            path = (*path, "skip_if")
        raise file_error(lines, path, error.reason, error.params) from None
    opens_at, closes_at = model.window(tz, lines)
    return ConsultationPlan(
        **model.shared(),
        description=model.description.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        visibility=model.visibility,
        questions=questions,
    )
