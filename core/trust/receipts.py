"""Settings → My receipts: the receipt of each of a resident's current votes."""

from __future__ import annotations

from dataclasses import dataclass

from core.contests.ports import CONTESTS
from core.kernel.unit_of_work import UnitOfWork
from core.polls.ports import BALLOTS


@dataclass(frozen=True, slots=True)
class MyReceipt:
    campaign_id: int
    title: str
    receipt: str


async def my_receipts(uow: UnitOfWork, citizen_id: int) -> list[MyReceipt]:
    """The receipts of a resident's current votes (polls, then contests), newest first."""
    found = await uow.repository(BALLOTS).receipts_of(citizen_id)
    found += await uow.repository(CONTESTS).receipts_of(citizen_id)
    out = []
    for campaign_id, receipt in found:
        campaign = await uow.campaigns.get(campaign_id)
        if campaign is not None:
            out.append(MyReceipt(campaign_id, campaign.title, receipt))
    return out
