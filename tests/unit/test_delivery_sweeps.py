"""Sweeps on a fake clock over a fresh SQLite copy: pushes on open, reminders, results, quiet
hours and the daily digest."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.campaigns import pushes as campaign_pushes
from core.campaigns.audience import Audience
from core.campaigns.reminders import format_reminders, parse_reminders
from core.citizens import service as citizens
from core.citizens.model import IdentityRef, NotificationMode
from core.delivery.model import OutboxStatus
from core.delivery.policy import DeliveryPolicy
from core.delivery.tables import OutboxRow
from core.kernel.errors import ValidationError
from core.polls import service as polls
from core.scheduling.jobs import sweep_campaigns, sweep_digests
from core.storage.db import create_session_factory
from tests.databases import SqliteUnitOfWorkFactory
from tests.fakes.clock import FakeClock

KYIV = ZoneInfo("Europe/Kyiv")
POLICY = DeliveryPolicy(time(22), time(9), 19)


def kyiv(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=KYIV).astimezone(UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(kyiv(23, 12))


@pytest.fixture
def factory(sqlite_uow: SqliteUnitOfWorkFactory) -> SqliteUnitOfWorkFactory:
    return sqlite_uow


async def resident(factory, clock, name, mode=NotificationMode.INSTANT) -> int:
    async with factory() as uow:
        citizen, _ = await citizens.resolve_citizen(uow, IdentityRef("telegram", name), clock())
        citizen.locale = "en"
        citizen.notifications = mode
        await uow.citizens.save(citizen)
        await uow.commit()
    return citizen.id


async def scheduled_poll(factory, clock, *, opens_in_h=1, closes_in_h=49, **delivery):
    async with factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Which park first?",
            options=["North", "South"],
            actor="mayor",
            now=clock(),
            opens_at=clock() + timedelta(hours=opens_in_h),
            closes_at=clock() + timedelta(hours=closes_in_h),
        )
        await uow.campaigns.set_delivery(
            poll.id,
            audience=delivery.get("audience"),
            reminders=delivery.get("reminders", ""),
            send_results=delivery.get("send_results", False),
        )
        await uow.commit()
    return poll


async def pushes(factory) -> list[tuple[str, list[str]]]:
    """(kind, sorted recipients' external ids) of every broadcast, oldest first."""
    async with factory() as uow:
        found = list(reversed(await uow.outbox.recent(limit=100)))
    return [(b.kind, sorted(r.external_id for r in await rows_of(factory, b.id))) for b in found]


async def rows_of(factory: SqliteUnitOfWorkFactory, broadcast_id: int) -> list[OutboxRow]:
    """The outbox rows of one broadcast as stored (no port reads them without claiming)."""
    async with create_session_factory(factory.engine)() as session:
        query = select(OutboxRow).where(OutboxRow.broadcast_id == broadcast_id)
        return list((await session.scalars(query.order_by(OutboxRow.id))).all())


async def vote(factory, clock, poll, citizen_id):
    async with factory() as uow:
        await polls.toggle_choice(
            uow, poll_id=poll.id, citizen_id=citizen_id, option_id=poll.options[0].id, now=clock()
        )
        await uow.commit()


async def test_a_scheduled_poll_opens_itself_and_is_pushed_once_even_if_swept_twice(factory, clock):
    await resident(factory, clock, "olena")
    await scheduled_poll(factory, clock)

    await sweep_campaigns(factory, clock)
    assert await pushes(factory) == []
    clock.advance(hours=1)
    await sweep_campaigns(factory, clock)
    await sweep_campaigns(factory, clock)  # a second scheduler, or the next tick

    assert await pushes(factory) == [("poll.opened", ["olena"])]


async def test_reminders_go_only_to_residents_who_have_not_voted_yet(factory, clock):
    voter = await resident(factory, clock, "voter")
    await resident(factory, clock, "late")
    poll = await scheduled_poll(factory, clock, reminders="24h,2h")
    clock.advance(hours=1)
    await sweep_campaigns(factory, clock)  # opens; closes in 48 h
    await vote(factory, clock, poll, voter)

    clock.advance(hours=23)  # 25 h before closing: no reminder yet
    await sweep_campaigns(factory, clock)
    clock.advance(hours=1, minutes=1)  # 24 h before
    await sweep_campaigns(factory, clock)
    await sweep_campaigns(factory, clock)
    clock.advance(hours=22)  # 2 h before
    await sweep_campaigns(factory, clock)

    assert await pushes(factory) == [
        ("poll.opened", ["late", "voter"]),
        ("poll.reminder", ["late"]),
        ("poll.reminder", ["late"]),
    ]


async def test_a_reminder_missed_while_the_poll_was_not_open_yet_is_not_sent(factory, clock):
    await resident(factory, clock, "olena")
    await scheduled_poll(factory, clock, opens_in_h=1, closes_in_h=3, reminders="24h")
    clock.advance(hours=1)

    await sweep_campaigns(factory, clock)

    assert [kind for kind, _ in await pushes(factory)] == ["poll.opened"]


async def test_results_go_to_participants_when_the_poll_closes_itself(factory, clock):
    voter = await resident(factory, clock, "voter")
    await resident(factory, clock, "other")
    poll = await scheduled_poll(factory, clock, send_results=True)
    clock.advance(hours=1)
    await sweep_campaigns(factory, clock)
    await vote(factory, clock, poll, voter)

    clock.advance(hours=48)
    await sweep_campaigns(factory, clock)

    assert (await pushes(factory))[-1] == ("poll.results", ["voter"])


async def test_a_campaign_audience_limits_who_hears_about_the_opening(factory, clock):
    bus = await resident(factory, clock, "bus")
    await resident(factory, clock, "other")
    async with factory() as uow:
        await uow.subscriptions.set(bus, "topic", "transport", True)
        await uow.commit()
    await scheduled_poll(factory, clock, audience="topic:transport")
    clock.advance(hours=1)

    await sweep_campaigns(factory, clock)

    assert await pushes(factory) == [("poll.opened", ["bus"])]


@pytest.mark.parametrize(
    ("local", "released"),
    [
        (kyiv(23, 12), kyiv(23, 12)),
        (kyiv(23, 21, 59), kyiv(23, 21, 59)),
        (kyiv(23, 22), kyiv(24, 9)),
        (kyiv(23, 23, 30), kyiv(24, 9)),
        (kyiv(24, 3), kyiv(24, 9)),
        (kyiv(24, 9), kyiv(24, 9)),
    ],
)
def test_quiet_hours_hold_bulk_messages_until_nine_in_the_morning(local, released):
    assert POLICY.release_at(local, KYIV) == released


def test_quiet_hours_can_be_configured_or_switched_off():
    assert DeliveryPolicy.from_text("23:30-07:00", 8).release_at(kyiv(23, 23), KYIV) == kyiv(23, 23)
    assert DeliveryPolicy.from_text("", 8).release_at(kyiv(24, 3), KYIV) == kyiv(24, 3)
    with pytest.raises(ValidationError):
        DeliveryPolicy.from_text("late", 8)


def test_the_next_digest_is_today_before_the_hour_and_tomorrow_after_it():
    assert POLICY.next_digest_at(kyiv(23, 12), KYIV) == kyiv(23, 19)
    assert POLICY.next_digest_at(kyiv(23, 19), KYIV) == kyiv(24, 19)


async def test_digest_residents_get_one_message_a_day_listing_what_they_missed(factory, clock):
    from core.delivery import outbox
    from core.delivery.messenger import Button, Message

    await resident(factory, clock, "daily", NotificationMode.DIGEST)
    await resident(factory, clock, "now")
    for title in ("Parks", "Roads"):
        async with factory() as uow:
            await outbox.enqueue(
                uow,
                kind="t",
                audience=Audience.everyone(),
                render=lambda title=title: Message(
                    f"New poll: {title}\n\nDetails", buttons=((Button(title, "open:1"),),)
                ),
                now=clock(),
                policy=POLICY,
            )
            await uow.commit()

    assert await sweep_digests(factory, clock) == 0  # 12:00, the digest is at 19:00
    clock.now = kyiv(23, 19)
    assert await sweep_digests(factory, clock) == 1
    assert await sweep_digests(factory, clock) == 0

    async with factory() as uow:
        (digest,) = [b for b in await uow.outbox.recent() if b.kind == "digest"]
    (row,) = await rows_of(factory, digest.id)
    assert row.external_id == "daily" and OutboxStatus(row.status) is OutboxStatus.PENDING
    assert row.body["text"] == "📬 Your daily digest:\n\n• New poll: Parks\n\n• New poll: Roads"
    assert row.body["buttons"] == [[["Parks", "open:1"]], [["Roads", "open:1"]]]


def test_reminder_offsets_read_the_way_officials_write_them():
    assert parse_reminders("2h, 24h,30m") == (86400, 7200, 1800)
    assert format_reminders(parse_reminders("1d,2h,90m")) == "24h,2h,90m"
    assert parse_reminders("") == ()
    for bad in ("24", "h", "0h", "2w", "1h,,2h"):
        with pytest.raises(ValidationError):
            parse_reminders(bad)


def test_campaign_without_audience_goes_to_every_subscriber():
    from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility

    campaign = Campaign(
        1,
        CampaignKind.POLL,
        "t",
        "",
        CampaignStatus.OPEN,
        None,
        None,
        ResultsVisibility.LIVE,
        kyiv(23, 12),
        "m",
    )
    assert campaign_pushes.campaign_audience(campaign) == Audience.everyone()


CONSULTATION_FILE = """
title: Park benches
closes: 2026-11-25T12:00
reminders: 2h
questions:
  - key: benches
    type: single
    text: More benches?
    options: [Так, Ні]
"""


async def consultation_from_file(factory, clock, text=CONSULTATION_FILE):
    from core.campaigns import service as campaigns
    from core.consultations import service as consultations
    from core.consultations.plan import parse_consultation

    async with factory() as uow:
        created = await consultations.create_consultation(
            uow, parse_consultation(text, tz=KYIV), actor="mayor", now=clock()
        )
        await campaigns.open_campaign(uow, created.id, actor="mayor", now=clock())
        await uow.commit()
    return created


async def answer_and_submit(factory, clock, consultation, citizen_id):
    from core.consultations import service as consultations

    async with factory() as uow:
        question = consultation.questions[0]
        await consultations.choose_option(
            uow,
            consultation_id=consultation.id,
            citizen_id=citizen_id,
            question_id=question.id,
            value=0,
            now=clock(),
        )
        await consultations.submit(
            uow, consultation_id=consultation.id, citizen_id=citizen_id, now=clock()
        )
        await uow.commit()


async def test_a_consultation_file_brings_reminders_and_one_results_push(factory, clock):
    voter = await resident(factory, clock, "voter")
    await resident(factory, clock, "late")
    consultation = await consultation_from_file(factory, clock)
    await answer_and_submit(factory, clock, consultation, voter)

    clock.now = kyiv(25, 10, 1)  # 2 h before closing
    await sweep_campaigns(factory, clock)
    clock.now = kyiv(25, 12)
    await sweep_campaigns(factory, clock)
    await sweep_campaigns(factory, clock)

    assert await pushes(factory) == [
        ("consultation.opened", ["late", "voter"]),
        ("consultation.reminder", ["late"]),
        ("consultation.results", ["voter"]),
    ]


async def test_send_results_false_keeps_a_consultation_quiet_when_it_closes(factory, clock):
    voter = await resident(factory, clock, "voter")
    text = CONSULTATION_FILE.replace("reminders: 2h", "send_results: false")
    consultation = await consultation_from_file(factory, clock, text)
    await answer_and_submit(factory, clock, consultation, voter)

    clock.now = kyiv(25, 12)
    await sweep_campaigns(factory, clock)

    assert [kind for kind, _ in await pushes(factory)] == ["consultation.opened"]


@pytest.mark.parametrize("send_results", [True, False])
async def test_a_contest_file_decides_whether_the_winners_are_announced(
    factory, clock, send_results
):
    from core.contests import service as contests
    from core.contests.plan import parse_contest

    await resident(factory, clock, "olena")
    text = f"""
title: Riverside
problem: Empty in the evening.
submissions: {{opens: 2026-11-23T13:00, closes: 2026-11-24T12:00}}
voting: {{opens: 2026-11-24T12:00, closes: 2026-11-25T12:00}}
reminders: 3h
send_results: {str(send_results).lower()}
"""
    async with factory() as uow:
        await contests.create_contest(uow, parse_contest(text, tz=KYIV), actor="mayor", now=clock())
        await uow.commit()
    for moment in (kyiv(23, 13), kyiv(24, 12), kyiv(25, 9, 1), kyiv(25, 12)):
        clock.now = moment
        await sweep_campaigns(factory, clock)

    kinds = [kind for kind, _ in await pushes(factory)]
    winners = ["contest.winners"] * 2 if send_results else []
    assert kinds == ["contest.opened", "contest.reminder", *winners]
