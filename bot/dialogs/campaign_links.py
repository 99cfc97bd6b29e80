"""`open:<campaign id>`: the button in every campaign push opens that campaign's own screen.

Each kind's screen handler is given the campaign id as its own typed payload, so the
same turn is handed over as is. A new campaign kind adds its screen to OPENERS.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.dialogs import consultations, contests, ideas, menu, polls
from bot.dialogs.turn import Route, Turn, on
from bot.ui import Action, Id, Reply
from core.campaigns import service as campaigns
from core.campaigns.model import CampaignKind
from core.campaigns.pushes import OPEN_ACTION


@dataclass(frozen=True, slots=True)
class OpenCampaign(Action):
    PREFIX = OPEN_ACTION  # campaign pushes rendered in core carry it
    campaign_id: Id


OPEN = OpenCampaign.PREFIX

Opener = Callable[[Turn, int], Awaitable[list[Reply]]]
OPENERS: dict[str, Opener] = {
    CampaignKind.POLL: lambda turn, id_: polls.poll_screen(turn, polls.ShowPoll(id_)),
    CampaignKind.IDEA_CALL: lambda turn, id_: ideas.call_screen(turn, ideas.ShowCall(id_)),
    CampaignKind.CONSULTATION: lambda turn, id_: consultations.consultation_screen(
        turn, consultations.ShowConsultation(id_)
    ),
    CampaignKind.CONTEST: lambda turn, id_: contests.contest_screen(
        turn, contests.ShowContest(id_)
    ),
}


async def open_campaign(turn: Turn, action: OpenCampaign) -> list[Reply]:
    campaign = await campaigns.get_campaign(turn.uow, action.campaign_id)
    opener = OPENERS.get(campaign.kind)
    return await opener(turn, action.campaign_id) if opener else await menu.main_menu(turn)


ROUTES: tuple[Route, ...] = (on(OpenCampaign, open_campaign),)
