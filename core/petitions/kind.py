"""Petitions in the campaign-kind template: each petition is a campaign of its own.

Moderation opens it (not `campaign open`), its answer or its period closes it, and its sweep
closes those that fell short. Nobody is pushed when one opens: its author shares it.
"""

from __future__ import annotations

from core.campaigns.kinds import CampaignKindSpec
from core.campaigns.model import CampaignKind
from core.hromadas.taxonomy import N_
from core.petitions import service, tables
from core.petitions.ports import PETITIONS
from core.petitions.sql import SqlPetitionRepository
from core.storage.contributions import (
    Binding,
    CitizenReference,
    Content,
    OnForget,
    OnMerge,
    Participation,
)

PETITION = CampaignKindSpec(
    kind=CampaignKind.PETITION,
    opened_headline=N_("✍️ New petition: “{title}”"),
    results_on_close=False,
    own_lifecycle=True,
    sweep=service.sweep,
    tables=tables,
    repositories=(Binding(PETITIONS, SqlPetitionRepository),),
    participants=tables.petition_participants,
    citizen_columns=(
        # A petition is an appeal others signed: it stays as filed, only its author is cut off.
        CitizenReference(
            "petitions",
            "author_id",
            OnMerge.REASSIGN,
            OnForget.ANONYMIZE,
            forget_plan=Content(()),
        ),
        # One signature per person: where both of the merged citizens signed, one stays and
        # the count is recounted. Forgetting withdraws it from a petition still collecting
        # and anonymizes it in one that closed (its count is part of a published outcome).
        CitizenReference(
            "petition_signatures",
            "citizen_id",
            OnMerge.KEEP_SURVIVORS,
            OnForget.ANONYMIZE,
            key=("petition_id",),
            counted_in=("petitions", "signatures"),
            forget_plan=Participation(
                "petition_id", counter=("petitions", "signatures", "petition_id")
            ),
        ),
    ),
)
