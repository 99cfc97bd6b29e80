"""`open:<campaign id>[:results]`: a campaign link opens that campaign's own screen.

Messages rendered in core link to a campaign (core/delivery/links.py); each kind's dialog
module says which of its screens a link opens (`Feature.opener`, `Feature.results`).

Deep links open a screen from outside the chat — `https://t.me/<bot>?start=p12` arrives as
`/start p12`, Viber's `viber://pa?chatURI=<bot>&context=p12` as the opening's context — by
the letter prefix a feature claims (`Feature.deep_links`); anything else is a plain start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.dialogs import menu
from bot.dialogs.feature import Opener
from bot.dialogs.features import FEATURES
from bot.dialogs.turn import Route, Turn, on
from bot.ui import ID_MAX, Action, Id, Reply, Word
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
DEEP_LINKS: dict[str, Opener] = {
    prefix: opener for f in FEATURES for prefix, opener in f.deep_links.items()
}
_DEEP_LINK = re.compile(r"([a-z]+)([1-9][0-9]{0,18})")


def deep_link_of(argument: str | None) -> tuple[Opener, int] | None:
    """`p12` → (the petition opener, 12); None for anything no feature claims."""
    found = _DEEP_LINK.fullmatch(argument or "")
    if found is None or found.group(1) not in DEEP_LINKS or int(found.group(2)) > ID_MAX:
        return None
    return DEEP_LINKS[found.group(1)], int(found.group(2))


async def start(turn: Turn) -> list[Reply]:
    """/start, and the first message of a newcomer: a deep link opens its screen at once (in
    the language the platform hints; the resident picks one later in Settings)."""
    link = deep_link_of(turn.incoming.argument)
    if link is None:
        return await menu.start(turn)
    opener, item_id = link
    return await opener(turn, item_id)


async def welcome(turn: Turn) -> list[Reply]:
    """Viber's opening message: with a deep link's context, the screen it links to (its
    buttons subscribe the resident as any first tap does); else the welcome."""
    link = deep_link_of(turn.incoming.argument)
    if link is None:
        return await menu.welcome(turn)
    opener, item_id = link
    return await opener(turn, item_id)


async def open_campaign(turn: Turn, action: OpenCampaign) -> list[Reply]:
    campaign = await campaigns.get_campaign(turn.uow, action.campaign_id)
    screens = RESULTS if action.view == CampaignView.RESULTS else OPENERS
    opener = screens.get(campaign.kind) or OPENERS.get(campaign.kind)
    return await opener(turn, action.campaign_id) if opener else await menu.main_menu(turn)


ROUTES: tuple[Route, ...] = (on(OpenCampaign, open_campaign),)
