"""Participatory budgets in the campaign-kind template: phases inside and after the window,
winners announced from their sweep."""

from __future__ import annotations

from datetime import datetime

from core.campaigns.kinds import CampaignKindSpec
from core.campaigns.model import CampaignKind
from core.hromadas.taxonomy import N_
from core.kernel.unit_of_work import UnitOfWork
from core.pb import service as pbs
from core.pb import tables
from core.pb.model import PbPhase, earlier_than, validate_phases
from core.pb.open_data import pb_open_data
from core.pb.plan import parse_pb
from core.pb.ports import PBS
from core.pb.sql import SqlPbRepository, merge_ballots
from core.storage.contributions import (
    Binding,
    CitizenReference,
    Content,
    OnForget,
    OnMerge,
    Participation,
)


async def _check_phases(
    uow: UnitOfWork, pb_id: int, opens_at: datetime | None, closes_at: datetime | None
) -> None:
    """A moved window must still hold the phases, in order."""
    pb = await uow.repository(PBS).get(pb_id)
    if pb is not None and opens_at is not None and closes_at is not None:
        validate_phases(opens_at, pb.review_at, pb.voting_opens_at, closes_at, pb.announce_at)


async def _settle_unannounced(uow: UnitOfWork, pb_id: int, now: datetime) -> None:
    # Closed before it ever opened: nobody voted, there is nothing to announce or implement.
    await uow.repository(PBS).set_phase(
        pb_id, earlier_than(PbPhase.IMPLEMENTATION), PbPhase.IMPLEMENTATION
    )


PB = CampaignKindSpec(
    kind=CampaignKind.PB,
    opened_headline=N_("💰 Public budget: “{title}” — propose a project for your city"),
    results_on_close=False,
    check_window=_check_phases,
    settle_unannounced=_settle_unannounced,
    sweep=pbs.advance_phases,
    tables=tables,
    repositories=(Binding(PBS, SqlPbRepository),),
    participants=tables.pb_participants,
    citizen_columns=(
        # A proposal is public content: it stays, cut off from a forgotten author.
        CitizenReference(
            "pb_projects",
            "author_id",
            OnMerge.REASSIGN,
            OnForget.ANONYMIZE,
            forget_plan=Content(("title", "description"), cleared=("photo_ref",)),
        ),
        # One person, one ballot per pot: the ballot submitted first stands.
        CitizenReference(
            "pb_ballots",
            "citizen_id",
            OnMerge.KIND_RULE,
            OnForget.ANONYMIZE,
            merge=merge_ballots,
            forget_plan=Participation("pb_id"),
        ),
    ),
    parse_file=parse_pb,
    open_data=pb_open_data,
)
