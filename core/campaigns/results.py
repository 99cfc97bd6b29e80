"""Results read model: tallies computed in the database, shaped for screens and exports."""

from __future__ import annotations

from datetime import datetime

from core.campaigns.breakdown import Breakdown, ResultsBreakdown, assemble
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


# A poll's results per group of voters (core/campaigns/breakdown.py).
PollBreakdown = ResultsBreakdown[PollResults]


async def poll_results_by(
    uow: UnitOfWork, poll_id: int, by: Breakdown, *, now: datetime, for_official: bool = True
) -> PollBreakdown:
    """The poll's results per group of voters, every group listed (zero rows too)."""
    poll = await get_poll(uow, poll_id)
    ensure_results_visible(poll.campaign, now=now, for_official=for_official)
    return await _breakdown(uow, poll, by)


async def _breakdown(uow: UnitOfWork, poll: Poll, by: Breakdown) -> PollBreakdown:
    tallies = await uow.repository(BALLOTS).tally_by(poll.id, by)
    # Every ballot belongs to exactly one group, so the groups add up to the whole city.
    counts: dict[int, int] = {}
    for option_counts, _voters in tallies.values():
        for option_id, n in option_counts.items():
            counts[option_id] = counts.get(option_id, 0) + n
    voters = sum(v for _counts, v in tallies.values())
    return assemble(
        by,
        compute_results(poll, counts, voters),
        tallies,
        ({}, 0),
        lambda tally: compute_results(poll, *tally),
        lambda tally: tally[1],
    )


async def poll_breakdown(uow: UnitOfWork, poll_id: int, by: Breakdown) -> PollBreakdown:
    """As officials see it (and the results push): the poll spec's breakdown hook."""
    return await _breakdown(uow, await get_poll(uow, poll_id), by)
