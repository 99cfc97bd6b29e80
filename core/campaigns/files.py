"""Consultation and contest files (YAML), validated by pydantic models.

Every error names the line, the field and the problem: the YAML is composed into nodes first,
so each value's position is known, and pydantic's error locations are mapped back onto them.
Nothing is created from a file with any error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from core.campaigns.eligibility import EVERYONE, Eligibility
from core.campaigns.model import DESCRIPTION_MAX, ResultsVisibility
from core.campaigns.reminders import MAX_REMINDERS, format_reminders, parse_reminders
from core.consultations import model as cdomain
from core.consultations.model import QuestionSpec, QuestionType, SkipRule
from core.contests import model as kdomain
from core.hromadas.taxonomy import is_district, is_topic
from core.kernel.dates import FIRST_YEAR, LAST_YEAR, in_window
from core.kernel.errors import CampaignFileError, ValidationError

Path = tuple[str | int, ...]

Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=DESCRIPTION_MAX)
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=cdomain.OPTION_MAX)
]


def _in_window(moment: datetime) -> datetime:
    if not in_window(moment):
        raise PydanticCustomError(
            "date_out_of_range",
            "must be between the years {first} and {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return moment


Moment = Annotated[datetime, AfterValidator(_in_window)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SkipIfModel(_Model):
    question: Key
    answer: Annotated[str, Field(min_length=1)]


class QuestionModel(_Model):
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


def _reminders(value: str) -> str:
    """`24h,2h` as polls' --remind takes it, normalized; a ValueError names what is wrong."""
    try:
        return format_reminders(parse_reminders(value))
    except ValidationError as error:
        if error.reason == "too_many_reminders":
            raise ValueError(f"at most {MAX_REMINDERS} reminders") from None
        raise ValueError("reminders are times before closing like '24h,2h' (m, h or d)") from None


Reminders = Annotated[str, AfterValidator(_reminders)]


def _audience(value: str) -> str:
    kind, _sep, code = value.partition(":")
    if (
        value == "all"
        or (kind == "topic" and is_topic(code))
        or (kind == "district" and is_district(code))
    ):
        return value
    raise ValueError("audience must be 'all', 'topic:<code>' or 'district:<code>'")


