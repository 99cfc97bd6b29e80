"""Settings → My receipts: the receipt of each of a resident's current votes."""

from __future__ import annotations

from dataclasses import dataclass

from core.contests.ports import CONTESTS
from core.kernel.unit_of_work import UnitOfWork
from core.pb.ports import PBS
from core.polls.ports import BALLOTS


@dataclass(frozen=True, slots=True)
class MyReceipt:
    campaign_id: int
    title: str
    receipt: str
    pot: str | None = None  # a participatory budget's: one ballot, one code per pot


async def my_receipts(uow: UnitOfWork, citizen_id: int) -> list[MyReceipt]:
    """The receipts of a resident's current votes (polls, contests, then public budgets),
    newest first within each."""
    found: list[tuple[int, str | None, str]] = [
        (c, None, r) for c, r in await uow.repository(BALLOTS).receipts_of(citizen_id)
    ]
    found += [(c, None, r) for c, r in await uow.repository(CONTESTS).receipts_of(citizen_id)]
    found += [(c, p, r) for c, p, r in await uow.repository(PBS).receipts_of(citizen_id)]
    out = []
    for campaign_id, pot, receipt in found:
        campaign = await uow.campaigns.get(campaign_id)
        if campaign is not None:
            out.append(MyReceipt(campaign_id, campaign.title, receipt, pot))
    return out
