"""`open:<campaign id>`: the button in every campaign push opens that campaign's own screen.

Each kind's screen handler reads the campaign id from the payload's first argument, so the
same turn is handed over as is. A new campaign kind adds its screen to OPENERS.
"""

from __future__ import annotations

from bot.dialogs import consultations, contests, ideas, menu, polls
from bot.dialogs.engine import Handler, Turn
from bot.ui import Reply, payload_ids
from core.campaigns import service as campaigns
from core.campaigns.model import CampaignKind
from core.campaigns.pushes import OPEN_ACTION

OPEN = OPEN_ACTION

OPENERS: dict[str, Handler] = {
    CampaignKind.POLL: polls.poll_screen,
    CampaignKind.IDEA_CALL: ideas.call_screen,
    CampaignKind.CONSULTATION: consultations.consultation_screen,
    CampaignKind.CONTEST: contests.contest_screen,
}


async def open_campaign(turn: Turn) -> list[Reply]:
    (campaign_id,) = payload_ids(turn.incoming.payload, 1)
    campaign = await campaigns.get_campaign(turn.uow, campaign_id)
    opener = OPENERS.get(campaign.kind)
    return await opener(turn) if opener else await menu.main_menu(turn)
