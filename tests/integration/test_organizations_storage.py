"""Organizations on a real database (SQLite and PostgreSQL): follows, RSVPs under concurrency,
announcements to followers and channels, reminders by the sweep, cancellations."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.campaigns.audience import Audience, AudienceKind
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.delivery.tables import BroadcastRow, OutboxRow
from core.officials.model import Grant, PermissionDeniedError, Role
from core.organizations import events
from core.organizations import service as organizations
from core.organizations.model import EventCancelledError, Rsvp
from core.scheduling.jobs import sweep_event_reminders

ADMIN = "mayor"


async def resident(app, name: str) -> int:
    async with app.uow_factory() as uow:
        citizen, _ = await citizens.resolve_citizen(uow, IdentityRef("telegram", name), app.clock())
        citizen.locale = "uk"
        await uow.citizens.save(citizen)
        await uow.commit()
    return citizen.id


async def new_org(app, slug: str = "green-city", *, channel: bool = False) -> int:
    async with app.uow_factory() as uow:
        org = await organizations.create_organization(
            uow, actor=ADMIN, slug=slug, name="Зелене місто", now=app.clock()
        )
        if channel:
            await organizations.link_channel(
                uow,
                actor=ADMIN,
                slug=slug,
                platform="telegram",
                chat_id="-1001234",
                username="@green_city",
                title="Green city",
                now=app.clock(),
            )
        await uow.commit()
    return org.id


async def follow(app, org_id: int, citizen_id: int) -> bool:
    async with app.uow_factory() as uow:
        done = await organizations.follow(uow, org_id, citizen_id, app.clock())
        await uow.commit()
    return done


async def new_event(app, slug: str = "green-city", *, hours: float = 48, **kwargs) -> int:
    async with app.uow_factory() as uow:
        event, _ = await events.create_event(
            uow,
            actor=ADMIN,
            slug=slug,
            title="Толока в парку",
            starts_at=app.clock() + timedelta(hours=hours),
            place="Парк Олександрія, головний вхід",
            now=app.clock(),
            **kwargs,
        )
        await uow.commit()
    return event.id


async def rsvp(app, event_id: int, citizen_id: int, answer: Rsvp):
    async with app.uow_factory() as uow:
        view = await events.answer(uow, event_id, citizen_id, answer, app.clock())
        await uow.commit()
    return view.counts


async def outbox_rows(app, kind: str) -> list[tuple[str, str]]:
    async with app.uow_factory() as uow:
        session = uow._session
        rows = await session.execute(
            select(OutboxRow.platform, OutboxRow.external_id, OutboxRow.due_at)
            .join(BroadcastRow, BroadcastRow.id == OutboxRow.broadcast_id)
            .where(BroadcastRow.kind == kind)
            .order_by(OutboxRow.id)
        )
        return [(p, e) for p, e, _due in rows]


async def test_following_twice_counts_once_and_unfollowing_removes_the_follower(app):
    org_id = await new_org(app)
    olena = await resident(app, "1")
    assert await follow(app, org_id, olena) is True
    assert await follow(app, org_id, olena) is False
    async with app.uow_factory() as uow:
        profile = await organizations.profile(uow, org_id, citizen_id=olena, now=app.clock())
        assert (profile.followers, profile.following) == (1, True)
        assert await organizations.unfollow(uow, org_id, olena) is True
        await uow.commit()
    async with app.uow_factory() as uow:
        profile = await organizations.profile(uow, org_id, citizen_id=olena, now=app.clock())
        assert (profile.followers, profile.following) == (0, False)


async def test_a_taken_slug_is_refused(app):
    await new_org(app)
    with pytest.raises(Exception) as caught:
        await new_org(app)
    assert getattr(caught.value, "reason", None) == "slug_taken"


async def test_new_event_reaches_followers_and_the_linked_channel_but_not_others(app):
    org_id = await new_org(app, channel=True)
    follower, stranger = await resident(app, "11"), await resident(app, "12")
    await follow(app, org_id, follower)
    await new_event(app)
    assert await outbox_rows(app, "org.event") == [("telegram", "11"), ("telegram", "-1001234")]
    # The channel's hidden identity is never part of other audiences, `all` included.
    async with app.uow_factory() as uow:
        from core.delivery import outbox
        from core.delivery.messenger import Message

        await outbox.enqueue(
            uow,
            kind="test.all",
            audience=Audience.everyone(),
            render=lambda: Message("hi"),
            now=app.clock(),
        )
        await uow.commit()
    assert sorted(await outbox_rows(app, "test.all")) == [("telegram", "11"), ("telegram", "12")]
    assert stranger


async def test_news_posts_to_one_channel_are_spaced_to_respect_the_per_channel_cap(app):
    await new_org(app, channel=True)
    for text in ("Перша новина", "Друга новина"):
        async with app.uow_factory() as uow:
            await organizations.post_news(
                uow, actor=ADMIN, slug="green-city", text=text, now=app.clock()
            )
            await uow.commit()
    async with app.uow_factory() as uow:
        dues = (
            (
                await uow._session.execute(
                    select(OutboxRow.due_at)
                    .where(OutboxRow.external_id == "-1001234")
                    .order_by(OutboxRow.id)
                )
            )
            .scalars()
            .all()
        )
    assert dues[1] - dues[0] == organizations.CHANNEL_POST_SPACING


async def test_rsvp_counts_each_resident_once_even_when_taps_arrive_together(app):
    await new_org(app)
    event_id = await new_event(app)
    people = [await resident(app, str(100 + i)) for i in range(4)]
    taps = [c for c in people for _ in range(3)]  # everyone taps "I'll come" three times

    async def tap(citizen_id: int) -> None:
        await rsvp(app, event_id, citizen_id, Rsvp.GOING)

    # Each tap in its own transaction, all at once.
    results = await asyncio.gather(*(tap(c) for c in taps), return_exceptions=True)
    # SQLite may refuse a concurrent writer (ConflictError: retried by the dialogs engine);
    # PostgreSQL takes them all. Either way nobody is counted twice.
    assert all(r is None or type(r).__name__ == "ConflictError" for r in results)
    answered = {c for c, r in zip(taps, results, strict=True) if r is None}
    async with app.uow_factory() as uow:
        counts = (await uow.organizations.rsvp_counts([event_id]))[event_id]
    assert (counts.going, counts.not_going) == (len(answered), 0)
    await rsvp(app, event_id, people[0], Rsvp.GOING)
    counts = await rsvp(app, event_id, people[0], Rsvp.NOT_GOING)  # changing one's mind
    assert (counts.going, counts.not_going) == (len(answered - {people[0]}), 1)


async def test_reminder_goes_once_to_those_coming_when_its_time_comes(app, clock):
    org_id = await new_org(app)
    event_id = await new_event(app, hours=26, reminders=[timedelta(hours=24), timedelta(hours=2)])
    coming, not_coming, follower = [await resident(app, n) for n in ("21", "22", "23")]
    await rsvp(app, event_id, coming, Rsvp.GOING)
    await rsvp(app, event_id, not_coming, Rsvp.NOT_GOING)
    await follow(app, org_id, follower)

    assert await sweep_event_reminders(app.uow_factory, clock) == 0
    clock.advance(hours=2, minutes=1)  # 23 h 59 min before the start
    # Two schedulers at once still send one reminder.
    first, second = await asyncio.gather(
        sweep_event_reminders(app.uow_factory, clock),
        sweep_event_reminders(app.uow_factory, clock),
        return_exceptions=True,
    )
    assert sorted(r for r in (first, second) if isinstance(r, int)) in ([0, 1], [1])
    assert await sweep_event_reminders(app.uow_factory, clock) == 0
    assert await outbox_rows(app, "event.reminder") == [("telegram", "21")]
    clock.advance(hours=22)
    assert await sweep_event_reminders(app.uow_factory, clock) == 1
    assert await outbox_rows(app, "event.reminder") == [("telegram", "21")] * 2
    clock.advance(hours=3)  # the event has started: nothing more
    assert await sweep_event_reminders(app.uow_factory, clock) == 0


async def test_reminders_reach_followers_too_when_the_event_says_so(app, clock):
    org_id = await new_org(app)
    follower = await resident(app, "31")
    await follow(app, org_id, follower)
    await new_event(app, hours=3, reminders=[timedelta(hours=2)], remind_followers=True)
    clock.advance(hours=1, minutes=5)
    assert await sweep_event_reminders(app.uow_factory, clock) == 1
    assert await outbox_rows(app, "event.reminder") == [("telegram", "31")]


async def test_cancelling_tells_those_coming_and_the_channel_and_closes_rsvp(app):
    org_id = await new_org(app, channel=True)
    coming, follower = await resident(app, "41"), await resident(app, "42")
    await follow(app, org_id, follower)
    event_id = await new_event(app)
    await rsvp(app, event_id, coming, Rsvp.GOING)
    async with app.uow_factory() as uow:
        await events.cancel_event(
            uow, actor=ADMIN, event_id=event_id, reason="Штормове попередження", now=app.clock()
        )
        await uow.commit()
    assert await outbox_rows(app, "event.cancelled") == [
        ("telegram", "41"),
        ("telegram", "-1001234"),
    ]
    with pytest.raises(EventCancelledError):
        await rsvp(app, event_id, follower, Rsvp.GOING)
    async with app.uow_factory() as uow:
        with pytest.raises(EventCancelledError):
            await events.cancel_event(
                uow, actor=ADMIN, event_id=event_id, reason="again", now=app.clock()
            )


async def test_an_editor_of_another_organization_is_refused_on_the_database(app):
    await new_org(app, "green-city")
    other = await new_org(app, "blue-river")
    async with app.uow_factory() as uow:
        await uow.officials.grant(Grant(ADMIN, Role.CITY_ADMIN), granted_by="t", now=app.clock())
        await uow.officials.grant(
            Grant("ira", Role.ORG_EDITOR, other), granted_by="t", now=app.clock()
        )
        await uow.commit()
    async with app.uow_factory() as uow:
        with pytest.raises(PermissionDeniedError) as refused:
            await organizations.post_news(
                uow, actor="ira", slug="green-city", text="Hi", now=app.clock()
            )
        assert refused.value.reason == "other_organization"
        await organizations.post_news(
            uow, actor="ira", slug="blue-river", text="Hi", now=app.clock()
        )
    assert AudienceKind.ORG


async def test_the_delivery_worker_sends_an_announcement_to_followers_and_the_channel(app, clock):
    worker_module = pytest.importorskip("core.delivery.worker")
    from tests.fakes.messenger import FakeMessenger

    org_id = await new_org(app, channel=True)
    await follow(app, org_id, await resident(app, "51"))
    event_id = await new_event(app)
    telegram = FakeMessenger()

    async def sleep(seconds: float) -> None:  # waiting for send budget moves the fake clock
        clock.advance(seconds=seconds)

    worker = worker_module.DeliveryWorker(
        app.uow_factory, {"telegram": telegram}, clock, sleep=sleep
    )
    await worker.run_once("telegram")
    assert sorted(to for to, _m in telegram.sent) == ["-1001234", "51"]
    for _to, message in telegram.sent:
        assert "Парк Олександрія, головний вхід" in message.text
        assert message.buttons[0][0].payload == f"event:{event_id}"
