"""The campaigns' repository port (implemented in core.campaigns.sql)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.campaigns.eligibility import Eligibility
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.polls.model import Poll


class CampaignRepository(Protocol):
    async def add_poll(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        visibility: ResultsVisibility,
        created_by: str,
        now: datetime,
        max_choices: int,
        options: Sequence[str],
    ) -> Poll: ...
    async def set_delivery(
        self, campaign_id: int, *, audience: str | None, reminders: str, send_results: bool
    ) -> None: ...
    async def set_receipts(self, campaign_id: int, on: bool) -> None: ...
    async def set_eligibility(self, campaign_id: int, eligibility: Eligibility) -> None: ...
    async def get(self, campaign_id: int) -> Campaign | None: ...
    async def get_poll(self, campaign_id: int) -> Poll | None: ...
    async def list(
        self,
        *,
        kinds: Sequence[CampaignKind] | None = None,
        statuses: Sequence[CampaignStatus] | None = None,
    ) -> list[Campaign]: ...
    async def transition(
        self,
        campaign_id: int,
        from_statuses: Sequence[CampaignStatus],
        to_status: CampaignStatus,
        now: datetime,
        *,
        opens_at: datetime | None = None,
        closes_at: datetime | None = None,
    ) -> bool:
        """Conditional UPDATE: change status only if the current one is in `from_statuses`."""
        ...

    async def set_window(
        self,
        campaign_id: int,
        from_statuses: Sequence[CampaignStatus],
        *,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        now: datetime,
    ) -> bool:
        """Conditional UPDATE of the window (and status) while the status is in `from_statuses`."""
        ...

    async def delete(self, campaign_id: int, from_statuses: Sequence[CampaignStatus]) -> bool:
        """Conditional DELETE; the rows it owns go with it (ON DELETE CASCADE)."""
        ...

    async def due_to_open(self, now: datetime) -> list[int]: ...
    async def due_to_close(self, now: datetime) -> list[int]: ...
    async def count(self) -> int: ...
