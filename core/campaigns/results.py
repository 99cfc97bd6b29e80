"""Results read model: tallies computed in the database, shaped for screens and exports."""

from __future__ import annotations

from datetime import datetime

from core.kernel.errors import ResultsHiddenError
from core.kernel.unit_of_work import UnitOfWork
from core.polls.model import PollResults, compute_results
from core.polls.service import get_poll


async def poll_results(
    uow: UnitOfWork, poll_id: int, *, now: datetime, for_official: bool = False
) -> PollResults:
    """Officials always see results; residents only as the poll's visibility setting allows."""
    poll = await get_poll(uow, poll_id)
    if not for_official and not poll.campaign.results_visible_to_residents(now):
        raise ResultsHiddenError(poll_id=poll_id, closes_at=poll.campaign.closes_at)
    counts, voters = await uow.ballots.tally(poll_id)
    return compute_results(poll, counts, voters)
