"""Polls in the campaign-kind template: the shared lifecycle and pushes fit them as they are."""

from __future__ import annotations

from core.campaigns.kinds import CampaignKindSpec
from core.campaigns.model import CampaignKind
from core.hromadas.taxonomy import N_
from core.polls import tables
from core.polls.ports import BALLOTS
from core.polls.sql import SqlBallotRepository
from core.storage.contributions import Binding, CitizenReference, OnForget, OnMerge, Participation

POLL = CampaignKindSpec(
    kind=CampaignKind.POLL,
    opened_headline=N_("🗳 New poll: “{title}”"),
    tables=tables,
    repositories=(Binding(BALLOTS, SqlBallotRepository),),
    participants=tables.poll_participants,
    citizen_columns=(
        CitizenReference(
            "ballots",
            "citizen_id",
            OnMerge.FIRST_BALLOT_STANDS,
            OnForget.ANONYMIZE,
            forget_plan=Participation("campaign_id"),
        ),
    ),
)
