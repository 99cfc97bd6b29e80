"""Campaign files (YAML): what every kind's file shares, read once, and precise errors.

A kind created from a file (consultations, contests) declares its pydantic model on top of
`CampaignFields` (and `WindowFields` if it has one opening and closing) in its own
core/<kind>/plan.py and calls `read_file`. The fields every campaign shares, and their
checks, live here only: a field added here reaches every kind's file and plan.

Every error names the line, the field and the problem: the YAML is composed into nodes first,
so each value's position is known, and pydantic's error locations are mapped back onto them.
Nothing is created from a file with any error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, Self, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictBool,
    StringConstraints,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from core.campaigns.eligibility import EVERYONE, Eligibility
from core.campaigns.model import DESCRIPTION_MAX, ResultsVisibility
from core.campaigns.reminders import MAX_REMINDERS, format_reminders, parse_reminders
from core.hromadas.taxonomy import is_district, is_topic
from core.kernel.dates import FIRST_YEAR, LAST_YEAR, in_window
from core.kernel.errors import CampaignFileError, ValidationError

if TYPE_CHECKING:
    import yaml

Path = tuple[str | int, ...]
Lines = dict[Path, int]

Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=DESCRIPTION_MAX)
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


def _in_window(moment: datetime) -> datetime:
    if not in_window(moment):
        raise PydanticCustomError(
            "date_out_of_range",
            "must be between the years {first} and {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return moment


Moment = Annotated[datetime, AfterValidator(_in_window)]


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


# Who may take part (core/campaigns/eligibility.py).
Eligible = Annotated[Any, AfterValidator(_eligible)]


class FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CampaignFields(FileModel):
    """What every campaign's file has: its title, who hears of it and when, who may take part."""

    title: Title
    audience: str = "all"
    reminders: Reminders = ""
    send_results: StrictBool = True
    eligible: Eligible = EVERYONE
    # Receipt codes for voters (core/campaigns/receipts.py); false for sensitive questions.
    receipts: StrictBool = True

    @model_validator(mode="after")
    def _known_audience(self) -> Self:
        _audience(self.audience)  # checked on the whole file: the error points at its start
        return self

    def shared(self) -> dict[str, Any]:
        """The `CampaignPlan` fields, for the kind's plan: `XPlan(**model.shared(), …)`."""
        return {
            "title": self.title,
            "audience": self.audience,
            "reminders": self.reminders,
            "send_results": self.send_results,
            "eligibility": self.eligible,
            "receipts": self.receipts,
        }


class WindowFields(FileModel):
    """One opening and closing (a kind with phases declares its own), and results visibility."""

    opens: Moment | None = None
    closes: Moment
    results: Literal["live", "after-close"] = "after-close"

    def window(self, tz: ZoneInfo, lines: Lines) -> tuple[datetime | None, datetime]:
        opens_at = None if self.opens is None else zoned(self.opens, tz)
        closes_at = zoned(self.closes, tz)
        if opens_at is not None and closes_at <= opens_at:
            raise file_error(lines, ("closes",), "closes_before_opens", {})
        return opens_at, closes_at

    @property
    def visibility(self) -> ResultsVisibility:
        return ResultsVisibility(self.results)


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignPlan:
    """What every kind's plan carries from its file (see `CampaignFields`)."""

    title: str
    audience: str
    # Delivery, as polls have it: reminders before closing ("24h,2h"), results to participants.
    reminders: str = ""
    send_results: bool = True
    eligibility: Eligibility = EVERYONE
    receipts: bool = True


PlanT = TypeVar("PlanT", bound=CampaignPlan, covariant=True)
ModelT = TypeVar("ModelT", bound=FileModel)


class PlanParser(Protocol[PlanT]):
    """A kind's `parse_<kind>(text, tz=…)`: the plan, or a `CampaignFileError`."""

    def __call__(self, text: str, *, tz: ZoneInfo) -> PlanT: ...


def read_file(text: str, model: type[ModelT]) -> tuple[ModelT, Lines]:
    """The file validated by the kind's model, and every value's line (for the kind's checks)."""
    data, lines = _load(text)
    return _validate(model, data, lines), lines


def zoned(value: datetime, tz: ZoneInfo) -> datetime:
    """A time written without a zone is city time."""
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def _load(text: str) -> tuple[Any, Lines]:
    """The document's data and the line (1-based) of every value in it, by path."""
    import yaml  # loaded by the commands that read a file, not by every command

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
        raise file_error(lines, where, "bad_character", {})
    return data, lines


def _compose(text: str) -> tuple[Any, Lines]:
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise CampaignFileError("empty_file", line=1, field="", problem="empty_file")
        lines: Lines = {}
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


def _record_lines(node: yaml.Node, path: Path, lines: Lines) -> None:
    import yaml

    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            _record_lines(value, child, lines)
            lines[child] = key.start_mark.line + 1  # point at the key, where people look
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)


def _validate(model: type[ModelT], data: Any, lines: Lines) -> ModelT:
    try:
        return model.model_validate(data)
    except PydanticValidationError as error:
        first = error.errors(include_url=False)[0]
        # Unions add a type tag to the location (e.g. `int`); it is no field of the file.
        path = tuple(p for p in first["loc"] if not (isinstance(p, str) and "[" in p))
        problem = first["msg"].removeprefix("Value error, ")
        # The limits (max_length, years…) let the CLI say the problem in the official's language.
        limits = {k: v for k, v in first.get("ctx", {}).items() if isinstance(v, int | str)}
        raise file_error(lines, path, first["type"], {"detail": problem, **limits}) from None


def file_error(lines: Lines, path: Path, problem: str, params: dict[str, Any]) -> CampaignFileError:
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
