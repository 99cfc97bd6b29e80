"""`open:<campaign id>[:results]`: a campaign link opens that campaign's own screen.

Messages rendered in core link to a campaign (core/delivery/links.py); each kind's dialog
module says which of its screens a link opens (`Feature.opener`, `Feature.results`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs import menu
from bot.dialogs.feature import Opener
from bot.dialogs.features import FEATURES
from bot.dialogs.turn import Route, Turn, on
from bot.ui import Action, Id, Reply, Word
from core.campaigns import service as campaigns
from core.delivery.links import CampaignView, Link


@dataclass(frozen=True, slots=True)
class OpenCampaign(Action):
    PREFIX = Link.CAMPAIGN.value  # campaign pushes rendered in core carry it
    campaign_id: Id
    view: Word | None = None  # a CampaignView; none: the campaign itself

    def __post_init__(self) -> None:
        if self.view is not None:
            CampaignView(self.view)  # ValueError: a view no link carries (a stale button)


OPENERS: dict[str, Opener] = {f.kind: f.opener for f in FEATURES if f.kind and f.opener}
RESULTS: dict[str, Opener] = {f.kind: f.results for f in FEATURES if f.kind and f.results}


async def open_campaign(turn: Turn, action: OpenCampaign) -> list[Reply]:
    campaign = await campaigns.get_campaign(turn.uow, action.campaign_id)
    screens = RESULTS if action.view == CampaignView.RESULTS else OPENERS
    opener = screens.get(campaign.kind) or OPENERS.get(campaign.kind)
    return await opener(turn, action.campaign_id) if opener else await menu.main_menu(turn)


ROUTES: tuple[Route, ...] = (on(OpenCampaign, open_campaign),)
