"""Ideas on SQLite and PostgreSQL: constraints, counters under concurrency, outbox rows."""

import asyncio

import pytest
from sqlalchemy import select

from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.delivery.tables import BroadcastRow, OutboxRow
from core.ideas import service as ideas
from core.ideas.model import (
    IdeaQuery,
    IdeaSort,
    IdeaStatus,
    NewIdea,
    OfficialStatus,
    ReportReason,
    ReportTarget,
)
from core.kernel.errors import IdeaNotPublicError
from core.kernel.unit_of_work import ConflictError

POLICY = ideas.IdeaPolicy(premoderation=True, support_threshold=3)


async def new_citizen(app, name: str, locale: str = "uk") -> int:
    async with app.uow_factory() as uow:
        citizen, _new = await citizens.resolve_citizen(
            uow, IdentityRef("telegram", name), app.clock()
        )
        await citizens.choose_locale(uow, citizen, locale)
        await uow.commit()
    return citizen.id


async def submit(app, author: int, title: str = "Лавки в парку Олександрія", **kw) -> int:
    async with app.uow_factory() as uow:
        idea = await ideas.submit_idea(
            uow,
            NewIdea(author, title, kw.pop("description", "Мало лавок"), "greenery", "center", **kw),
            now=app.clock(),
            policy=POLICY,
        )
        await uow.commit()
    return idea.id


async def approve(app, idea_id: int) -> None:
    async with app.uow_factory() as uow:
        await ideas.approve_idea(uow, str(idea_id), actor="olha", now=app.clock())
        await uow.commit()


async def retrying(app, work) -> None:
    for _attempt in range(10):
        try:
            async with app.uow_factory() as uow:
                await work(uow)
                await uow.commit()
            return
        except ConflictError:  # SQLite: "database is locked" under concurrent writers
            await asyncio.sleep(0.02)
    raise AssertionError("never committed")


async def outbox_rows(app, kind: str) -> list[tuple[int, str, str]]:
    async with app.engine.connect() as conn:
        rows = await conn.execute(
            select(OutboxRow.citizen_id, OutboxRow.locale, BroadcastRow.payloads)
            .join(BroadcastRow, BroadcastRow.id == OutboxRow.broadcast_id)
            .where(BroadcastRow.kind == kind)
            .order_by(OutboxRow.citizen_id)
        )
        return [(r.citizen_id, r.locale, r.payloads[r.locale]["text"]) for r in rows]


async def test_codes_are_unique_and_sequential_within_the_year(app):
    author = await new_citizen(app, "a")
    first, second = await submit(app, author), await submit(app, author, title="Фонтан")
    async with app.uow_factory() as uow:
        codes = [(await uow.ideas.get(i)).code for i in (first, second)]
    assert codes == ["ID-2026-0001", "ID-2026-0002"]


async def test_concurrent_supports_count_each_citizen_once(app):
    author = await new_citizen(app, "author")
    idea_id = await submit(app, author)
    await approve(app, idea_id)
    supporters = [await new_citizen(app, f"s{i}") for i in range(4)]

    async def tap(citizen_id: int) -> None:
        async def work(uow):
            await ideas.support_idea(
                uow, idea_id=idea_id, citizen_id=citizen_id, now=app.clock(), policy=POLICY
            )

        await retrying(app, work)

    # Every supporter taps three times at once (double taps, redelivered buttons).
    await asyncio.gather(*(tap(c) for c in supporters for _ in range(3)))
    async with app.uow_factory() as uow:
        idea = await uow.ideas.get(idea_id)
        assert idea.supports == 4
        assert await uow.ideas.supporter_ids(idea_id) == sorted(supporters)
        # The threshold (3) was crossed exactly once, by a conditional update.
        assert idea.status == IdeaStatus.THRESHOLD_REACHED
        entries = [e for e in await uow.audit.list() if e.action == "idea.threshold_reached"]
        assert len(entries) == 1
    assert len(await outbox_rows(app, "idea.threshold")) == 1


async def test_withdrawing_support_lowers_the_count_and_a_second_withdrawal_is_harmless(app):
    author, fan = await new_citizen(app, "author"), await new_citizen(app, "fan")
    idea_id = await submit(app, author)
    await approve(app, idea_id)
    async with app.uow_factory() as uow:
        assert await ideas.support_idea(uow, idea_id=idea_id, citizen_id=fan, now=app.clock()) == 1
        assert await ideas.withdraw_support(uow, idea_id=idea_id, citizen_id=fan) == 0
        assert await ideas.withdraw_support(uow, idea_id=idea_id, citizen_id=fan) == 0
        await uow.commit()


async def test_a_pending_idea_cannot_be_supported(app):
    author, fan = await new_citizen(app, "author"), await new_citizen(app, "fan")
    idea_id = await submit(app, author)
    async with app.uow_factory() as uow:
        with pytest.raises(IdeaNotPublicError):
            await ideas.support_idea(uow, idea_id=idea_id, citizen_id=fan, now=app.clock())


async def test_approval_and_rejection_notify_the_author_in_their_language(app):
    author = await new_citizen(app, "author", locale="en")
    good, bad = await submit(app, author), await submit(app, author, title="Реклама вікон")
    await approve(app, good)
    async with app.uow_factory() as uow:
        await ideas.reject_idea(uow, str(bad), reason="Це реклама", actor="olha", now=app.clock())
        await uow.commit()
    ((who, locale, text),) = await outbox_rows(app, "idea.approved")
    assert (who, locale) == (author, "en")
    assert "ID-2026-0001" in text and "published" in text
    ((_who, _locale, text),) = await outbox_rows(app, "idea.rejected")
    assert "Це реклама" in text


