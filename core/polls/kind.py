"""Polls in the campaign-kind template: the shared lifecycle and pushes fit them as they are."""

from __future__ import annotations

from core.campaigns.kinds import CampaignKindSpec
from core.campaigns.model import CampaignKind
from core.hromadas.taxonomy import N_

POLL = CampaignKindSpec(kind=CampaignKind.POLL, opened_headline=N_("🗳 New poll: “{title}”"))
