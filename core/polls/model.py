"""Polls: a question with options; single choice, or multiple choice up to a maximum."""

from __future__ import annotations

from dataclasses import dataclass

from core.campaigns.model import Campaign
from core.kernel.errors import TooManyChoicesError, UnknownOptionError, ValidationError

QUESTION_MAX = 300
OPTION_MAX = 100
OPTIONS_MIN = 2
OPTIONS_MAX = 20


@dataclass(frozen=True, slots=True)
class PollOption:
    id: int
    position: int
    label: str


@dataclass(slots=True)
class Poll:
    campaign: Campaign
    max_choices: int
    options: list[PollOption]

    @property
    def id(self) -> int:
        return self.campaign.id

    @property
    def is_multiple(self) -> bool:
        return self.max_choices > 1

    def option(self, option_id: int) -> PollOption:
        for option in self.options:
            if option.id == option_id:
                return option
        raise UnknownOptionError(option_id=option_id)

    def check_choices(self, option_ids: frozenset[int]) -> None:
        for option_id in option_ids:
            self.option(option_id)
        if len(option_ids) > self.max_choices:
            raise TooManyChoicesError(max_choices=self.max_choices)


def validate_poll(question: str, options: list[str], max_choices: int) -> tuple[str, list[str]]:
    """Return the cleaned question and options, or raise ValidationError naming the problem."""
    question = question.strip()
    cleaned = [o.strip() for o in options]
    if not question:
        raise ValidationError("question_empty")
    if len(question) > QUESTION_MAX:
        raise ValidationError("question_too_long", max=QUESTION_MAX)
    if len(cleaned) < OPTIONS_MIN:
        raise ValidationError("too_few_options", min=OPTIONS_MIN)
    if len(cleaned) > OPTIONS_MAX:
        raise ValidationError("too_many_options", max=OPTIONS_MAX)
    for label in cleaned:
        if not label:
            raise ValidationError("option_empty")
        if len(label) > OPTION_MAX:
            raise ValidationError("option_too_long", max=OPTION_MAX, option=label)
    if len({label.casefold() for label in cleaned}) != len(cleaned):
        raise ValidationError("duplicate_options")
    if not 1 <= max_choices <= len(cleaned):
        raise ValidationError("bad_max_choices", options=len(cleaned))
    return question, cleaned


@dataclass(frozen=True, slots=True)
class OptionResult:
    option_id: int
    label: str
    votes: int
    percent: float  # share of voters who chose this option


@dataclass(frozen=True, slots=True)
class PollResults:
    poll_id: int
    question: str
    voters: int
    options: list[OptionResult]


def compute_results(poll: Poll, counts: dict[int, int], voters: int) -> PollResults:
    rows = [
        OptionResult(
            option_id=o.id,
            label=o.label,
            votes=counts.get(o.id, 0),
            percent=round(100.0 * counts.get(o.id, 0) / voters, 1) if voters else 0.0,
        )
        for o in sorted(poll.options, key=lambda o: o.position)
    ]
    return PollResults(poll_id=poll.id, question=poll.campaign.title, voters=voters, options=rows)