def _eligible(value: Any) -> Eligibility:
    """`eligible:` as `--eligible` takes it: `verified`, `district:a,b`, or a list of both."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise PydanticCustomError(
            "eligible_unknown", "use 'verified' and/or 'district:<code>,<code>'", {"value": ""}
        )
    try:
        return Eligibility.parse(values)
    except ValidationError as error:
        raise PydanticCustomError(
            error.reason,
            "{value}: use 'verified' and/or 'district:<code>,<code>'",
            {"value": str(error.params.get("value", ""))},
        ) from None


# Shared by every campaign file: who may take part (core/campaigns/eligibility.py).
Eligible = Annotated[Any, AfterValidator(_eligible)]


class ConsultationModel(_Model):
    title: Title
    description: Description = ""
    opens: Moment | None = None
    closes: Moment
    audience: str = "all"
    results: Literal["live", "after-close"] = "after-close"
    reminders: Reminders = ""
    send_results: StrictBool = True
    eligible: Eligible = EVERYONE
    questions: Annotated[list[QuestionModel], Field(min_length=1, max_length=50)]

    @model_validator(mode="after")
    def _check(self) -> ConsultationModel:
        _audience(self.audience)
        return self


class PhaseModel(_Model):
    opens: Moment
    closes: Moment


class ContestModel(_Model):
    title: Title
    problem: Text
    submissions: PhaseModel
    voting: PhaseModel
    votes_per_resident: Annotated[int, Field(ge=1, le=20)] = 1
    winners: Annotated[int, Field(ge=1, le=20)] = 1
    entries_per_resident: Annotated[int, Field(ge=1, le=10)] = 1
    premoderation: bool = False
    audience: str = "all"
    reminders: Reminders = ""
    send_results: StrictBool = True
    eligible: Eligible = EVERYONE

    @model_validator(mode="after")
    def _check(self) -> ContestModel:
        _audience(self.audience)
        return self


@dataclass(frozen=True, slots=True)
class ConsultationPlan:
    title: str
    description: str
    opens_at: datetime | None
    closes_at: datetime
    audience: str
    visibility: ResultsVisibility
    questions: list[QuestionSpec]
    # Delivery, as polls have it: reminders before closing ("24h,2h"), results to participants.
    reminders: str = ""
    send_results: bool = True
    eligibility: Eligibility = EVERYONE


@dataclass(frozen=True, slots=True)
class ContestPlan:
    title: str
    problem: str
    submissions_open_at: datetime
    submissions_close_at: datetime
    voting_opens_at: datetime
    voting_close_at: datetime
    votes_per_resident: int
    winners: int
    entries_per_resident: int
    premoderation: bool
    audience: str
    reminders: str = ""  # before voting closes
    send_results: bool = True  # the winners, to those who took part and the audience
    eligibility: Eligibility = EVERYONE


def parse_consultation(text: str, *, tz: ZoneInfo) -> ConsultationPlan:
    data, lines = _load(text)
    model = _validate(ConsultationModel, data, lines)
    questions = [q.to_spec() for q in model.questions]
    try:
        cdomain.validate_questions(questions)
    except ValidationError as error:
        index = error.params.get("index")
        path: Path = ("questions", index) if isinstance(index, int) else ("questions",)
        if error.reason.startswith("skip_"):
            path = (*path, "skip_if")
        raise _file_error(lines, path, error.reason, error.params) from None
    opens_at = _zoned(model.opens, tz)
    closes_at = _zoned(model.closes, tz)
    if opens_at is not None and closes_at <= opens_at:
        raise _file_error(lines, ("closes",), "closes_before_opens", {})
    return ConsultationPlan(
        title=model.title,
        description=model.description.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        audience=model.audience,
        visibility=ResultsVisibility(model.results),
        questions=questions,
        reminders=model.reminders,
        send_results=model.send_results,
        eligibility=model.eligible,
    )


def parse_contest(text: str, *, tz: ZoneInfo) -> ContestPlan:
    data, lines = _load(text)
    model = _validate(ContestModel, data, lines)
    times = [
        _zoned(t, tz)
        for t in (
            model.submissions.opens,
            model.submissions.closes,
            model.voting.opens,
            model.voting.closes,
        )
    ]
    try:
        kdomain.validate_phases(*times)  # type: ignore[arg-type]
    except ValidationError as error:
        raise _file_error(lines, ("voting",), error.reason, {}) from None
    return ContestPlan(
        title=model.title,
        problem=model.problem,
        submissions_open_at=times[0],  # type: ignore[arg-type]
        submissions_close_at=times[1],  # type: ignore[arg-type]
        voting_opens_at=times[2],  # type: ignore[arg-type]
        voting_close_at=times[3],  # type: ignore[arg-type]
        votes_per_resident=model.votes_per_resident,
        winners=model.winners,
        entries_per_resident=model.entries_per_resident,
        premoderation=model.premoderation,
        audience=model.audience,
        reminders=model.reminders,
        send_results=model.send_results,
        eligibility=model.eligible,
    )


def _zoned(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A time written without a zone is city time."""
    if value is None:
        return None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def _load(text: str) -> tuple[Any, dict[Path, int]]:
    """The document's data and the line (1-based) of every value in it, by path."""
    try:
        data, lines = _compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise _syntax_error((mark.line + 1) if mark else 1, str(error.problem or error)) from None
    except yaml.reader.ReaderError as error:  # a control character such as a raw NUL byte
        line = text.count("\n", 0, max(error.position, 0)) + 1
        bad = CampaignFileError("bad_character", line=line, field="", problem="bad_character")
        raise bad from None
    except RecursionError:
        raise _syntax_error(1, "nested too deeply") from None
    if not isinstance(data, dict):
        raise CampaignFileError("not_a_mapping", line=1, field="", problem="not_a_mapping")
    if (where := _unstorable_text(data, ())) is not None:
        raise _file_error(lines, where, "bad_character", {})
    return data, lines


def _compose(text: str) -> tuple[Any, dict[Path, int]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise CampaignFileError("empty_file", line=1, field="", problem="empty_file")
        lines: dict[Path, int] = {}
        _record_lines(node, (), lines)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _syntax_error(line: int, detail: str) -> CampaignFileError:
    return CampaignFileError(
        "yaml_syntax", line=line, field="", problem="yaml_syntax", detail=detail
    )


def _unstorable_text(value: Any, path: Path) -> Path | None:
    """Where a string holds NUL or a lone surrogate (YAML escapes "\\0", "\\ud800"): no
    database text column takes them, and no resident could read them. (Raw control
    characters never get this far: YAML's reader refuses them.)"""
    if isinstance(value, str):
        return path if "\x00" in value or not _is_utf8(value) else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if (found := _unstorable_text(item, (*path, key))) is not None:
            return found
    return None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _record_lines(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            _record_lines(value, child, lines)
            lines[child] = key.start_mark.line + 1  # point at the key, where people look
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)


def _validate(model: type[_Model], data: Any, lines: dict[Path, int]) -> Any:
    try:
        return model.model_validate(data)
    except PydanticValidationError as error:
        first = error.errors(include_url=False)[0]
        # Unions add a type tag to the location (e.g. `int`); it is no field of the file.
        path = tuple(p for p in first["loc"] if not (isinstance(p, str) and "[" in p))
        problem = first["msg"].removeprefix("Value error, ")
        # The limits (max_length, years…) let the CLI say the problem in the official's language.
        limits = {k: v for k, v in first.get("ctx", {}).items() if isinstance(v, int | str)}
        raise _file_error(lines, path, first["type"], {"detail": problem, **limits}) from None


def _file_error(
    lines: dict[Path, int], path: Path, problem: str, params: dict[str, Any]
) -> CampaignFileError:
    known = path
    while known and known not in lines:  # a missing field: point at its parent
        known = known[:-1]
    return CampaignFileError(
        problem,
        line=lines.get(known, 1),
        field=_dotted(path),
        problem=problem,
        **{k: v for k, v in params.items() if k not in ("line", "field", "problem")},
    )


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
