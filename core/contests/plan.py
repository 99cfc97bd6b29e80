"""A contest's file (YAML): its problem and phases on top of what every campaign's file has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field

from core.campaigns.files import (
    CampaignFields,
    CampaignPlan,
    FileModel,
    Moment,
    Text,
    file_error,
    read_file,
    zoned,
)
from core.contests.model import validate_phases
from core.kernel.errors import ValidationError


class PhaseModel(FileModel):
    opens: Moment
    closes: Moment


class ContestModel(CampaignFields):
    problem: Text
    submissions: PhaseModel
    voting: PhaseModel
    votes_per_resident: Annotated[int, Field(ge=1, le=20)] = 1
    winners: Annotated[int, Field(ge=1, le=20)] = 1
    entries_per_resident: Annotated[int, Field(ge=1, le=10)] = 1
    premoderation: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ContestPlan(CampaignPlan):
    """Reminders count back from the end of voting; results are the winners, sent to those who
    took part and the audience."""

    problem: str
    submissions_open_at: datetime
    submissions_close_at: datetime
    voting_opens_at: datetime
    voting_close_at: datetime
    votes_per_resident: int
    winners: int
    entries_per_resident: int
    premoderation: bool


def parse_contest(text: str, *, tz: ZoneInfo) -> ContestPlan:
    model, lines = read_file(text, ContestModel)
    phases = (model.submissions, model.voting)
    opens, closes, voting_opens, voting_closes = (
        zoned(moment, tz) for phase in phases for moment in (phase.opens, phase.closes)
    )
    try:
        validate_phases(opens, closes, voting_opens, voting_closes)
    except ValidationError as error:
        raise file_error(lines, ("voting",), error.reason, {}) from None
    return ContestPlan(
        **model.shared(),
        problem=model.problem,
        submissions_open_at=opens,
        submissions_close_at=closes,
        voting_opens_at=voting_opens,
        voting_close_at=voting_closes,
        votes_per_resident=model.votes_per_resident,
        winners=model.winners,
        entries_per_resident=model.entries_per_resident,
        premoderation=model.premoderation,
    )
