"""In-memory ideas repository with the SQL one's rules: one support and one report per citizen
per item, atomic counters, conditional status changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.ideas.model import (
    Idea,
    IdeaCall,
    IdeaComment,
    IdeaQuery,
    IdeaSort,
    IdeaStatus,
    NewIdea,
    OfficialStatus,
    ReportedItem,
    ReportTarget,
)


@dataclass
class IdeasMemory:
    calls: dict[int, int | None] = field(default_factory=dict)  # campaign id → threshold
    counters: dict[int, int] = field(default_factory=dict)
    ideas: dict[int, Idea] = field(default_factory=dict)
    keywords: dict[int, str] = field(default_factory=dict)
    comment_notice_at: dict[int, datetime] = field(default_factory=dict)
    supports: set[tuple[int, int]] = field(default_factory=set)
    comments: dict[int, IdeaComment] = field(default_factory=dict)
    reports: dict[tuple[str, int, int], str] = field(default_factory=dict)


class MemoryIdeaRepository:
    def __init__(self, state: object) -> None:
        self.s = state  # MemoryState: campaigns + new_id live there
        self.m: IdeasMemory = state.ideas  # type: ignore[attr-defined]

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
    ) -> IdeaCall:
        campaign = Campaign(
            id=self.s.new_id(),  # type: ignore[attr-defined]
            kind=CampaignKind.IDEA_CALL,
            title=title,
            description=description,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
            results_visibility=ResultsVisibility.LIVE,
            created_at=now,
            created_by=created_by,
        )
        self.s.campaigns[campaign.id] = campaign  # type: ignore[attr-defined]
        self.m.calls[campaign.id] = support_threshold
        return IdeaCall(replace(campaign), support_threshold)

    async def get_call(self, campaign_id: int) -> IdeaCall | None:
        if campaign_id not in self.m.calls:
            return None
        campaign = self.s.campaigns[campaign_id]  # type: ignore[attr-defined]
        return IdeaCall(replace(campaign), self.m.calls[campaign_id])

    async def next_code_seq(self, year: int) -> int:
        self.m.counters[year] = self.m.counters.get(year, 0) + 1
        return self.m.counters[year]

    async def add(
        self, idea: NewIdea, *, code: str, status: IdeaStatus, keywords: str, now: datetime
    ) -> Idea:
        if any(i.code == code for i in self.m.ideas.values()):
            raise AssertionError(f"duplicate idea code {code}")
        stored = Idea(
            id=self.s.new_id(),  # type: ignore[attr-defined]
            code=code,
            author_id=idea.author_id,
            title=idea.title,
            description=idea.description,
            topic=idea.topic,
            district=idea.district,
            status=status,
            created_at=now,
            call_id=idea.call_id,
            photo_ref=idea.photo_ref,
            latitude=idea.latitude,
            longitude=idea.longitude,
            published_at=now if status == IdeaStatus.PUBLISHED else None,
        )
        self.m.ideas[stored.id] = stored
        self.m.keywords[stored.id] = keywords
        return replace(stored)

    async def get(self, idea_id: int) -> Idea | None:
        found = self.m.ideas.get(idea_id)
        return replace(found) if found else None

    async def get_by_code(self, code: str) -> Idea | None:
        return next((replace(i) for i in self.m.ideas.values() if i.code == code), None)

    async def search(self, query: IdeaQuery, *, offset: int, limit: int) -> list[Idea]:
        def keep(i: Idea) -> bool:
            if query.public_only and not i.is_public:
                return False
            if not query.public_only:
                if query.statuses and i.status not in query.statuses:
                    return False
                if query.hidden is not None and i.hidden != query.hidden:
                    return False
            return (
                (query.official_status is None or i.official_status == query.official_status)
                and (not query.topic or i.topic == query.topic)
                and (query.author_id is None or i.author_id == query.author_id)
                and (query.call_id is None or i.call_id == query.call_id)
            )

        def key(i: Idea) -> tuple[int, int]:
            return (-i.supports if query.sort == IdeaSort.TOP else 0, -i.id)

        found = sorted(filter(keep, self.m.ideas.values()), key=key)
        return [replace(i) for i in found[offset : offset + limit]]

    async def set_status(
        self,
        idea_id: int,
        from_statuses: Sequence[IdeaStatus],
        to_status: IdeaStatus,
        now: datetime,
        *,
        reject_reason: str | None = None,
    ) -> bool:
        idea = self.m.ideas.get(idea_id)
        if idea is None or idea.status not in from_statuses:
            return False
        idea.status = to_status
        if to_status == IdeaStatus.PUBLISHED:
            idea.published_at = idea.published_at or now
        if to_status == IdeaStatus.REJECTED:
            idea.reject_reason = reject_reason
        return True

    async def set_answer(
        self, idea_id: int, status: OfficialStatus, text: str, now: datetime
    ) -> bool:
        idea = self.m.ideas[idea_id]
        idea.official_status, idea.answer, idea.answered_at = status, text, now
        return True

    async def add_support(self, idea_id: int, citizen_id: int, now: datetime) -> int | None:
        if (idea_id, citizen_id) in self.m.supports:
            return None
        self.m.supports.add((idea_id, citizen_id))
        self.m.ideas[idea_id].supports += 1
        return self.m.ideas[idea_id].supports

    async def remove_support(self, idea_id: int, citizen_id: int) -> int | None:
        if (idea_id, citizen_id) not in self.m.supports:
            return None
        self.m.supports.discard((idea_id, citizen_id))
        self.m.ideas[idea_id].supports -= 1
        return self.m.ideas[idea_id].supports

    async def supports_of(self, citizen_id: int, idea_ids: Sequence[int]) -> set[int]:
        return {i for i in idea_ids if (i, citizen_id) in self.m.supports}

    async def supporter_ids(self, idea_id: int) -> list[int]:
        return sorted(c for i, c in self.m.supports if i == idea_id)

    async def add_report(
        self, target: ReportTarget, item_id: int, citizen_id: int, reason: str, now: datetime
    ) -> int | None:
        key = (target.value, item_id, citizen_id)
        if key in self.m.reports:
            return None
        self.m.reports[key] = reason
        if target == ReportTarget.IDEA:
            self.m.ideas[item_id].reports += 1
            return self.m.ideas[item_id].reports
        comment = self.m.comments[item_id]
        self.m.comments[item_id] = replace(comment, reports=comment.reports + 1)
        return comment.reports + 1

    async def set_hidden(self, target: ReportTarget, item_id: int, hidden: bool) -> bool:
        if target == ReportTarget.IDEA:
            idea = self.m.ideas.get(item_id)
            if idea is None or idea.hidden == hidden:
                return False
            idea.hidden = hidden
            idea.reports = idea.reports if hidden else 0
            return True
        comment = self.m.comments.get(item_id)
        if comment is None or comment.hidden == hidden:
            return False
        self.m.comments[item_id] = replace(
            comment, hidden=hidden, reports=comment.reports if hidden else 0
        )
        self.m.ideas[comment.idea_id].comments += -1 if hidden else 1
        return True

    async def reported_items(self, *, limit: int = 100) -> list[ReportedItem]:
        def reasons(target: str, item_id: int) -> dict[str, int]:
            out: dict[str, int] = {}
            for (t, i, _c), reason in self.m.reports.items():
                if (t, i) == (target, item_id):
                    out[reason] = out.get(reason, 0) + 1
            return out

        items = [
            ReportedItem(
                ReportTarget.IDEA, i.id, i.code, i.title, i.reports, i.hidden, reasons("idea", i.id)
            )
            for i in self.m.ideas.values()
            if i.reports > 0
        ] + [
            ReportedItem(
                ReportTarget.COMMENT,
                c.id,
                self.m.ideas[c.idea_id].code,
                c.text,
                c.reports,
                c.hidden,
                reasons("comment", c.id),
            )
            for c in self.m.comments.values()
            if c.reports > 0
        ]
        items.sort(key=lambda i: (not i.hidden, -i.reports))
        return items[:limit]

    async def add_comment(
        self, idea_id: int, author_id: int, text: str, now: datetime
    ) -> IdeaComment:
        comment = IdeaComment(self.s.new_id(), idea_id, author_id, text, now)  # type: ignore[attr-defined]
        self.m.comments[comment.id] = comment
        self.m.ideas[idea_id].comments += 1
        return comment

    async def get_comment(self, comment_id: int) -> IdeaComment | None:
        return self.m.comments.get(comment_id)

    async def comments(self, idea_id: int, *, offset: int, limit: int) -> list[IdeaComment]:
        found = sorted(
            (c for c in self.m.comments.values() if c.idea_id == idea_id and not c.hidden),
            key=lambda c: -c.id,
        )
        return found[offset : offset + limit]

    async def claim_comment_notice(
        self, idea_id: int, now: datetime, quiet_since: datetime
    ) -> bool:
        last = self.m.comment_notice_at.get(idea_id)
        if last is not None and last > quiet_since:
            return False
        self.m.comment_notice_at[idea_id] = now
        return True

    async def similar_candidates(
        self, stems: Sequence[str], topic: str | None, *, limit: int
    ) -> list[tuple[Idea, str]]:
        found = [
            (replace(i), self.m.keywords[i.id])
            for i in self.m.ideas.values()
            if i.is_public
            and (i.topic == topic or any(f" {s} " in self.m.keywords[i.id] for s in stems))
        ]

        def shared(pair: tuple[Idea, str]) -> int:
            idea, keywords = pair
            return (idea.topic == topic) + sum(f" {s} " in keywords for s in stems)

        found.sort(key=lambda pair: (-shared(pair), -pair[0].supports, -pair[0].id))
        return found[:limit]
