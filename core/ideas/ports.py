"""The ideas' repository port (implemented in core.ideas.sql)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.campaigns.model import CampaignStatus
from core.ideas.model import (
    Idea,
    IdeaCall,
    IdeaComment,
    IdeaQuery,
    IdeaStatus,
    NewIdea,
    OfficialStatus,
    ReportedItem,
    ReportTarget,
)
from core.kernel.ports import Port


class IdeaRepository(Protocol):
    """Ideas and idea calls. Counters change by atomic UPDATE next to the constrained row."""

    async def add_call(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        support_threshold: int | None,
        created_by: str,
        now: datetime,
    ) -> IdeaCall: ...
    async def get_call(self, campaign_id: int) -> IdeaCall | None: ...
    async def next_code_seq(self, year: int) -> int:
        """The next number in this year's `ID-<year>-<seq>` series (atomic)."""
        ...

    async def add(
        self, idea: NewIdea, *, code: str, status: IdeaStatus, keywords: str, now: datetime
    ) -> Idea: ...
    async def get(self, idea_id: int) -> Idea | None: ...
    async def get_by_code(self, code: str) -> Idea | None: ...
    async def search(self, query: IdeaQuery, *, offset: int, limit: int) -> list[Idea]: ...
    async def set_status(
        self,
        idea_id: int,
        from_statuses: Sequence[IdeaStatus],
        to_status: IdeaStatus,
        now: datetime,
        *,
        reject_reason: str | None = None,
    ) -> bool:
        """Conditional UPDATE: only from one of `from_statuses`."""
        ...

    async def set_answer(
        self, idea_id: int, status: OfficialStatus, text: str, now: datetime
    ) -> bool: ...
    async def add_support(self, idea_id: int, citizen_id: int, now: datetime) -> int | None:
        """The new support count, or None when this citizen already supports the idea."""
        ...

    async def remove_support(self, idea_id: int, citizen_id: int) -> int | None:
        """The new support count, or None when there was no support to withdraw."""
        ...

    async def supports_of(self, citizen_id: int, idea_ids: Sequence[int]) -> set[int]: ...
    async def supporter_ids(self, idea_id: int) -> list[int]: ...
    async def add_report(
        self, target: ReportTarget, item_id: int, citizen_id: int, reason: str, now: datetime
    ) -> int | None:
        """The item's new report count, or None when this citizen already reported it."""
        ...

    async def set_hidden(self, target: ReportTarget, item_id: int, hidden: bool) -> bool:
        """Hide, or restore (which also clears the report count). False if already so."""
        ...

    async def reported_items(self, *, limit: int = 100) -> list[ReportedItem]: ...
    async def add_comment(
        self, idea_id: int, author_id: int, text: str, now: datetime
    ) -> IdeaComment: ...
    async def get_comment(self, comment_id: int) -> IdeaComment | None: ...
    async def comments(self, idea_id: int, *, offset: int, limit: int) -> list[IdeaComment]:
        """Visible comments, newest first."""
        ...

    async def claim_comment_notice(
        self, idea_id: int, now: datetime, quiet_since: datetime
    ) -> bool:
        """True (and remember `now`) unless the author was told about comments after quiet_since."""
        ...

    async def similar_candidates(
        self, stems: Sequence[str], topic: str | None, *, limit: int
    ) -> list[tuple[Idea, str]]:
        """Public ideas sharing the topic or a word stem, with their stored keywords: a cheap
        prefilter for scoring in Python."""
        ...


IDEAS: Port[IdeaRepository] = Port("ideas", IdeaRepository)
