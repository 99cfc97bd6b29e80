"""Results read model: tallies computed in the database, shaped for screens and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.campaigns.breakdown import Breakdown, group_keys
from core.campaigns.template import ensure_results_visible
from core.kernel.unit_of_work import UnitOfWork
from core.polls.model import Poll, PollResults, compute_results
from core.polls.ports import BALLOTS
from core.polls.service import get_poll


async def poll_results(
    uow: UnitOfWork, poll_id: int, *, now: datetime, for_official: bool = False
) -> PollResults:
    """Officials always see results; residents only as the poll's visibility setting allows."""
    poll = await get_poll(uow, poll_id)
    ensure_results_visible(poll.campaign, now=now, for_official=for_official)
    counts, voters = await uow.repository(BALLOTS).tally(poll_id)
    return compute_results(poll, counts, voters)


@dataclass(frozen=True, slots=True)
class GroupResults:
    key: str | None  # a district code or a verification level; None: district not set
    results: PollResults


@dataclass(frozen=True, slots=True)
class PollBreakdown:
    by: Breakdown
    whole: PollResults
    groups: list[GroupResults]


async def poll_results_by(
    uow: UnitOfWork, poll_id: int, by: Breakdown, *, now: datetime, for_official: bool = True
) -> PollBreakdown:
    """The poll's results per group of voters, every group listed (zero rows too)."""
    poll = await get_poll(uow, poll_id)
    ensure_results_visible(poll.campaign, now=now, for_official=for_official)
    return await _breakdown(uow, poll, by)


async def _breakdown(uow: UnitOfWork, poll: Poll, by: Breakdown) -> PollBreakdown:
    tallies = await uow.repository(BALLOTS).tally_by(poll.id, by)
    groups = [
        GroupResults(key, compute_results(poll, *tallies.get(key, ({}, 0))))
        for key in group_keys(by, tallies)
    ]
    counts: dict[int, int] = {}
    for option_counts, _voters in tallies.values():
        for option_id, n in option_counts.items():
            counts[option_id] = counts.get(option_id, 0) + n
    voters = sum(v for _counts, v in tallies.values())
    return PollBreakdown(by, compute_results(poll, counts, voters), groups)


async def poll_results_per_district(uow: UnitOfWork, poll_id: int) -> PollBreakdown:
    """For the results push: each district's result next to the whole city's."""
    return await _breakdown(uow, await get_poll(uow, poll_id), Breakdown.DISTRICT)
