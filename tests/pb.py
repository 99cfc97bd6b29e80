"""What the participatory-budget tests share: the example PB moved to the test clock, residents
who may vote in it, and a walk through its phases by the scheduler's sweep."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.citizens import home_district
from core.pb import service as pbs
from core.pb.model import CITY_POT, ParticipatoryBudget, PbRule, Pot, Project, VotingStyle
from core.pb.plan import PbPlan, parse_pb
from core.scheduling.jobs import sweep_campaigns
from tests.dialogs import verify_phone
from tests.fakes.clock import FakeClock
from tests.fakes.resident import registered

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
KYIV = ZoneInfo("Europe/Kyiv")
DAY = timedelta(days=1)


def example_plan(clock: FakeClock, **changes: Any) -> PbPlan:
    """examples/pb.yaml, starting a minute from now: submission 1 day, review 1 day, voting
    1 day, results announced a day after voting closes."""
    plan = parse_pb((EXAMPLES / "pb.yaml").read_text(), tz=KYIV)
    start = clock() + timedelta(minutes=1)
    return replace(
        plan,
        submission_opens_at=start,
        review_at=start + DAY,
        voting_opens_at=start + 2 * DAY,
        voting_closes_at=start + 3 * DAY,
        announce_at=start + 4 * DAY,
        **changes,
    )


def pots(
    city: int = 1_000, style: VotingStyle = VotingStyle.KNAPSACK, **districts: int
) -> tuple[Pot, ...]:
    found = [Pot(CITY_POT, city, style, 3 if style == VotingStyle.APPROVAL else None)]
    found += [Pot(code, budget, VotingStyle.KNAPSACK) for code, budget in districts.items()]
    return tuple(found)


async def create(factory: Any, clock: FakeClock, **changes: Any) -> ParticipatoryBudget:
    async with factory() as uow:
        pb = await pbs.create_pb(uow, example_plan(clock, **changes), actor="m", now=clock())
        await uow.commit()
    return pb


async def to_phase(factory: Any, clock: FakeClock, pb: ParticipatoryBudget, days: float) -> None:
    """Move the clock to `days` after submission opened and run the sweeps."""
    target = pb.campaign.opens_at + timedelta(days=days)  # type: ignore[operator]
    if target > clock():
        clock.now = target
    await sweep_campaigns(factory, clock)


async def resident(
    factory: Any, clock: FakeClock, name: str, *, district: str | None = None, verified: bool = True
) -> int:
    async with factory() as uow:
        citizen_id = await registered(uow, name, clock())
        citizen = await uow.citizens.get(citizen_id)
        if verified:
            await verify_phone(uow, citizen, clock())
        if district:
            citizen = await uow.citizens.get(citizen_id)
            await home_district.set_home_district(uow, citizen, district, clock())
        await uow.commit()
    return citizen_id


async def proposed(
    factory: Any,
    clock: FakeClock,
    pb: ParticipatoryBudget,
    author: int,
    title: str,
    cost: int,
    *,
    pot: str = CITY_POT,
    accept: bool = True,
) -> Project:
    async with factory() as uow:
        project = await pbs.propose_project(
            uow,
            pb_id=pb.id,
            citizen_id=author,
            pot=pot,
            title=title,
            description=f"{title}: опис",
            cost=cost,
            photo_ref=None,
            now=clock(),
        )
        if accept:
            project = await pbs.review_project(uow, project.id, accept=True, actor="m", now=clock())
        await uow.commit()
    return project


async def vote(factory: Any, clock: FakeClock, citizen: int, *projects: Project) -> None:
    async with factory() as uow:
        for project in projects:
            await pbs.choose(uow, project_id=project.id, citizen_id=citizen, now=clock())
        await pbs.submit_ballot(
            uow, pb_id=projects[0].pb_id, citizen_id=citizen, pot=projects[0].pot, now=clock()
        )
        await uow.commit()


__all__ = ["PbRule", "create", "pots", "proposed", "resident", "to_phase", "vote"]
