"""A participatory budget's file (YAML): its phases, pots, voting styles and counting rule,
on top of what every campaign's file has.

    phases:
      submission: {opens: 2026-09-01T09:00, closes: 2026-09-30T21:00}
      voting: {opens: 2026-10-15T09:00, closes: 2026-10-31T21:00}
      results: 2026-11-07T12:00        # winners announced; implementation starts
    budgets:
      city: 2000000
      districts: {center: 600000, zarichchia: 400000}
    voting:
      city: knapsack                   # or {style: approval, max: 3}
      districts: {style: approval, max: 3}
    rule: greedy                       # or equal-shares

Review runs between submission closing and voting opening. Only verified residents take part
(`eligible:` may narrow it further to some districts); a district pot is for its residents.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

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
from core.hromadas.taxonomy import is_home_district
from core.kernel.errors import ValidationError
from core.pb.model import CITY_POT, COST_MAX, PbRule, Pot, VotingStyle, validate_phases

Amount = Annotated[int, Field(gt=0, le=COST_MAX)]


class WindowModel(FileModel):
    opens: Moment
    closes: Moment


class PhasesModel(FileModel):
    submission: WindowModel
    voting: WindowModel
    results: Moment


class BudgetsModel(FileModel):
    city: Amount | None = None
    districts: dict[str, Amount] = Field(default_factory=dict)


class StyleModel(FileModel):
    style: Literal["knapsack", "approval"]
    max: Annotated[int, Field(ge=1, le=50)] | None = None

    @model_validator(mode="after")
    def _max_for_approval(self) -> StyleModel:
        if self.style == "approval" and self.max is None:
            raise ValueError("approval voting needs max: how many projects a resident may choose")
        if self.style == "knapsack" and self.max is not None:
            raise ValueError("max is for approval voting; knapsack is limited by the budget")
        return self


Style = StyleModel | Literal["knapsack"]


class VotingModel(FileModel):
    city: Style = "knapsack"
    districts: Style = "knapsack"


class PbModel(CampaignFields):
    description: Text
    phases: PhasesModel
    budgets: BudgetsModel
    voting: VotingModel = VotingModel()
    rule: Literal["greedy", "equal-shares"] = "greedy"


@dataclass(frozen=True, slots=True, kw_only=True)
class PbPlan(CampaignPlan):
    """Reminders count back from the end of voting; results are the winners, announced on the
    results date to those who took part."""

    description: str
    submission_opens_at: datetime
    review_at: datetime
    voting_opens_at: datetime
    voting_closes_at: datetime
    announce_at: datetime
    rule: PbRule
    pots: tuple[Pot, ...]


def _pot(code: str, budget: int, style: Style) -> Pot:
    if isinstance(style, StyleModel):
        return Pot(code, budget, VotingStyle(style.style), style.max)
    return Pot(code, budget, VotingStyle.KNAPSACK)


def parse_pb(text: str, *, tz: ZoneInfo) -> PbPlan:
    model, lines = read_file(text, PbModel)
    phases = model.phases
    opens, review, voting_opens, voting_closes, announce = (
        zoned(m, tz)
        for m in (
            phases.submission.opens,
            phases.submission.closes,
            phases.voting.opens,
            phases.voting.closes,
            phases.results,
        )
    )
    try:
        validate_phases(opens, review, voting_opens, voting_closes, announce)
    except ValidationError as error:
        raise file_error(lines, ("phases",), error.reason, {}) from None
    pots = []
    if model.budgets.city is not None:
        pots.append(_pot(CITY_POT, model.budgets.city, model.voting.city))
    for code, budget in model.budgets.districts.items():
        if not is_home_district(code):
            raise file_error(
                lines, ("budgets", "districts", code), "pb_unknown_district", {"value": code}
            )
        pots.append(_pot(code, budget, model.voting.districts))
    if not pots:
        raise file_error(lines, ("budgets",), "pb_no_budget", {})
    plan = PbPlan(
        **model.shared(),
        description=model.description,
        submission_opens_at=opens,
        review_at=review,
        voting_opens_at=voting_opens,
        voting_closes_at=voting_closes,
        announce_at=announce,
        rule=PbRule(model.rule),
        pots=tuple(pots),
    )
    # Only verified residents propose and vote (one person, one ballot): the file may narrow
    # that to some districts, never widen it.
    return replace(plan, eligibility=replace(plan.eligibility, verified=True))
