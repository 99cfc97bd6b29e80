"""Results read model: tallies computed in the database, shaped for screens and exports."""

from __future__ import annotations

from datetime import datetime

from core.campaigns.template import ensure_results_visible
from core.kernel.unit_of_work import UnitOfWork
from core.polls.model import PollResults, compute_results
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
