"""SqlIdeaRepository: ideas, idea calls, supports, comments and reports on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.model import CampaignKind, CampaignStatus, ResultsVisibility
from core.campaigns.sql import _campaign, add_campaign_row
from core.campaigns.tables import CampaignRow
from core.ideas.model import (
    PUBLIC_STATUSES,
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
from core.ideas.tables import (
    IdeaCallRow,
    IdeaCodeCounterRow,
    IdeaCommentRow,
    IdeaReportRow,
    IdeaRow,
    IdeaSupportRow,
)
from core.storage import tallies
from core.storage.statements import _session_dialect, record
from core.storage.tenancy import scoped, with_scope

ideas = IdeaRow.__table__
supports = IdeaSupportRow.__table__
comments = IdeaCommentRow.__table__
reports = IdeaReportRow.__table__
counters = IdeaCodeCounterRow.__table__

_PUBLIC = [s.value for s in PUBLIC_STATUSES]
# This repository runs Core statements (no ORM criteria): each one that finds ideas or comments
# by a value from outside (an id in a button, a code typed in the CLI) or lists them says which
# hromada's (core/storage/tenancy.py).
IDEA_IN_SCOPE = scoped(ideas.c.hromada_id)
COMMENT_IN_SCOPE = scoped(comments.c.hromada_id)


@cache
def _bump_counter(dialect: Any) -> Any:
    stmt = dialect.insert(counters)
    return stmt.on_conflict_do_update(
        index_elements=[counters.c.hromada_id, counters.c.year],
        set_={"last_seq": counters.c.last_seq + 1},
    ).returning(counters.c.last_seq)


@cache
def _insert_report(dialect: Any) -> Any:
    return dialect.insert(reports).on_conflict_do_nothing()


def _idea(row: Any) -> Idea:
    return record(
        Idea,
        row,
        status=IdeaStatus(row.status),
        hidden=bool(row.hidden),
        official_status=OfficialStatus(row.official_status) if row.official_status else None,
    )


def _comment(row: Any) -> IdeaComment:
    return record(IdeaComment, row, hidden=bool(row.hidden))


_IDEA_COLUMNS = [c for c in ideas.c if c.name != "keywords"]


class SqlIdeaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _run(self, stmt: Any, params: Any = None) -> Any:
        connection = await self._session.connection()
        return await connection.execute(stmt, with_scope(self._session, params))

    # --- idea calls ---

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
        row = await add_campaign_row(
            self._session,
            kind=CampaignKind.IDEA_CALL,
            title=title,
            description=description,
            status=status,
            opens_at=opens_at,
            closes_at=closes_at,
            visibility=ResultsVisibility.LIVE,
            created_by=created_by,
            now=now,
        )
        self._session.add(IdeaCallRow(campaign_id=row.id, support_threshold=support_threshold))
        await self._session.flush()
        return IdeaCall(campaign=_campaign(row), support_threshold=support_threshold)

    async def get_call(self, campaign_id: int) -> IdeaCall | None:
        found = (
            await self._session.execute(
                select(CampaignRow, IdeaCallRow.support_threshold)
                .join(IdeaCallRow, IdeaCallRow.campaign_id == CampaignRow.id)
                .where(CampaignRow.id == campaign_id)
            )
        ).one_or_none()
        if found is None:
            return None
        return IdeaCall(campaign=_campaign(found[0]), support_threshold=found[1])

    # --- ideas ---

    async def next_code_seq(self, year: int) -> int:
        stmt = _bump_counter(_session_dialect(self._session))
        return (await self._run(stmt, {"year": year, "last_seq": 1})).scalar_one()

    async def add(
        self, idea: NewIdea, *, code: str, status: IdeaStatus, keywords: str, now: datetime
    ) -> Idea:
        values = {
            "code": code,
            "author_id": idea.author_id,
            "call_id": idea.call_id,
            "title": idea.title,
            "description": idea.description,
            "keywords": keywords,
            "photo_ref": idea.photo_ref,
            "latitude": idea.latitude,
            "longitude": idea.longitude,
            "topic": idea.topic,
            "district": idea.district,
            "status": status.value,
            "hidden": False,
            "supports": 0,
            "comments": 0,
            "reports": 0,
            "created_at": now,
            "published_at": now if status == IdeaStatus.PUBLISHED else None,
            "updated_at": now,
        }
        row = (await self._run(ideas.insert().values(**values).returning(*_IDEA_COLUMNS))).one()
        return _idea(row)

    async def get(self, idea_id: int) -> Idea | None:
        row = (
            await self._run(select(*_IDEA_COLUMNS).where(ideas.c.id == idea_id, IDEA_IN_SCOPE))
        ).one_or_none()
        return None if row is None else _idea(row)

    async def get_by_code(self, code: str) -> Idea | None:
        row = (
            await self._run(select(*_IDEA_COLUMNS).where(ideas.c.code == code, IDEA_IN_SCOPE))
        ).one_or_none()
        return None if row is None else _idea(row)

    async def search(self, query: IdeaQuery, *, offset: int, limit: int) -> list[Idea]:
        # One query per page: the counters live on the idea row, so no join or N+1.
        stmt = select(*_IDEA_COLUMNS).where(IDEA_IN_SCOPE)
        if query.public_only:
            stmt = stmt.where(ideas.c.status.in_(_PUBLIC), ideas.c.hidden.is_(False))
        else:
            if query.statuses:
                stmt = stmt.where(ideas.c.status.in_([s.value for s in query.statuses]))
            if query.hidden is not None:
                stmt = stmt.where(ideas.c.hidden.is_(query.hidden))
        if query.official_status is not None:
            stmt = stmt.where(ideas.c.official_status == query.official_status.value)
        if query.topic:
            stmt = stmt.where(ideas.c.topic == query.topic)
        if query.author_id is not None:
            stmt = stmt.where(ideas.c.author_id == query.author_id)
        if query.call_id is not None:
            stmt = stmt.where(ideas.c.call_id == query.call_id)
        if query.sort == IdeaSort.TOP:
            stmt = stmt.order_by(ideas.c.supports.desc(), ideas.c.id.desc())
        else:
            stmt = stmt.order_by(ideas.c.id.desc())
        rows = await self._run(stmt.offset(offset).limit(limit))
        return [_idea(r) for r in rows]

    async def set_status(
        self,
        idea_id: int,
        from_statuses: Sequence[IdeaStatus],
        to_status: IdeaStatus,
        now: datetime,
        *,
        reject_reason: str | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": to_status.value, "updated_at": now}
        if to_status == IdeaStatus.PUBLISHED:
            values["published_at"] = func.coalesce(ideas.c.published_at, now)
        if to_status == IdeaStatus.REJECTED:
            values["reject_reason"] = reject_reason
        result = await self._run(
            update(ideas)
            .where(
                ideas.c.id == idea_id,
                IDEA_IN_SCOPE,
                ideas.c.status.in_([s.value for s in from_statuses]),
            )
            .values(**values)
        )
        return bool(result.rowcount)

    async def set_answer(
        self, idea_id: int, status: OfficialStatus, text: str, now: datetime
    ) -> bool:
        result = await self._run(
            update(ideas)
            .where(ideas.c.id == idea_id, IDEA_IN_SCOPE)
            .values(official_status=status.value, answer=text, answered_at=now, updated_at=now)
        )
        return bool(result.rowcount)

    # --- supports ---

    async def add_support(self, idea_id: int, citizen_id: int, now: datetime) -> int | None:
        return await tallies.add_once(
            self._session,
            supports,
            {"idea_id": idea_id, "citizen_id": citizen_id, "created_at": now},
            counter=ideas.c.supports,
            item_id=idea_id,
        )

    async def remove_support(self, idea_id: int, citizen_id: int) -> int | None:
        return await tallies.remove_once(
            self._session,
            supports,
            {"idea_id": idea_id, "citizen_id": citizen_id},
            counter=ideas.c.supports,
            item_id=idea_id,
        )

    async def supports_of(self, citizen_id: int, idea_ids: Sequence[int]) -> set[int]:
        rows = await self._run(
            select(supports.c.idea_id).where(
                supports.c.citizen_id == citizen_id, supports.c.idea_id.in_(list(idea_ids))
            )
        )
        return set(rows.scalars())

    async def supporter_ids(self, idea_id: int) -> list[int]:
        rows = await self._run(
            select(supports.c.citizen_id)
            .where(supports.c.idea_id == idea_id)
            .order_by(supports.c.citizen_id)
        )
        return list(rows.scalars())

    # --- reports ---

    def _target_table(self, target: ReportTarget) -> Any:
        return ideas if target == ReportTarget.IDEA else comments

    async def add_report(
        self, target: ReportTarget, item_id: int, citizen_id: int, reason: str, now: datetime
    ) -> int | None:
        inserted = await self._run(
            _insert_report(_session_dialect(self._session)),
            {
                "target": target.value,
                "item_id": item_id,
                "citizen_id": citizen_id,
                "reason": reason,
                "created_at": now,
            },
        )
        if not inserted.rowcount:
            return None
        table = self._target_table(target)
        result = await self._run(
            update(table)
            .where(table.c.id == item_id)
            .values(reports=table.c.reports + 1)
            .returning(table.c.reports)
        )
        return int(result.scalar_one())

    async def set_hidden(self, target: ReportTarget, item_id: int, hidden: bool) -> bool:
        table = self._target_table(target)
        values: dict[str, Any] = {"hidden": hidden}
        if not hidden:
            values["reports"] = 0
        result = await self._run(
            update(table)
            .where(
                table.c.id == item_id,
                scoped(table.c.hromada_id),
                table.c.hidden.is_(not hidden),
            )
            .values(**values)
        )
        changed = bool(result.rowcount)
        if changed and target == ReportTarget.COMMENT:
            # Hidden comments do not count on the idea's "Comments (n)" button.
            idea_id = select(comments.c.idea_id).where(comments.c.id == item_id).scalar_subquery()
            await self._run(
                update(ideas)
                .where(ideas.c.id == idea_id)
                .values(comments=ideas.c.comments + (1 if not hidden else -1))
            )
        return changed

    async def reported_items(self, *, limit: int = 100) -> list[ReportedItem]:
        idea_rows = (
            await self._run(
                select(ideas.c.id, ideas.c.code, ideas.c.title, ideas.c.reports, ideas.c.hidden)
                .where(ideas.c.reports > 0, IDEA_IN_SCOPE)
                .order_by(ideas.c.hidden.desc(), ideas.c.reports.desc(), ideas.c.id)
                .limit(limit)
            )
        ).all()
        comment_rows = (
            await self._run(
                select(
                    comments.c.id,
                    ideas.c.code,
                    comments.c.text,
                    comments.c.reports,
                    comments.c.hidden,
                )
                .join(ideas, ideas.c.id == comments.c.idea_id)
                .where(comments.c.reports > 0, COMMENT_IN_SCOPE)
                .order_by(comments.c.hidden.desc(), comments.c.reports.desc(), comments.c.id)
                .limit(limit)
            )
        ).all()
        reasons: dict[tuple[str, int], dict[str, int]] = {}
        keys = [("idea", r.id) for r in idea_rows] + [("comment", r.id) for r in comment_rows]
        if keys:
            counted = await self._run(
                select(reports.c.target, reports.c.item_id, reports.c.reason, func.count())
                .where(or_(*(and_(reports.c.target == t, reports.c.item_id == i) for t, i in keys)))
                .group_by(reports.c.target, reports.c.item_id, reports.c.reason)
            )
            for target, item_id, reason, n in counted:
                reasons.setdefault((target, item_id), {})[reason] = int(n)
        items = [
            ReportedItem(
                ReportTarget.IDEA,
                r.id,
                r.code,
                r.title,
                r.reports,
                bool(r.hidden),
                reasons.get(("idea", r.id), {}),
            )
            for r in idea_rows
        ] + [
            ReportedItem(
                ReportTarget.COMMENT,
                r.id,
                r.code,
                r.text,
                r.reports,
                bool(r.hidden),
                reasons.get(("comment", r.id), {}),
            )
            for r in comment_rows
        ]
        items.sort(key=lambda i: (not i.hidden, -i.reports))
        return items[:limit]

    # --- comments ---

    async def add_comment(
        self, idea_id: int, author_id: int, text: str, now: datetime
    ) -> IdeaComment:
        row = (
            await self._run(
                comments.insert()
                .values(
                    idea_id=idea_id,
                    author_id=author_id,
                    text=text,
                    hidden=False,
                    reports=0,
                    created_at=now,
                )
                .returning(*comments.c)
            )
        ).one()
        await self._run(
            update(ideas).where(ideas.c.id == idea_id).values(comments=ideas.c.comments + 1)
        )
        return _comment(row)

    async def get_comment(self, comment_id: int) -> IdeaComment | None:
        row = (
            await self._run(select(comments).where(comments.c.id == comment_id, COMMENT_IN_SCOPE))
        ).one_or_none()
        return None if row is None else _comment(row)

    async def comments(self, idea_id: int, *, offset: int, limit: int) -> list[IdeaComment]:
        rows = await self._run(
            select(comments)
            .where(comments.c.idea_id == idea_id, comments.c.hidden.is_(False))
            .order_by(comments.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [_comment(r) for r in rows]

    async def claim_comment_notice(
        self, idea_id: int, now: datetime, quiet_since: datetime
    ) -> bool:
        result = await self._run(
            update(ideas)
            .where(
                ideas.c.id == idea_id,
                or_(ideas.c.comment_notice_at.is_(None), ideas.c.comment_notice_at <= quiet_since),
            )
            .values(comment_notice_at=now)
        )
        return bool(result.rowcount)

    # --- similarity ---

    async def similar_candidates(
        self, stems: Sequence[str], topic: str | None, *, limit: int
    ) -> list[tuple[Idea, str]]:
        matches = [ideas.c.keywords.like(f"% {s} %") for s in stems if "%" not in s]
        if topic:
            matches.append(ideas.c.topic == topic)
        if not matches:
            return []
        # Rank by how many of the draft's stems (and its topic) each idea shares, in SQL, so
        # only the best few hundred rows travel to Python for the finer score.
        shared = sum((case((m, 1), else_=0) for m in matches), start=literal(0))
        rows = await self._run(
            select(*_IDEA_COLUMNS, ideas.c.keywords)
            .where(
                IDEA_IN_SCOPE,
                ideas.c.status.in_(_PUBLIC),
                ideas.c.hidden.is_(False),
                or_(*matches),
            )
            .order_by(shared.desc(), ideas.c.supports.desc(), ideas.c.id.desc())
            .limit(limit)
        )
        return [(_idea(r), r.keywords) for r in rows]
