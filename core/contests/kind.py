"""Contests in the campaign-kind template: phases inside the window, winners from their sweep."""

from __future__ import annotations

from datetime import datetime

from core.campaigns.kinds import CampaignKindSpec
from core.campaigns.model import CampaignKind
from core.contests import service as contests
from core.contests import tables
from core.contests.model import FINISHED_FROM, ContestPhase, validate_phases
from core.contests.plan import parse_contest
from core.contests.ports import CONTESTS
from core.contests.sql import SqlContestRepository
from core.hromadas.taxonomy import N_
from core.kernel.unit_of_work import UnitOfWork
from core.storage.contributions import (
    Binding,
    CitizenReference,
    Content,
    OnForget,
    OnMerge,
    Participation,
)


async def _check_phases(
    uow: UnitOfWork, contest_id: int, opens_at: datetime | None, closes_at: datetime | None
) -> None:
    """A moved window must still hold the submission and voting phases, in order."""
    contest = await uow.repository(CONTESTS).get(contest_id)
    if contest is not None and opens_at is not None and closes_at is not None:
        validate_phases(opens_at, contest.submissions_close_at, contest.voting_opens_at, closes_at)


async def _settle_unannounced(uow: UnitOfWork, contest_id: int, now: datetime) -> None:
    # Finished with nobody taking part: no winners to announce later.
    await uow.repository(CONTESTS).set_phase(contest_id, FINISHED_FROM, ContestPhase.FINISHED)


CONTEST = CampaignKindSpec(
    kind=CampaignKind.CONTEST,
    opened_headline=N_("🏆 New contest: “{title}”"),
    results_on_close=False,
    check_window=_check_phases,
    settle_unannounced=_settle_unannounced,
    sweep=contests.advance_phases,
    tables=tables,
    repositories=(Binding(CONTESTS, SqlContestRepository),),
    participants=tables.contest_participants,
    citizen_columns=(
        CitizenReference(
            "contest_entries",
            "author_id",
            OnMerge.RENUMBER,
            OnForget.ANONYMIZE,
            key=("contest_id",),
            renumbered="author_seq",
            forget_plan=Content(("title", "description"), cleared=("photo_ref",)),
        ),
        CitizenReference(
            "contest_participants",
            "citizen_id",
            OnMerge.KEEP_SURVIVORS,
            OnForget.ANONYMIZE,
            key=("contest_id",),
            forget_plan=Participation("contest_id"),
        ),
        # A merge must still hold a contest's votes-per-resident cap across the survivor's entries.
        CitizenReference(
            "contest_votes",
            "citizen_id",
            OnMerge.EARLIEST_UP_TO_LIMIT,
            OnForget.ANONYMIZE,
            forget_plan=Participation("contest_id"),
        ),
    ),
    parse_file=parse_contest,
)
