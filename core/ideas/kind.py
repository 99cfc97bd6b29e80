"""Calls for ideas in the campaign-kind template: the shared lifecycle and pushes fit them."""

from __future__ import annotations

from core.campaigns.kinds import CampaignKindSpec
from core.campaigns.model import CampaignKind
from core.hromadas.taxonomy import N_
from core.ideas import tables
from core.ideas.ports import IDEAS
from core.ideas.sql import SqlIdeaRepository
from core.storage.contributions import (
    Binding,
    CitizenReference,
    Content,
    OnForget,
    OnMerge,
    Participation,
)

IDEA_CALL = CampaignKindSpec(
    kind=CampaignKind.IDEA_CALL,
    opened_headline=N_("💡 The city asks for your ideas: “{title}”"),
    tables=tables,
    repositories=(Binding(IDEAS, SqlIdeaRepository),),
    participants=tables.idea_call_participants,
    citizen_columns=(
        CitizenReference(
            "ideas",
            "author_id",
            OnMerge.REASSIGN,
            OnForget.ANONYMIZE,
            forget_plan=Content(
                ("title", "description"), cleared=("keywords", "photo_ref", "latitude", "longitude")
            ),
        ),
        CitizenReference(
            "idea_comments",
            "author_id",
            OnMerge.REASSIGN,
            OnForget.ANONYMIZE,
            forget_plan=Content(("text",)),
        ),
        CitizenReference(
            "idea_supports",
            "citizen_id",
            OnMerge.KEEP_SURVIVORS,
            OnForget.ANONYMIZE,
            key=("idea_id",),
            counted_in=("ideas", "supports"),
            forget_plan=Participation(
                "call_id",
                via=("ideas", "idea_id", "call_id"),
                counter=("ideas", "supports", "idea_id"),
            ),
        ),
        CitizenReference(
            "idea_reports",
            "citizen_id",
            OnMerge.KEEP_SURVIVORS,
            OnForget.DELETE,
            key=("target", "item_id"),
        ),
    ),
)
