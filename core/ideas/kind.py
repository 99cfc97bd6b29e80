"""Calls for ideas in the campaign-kind template: the shared lifecycle and pushes fit them."""

from __future__ import annotations

from core.campaigns.kinds import CampaignKindSpec
from core.campaigns.model import CampaignKind
from core.hromadas.taxonomy import N_

IDEA_CALL = CampaignKindSpec(
    kind=CampaignKind.IDEA_CALL, opened_headline=N_("💡 The city asks for your ideas: “{title}”")
)