async def test_an_answer_reaches_the_author_and_every_supporter_once(app):
    author = await new_citizen(app, "author")
    fans = [await new_citizen(app, f"f{i}", locale="en") for i in range(2)]
    idea_id = await submit(app, author)
    await approve(app, idea_id)
    async with app.uow_factory() as uow:
        for fan in [*fans, author]:
            await ideas.support_idea(uow, idea_id=idea_id, citizen_id=fan, now=app.clock())
        await ideas.answer_idea(
            uow,
            "ID-2026-0001",
            status=OfficialStatus.ACCEPTED,
            text="Встановимо 20 лавок навесні.",
            actor="olha",
            now=app.clock(),
        )
        await uow.commit()
    rows = await outbox_rows(app, "idea.answered")
    assert [r[0] for r in rows] == sorted([author, *fans])
    assert all("Встановимо 20 лавок" in text for _c, _l, text in rows)
    assert any("прийнято" in text for _c, locale, text in rows if locale == "uk")


async def test_comment_notices_reach_the_author_at_most_once_an_hour(app, clock):
    author, other = await new_citizen(app, "author"), await new_citizen(app, "other")
    idea_id = await submit(app, author)
    await approve(app, idea_id)
    for minutes in (0, 10, 50, 5):
        clock.advance(minutes=minutes)
        async with app.uow_factory() as uow:
            await ideas.add_comment(
                uow, idea_id=idea_id, citizen_id=other, text="Підтримую!", now=app.clock()
            )
            await uow.commit()
    # t=0 notifies; t=10 and t=60 are within the hour after the first notice... t=60 is not.
    assert len(await outbox_rows(app, "idea.comments")) == 2
    async with app.uow_factory() as uow:
        page, more = await ideas.comments_page(uow, idea_id, page=0, page_size=3)
        assert (len(page), more) == (3, True)
        assert page[0].id > page[1].id  # newest first


async def test_three_reports_hide_a_comment_and_restore_brings_it_back(app):
    author = await new_citizen(app, "author")
    reporters = [await new_citizen(app, f"r{i}") for i in range(3)]
    idea_id = await submit(app, author)
    await approve(app, idea_id)
    async with app.uow_factory() as uow:
        comment = await ideas.add_comment(
            uow, idea_id=idea_id, citizen_id=author, text="Купуйте вікна", now=app.clock()
        )
        await uow.commit()

    async def report(citizen_id: int) -> None:
        async def work(uow):
            await ideas.report_item(
                uow,
                target=ReportTarget.COMMENT,
                item_id=comment.id,
                citizen_id=citizen_id,
                reason=ReportReason.SPAM,
                now=app.clock(),
            )

        await retrying(app, work)

    await asyncio.gather(*(report(c) for c in [*reporters, reporters[0]]))
    async with app.uow_factory() as uow:
        assert await ideas.comments_page(uow, idea_id, page=0, page_size=5) == ([], False)
        (item,) = await ideas.reported_items(uow)
        assert (item.reports, item.hidden, item.reasons) == (3, True, {"spam": 3})
        assert (await uow.ideas.get(idea_id)).comments == 0
        await ideas.restore_item(
            uow, ReportTarget.COMMENT, str(comment.id), actor="olha", now=app.clock()
        )
        await uow.commit()
    async with app.uow_factory() as uow:
        assert len((await ideas.comments_page(uow, idea_id, page=0, page_size=5))[0]) == 1
        assert (await uow.ideas.get(idea_id)).comments == 1


async def test_top_list_orders_by_supports_and_similar_search_finds_related_ideas(app):
    author = await new_citizen(app, "author")
    fan = await new_citizen(app, "fan")
    benches = await submit(app, author, title="Нові лавки у сквері над Россю")
    road = await submit(app, author, title="Ремонт дороги на вокзал")
    for idea_id in (benches, road):
        await approve(app, idea_id)
    async with app.uow_factory() as uow:
        await ideas.support_idea(uow, idea_id=road, citizen_id=fan, now=app.clock())
        top, _more = await ideas.browse(uow, IdeaQuery(sort=IdeaSort.TOP), page=0, page_size=5)
        assert [i.id for i in top] == [road, benches]
        similar = await ideas.similar_ideas(
            uow, title="Лавки в сквері над Россю", description="", topic="culture"
        )
        assert [i.id for i, _score in similar] == [benches]
        await uow.commit()


async def test_an_idea_call_counts_its_authors_as_participants(app):
    from core.storage.participation import participants_query

    author = await new_citizen(app, "author")
    async with app.uow_factory() as uow:
        call = await ideas.create_idea_call(
            uow,
            title="Ідеї для парку",
            description="",
            actor="olha",
            now=app.clock(),
            support_threshold=2,
        )
        await uow.commit()
    async with app.uow_factory() as uow:
        from core.campaigns import service as campaigns

        await campaigns.open_campaign(uow, call.id, actor="olha", now=app.clock())
        await uow.commit()
    await submit(app, author, call_id=call.id)
    async with app.engine.connect() as conn:
        found = (await conn.execute(participants_query("idea_call", call.id))).scalars().all()
    assert found == [author]
