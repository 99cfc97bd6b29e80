"""Campaign pushes on SQLite and PostgreSQL: written with the transition, once even when
schedulers race, and Viber-style native broadcasts grouped per message."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from core.campaigns import pushes as campaign_pushes
from core.campaigns import service as campaigns
from core.campaigns.model import CampaignStatus
from core.contests import service as contests
from core.contests.plan import parse_contest
from core.delivery.messenger import BroadcastReport, Message, SendResult, Sent, Unreachable
from core.delivery.model import OutboxStatus
from core.delivery.worker import DeliveryWorker, PlatformLimits
from core.polls import service as polls
from core.scheduling.jobs import sweep_campaigns
from tests.integration.test_outbox import progress, resident

KYIV = ZoneInfo("Europe/Kyiv")


async def scheduled_poll(app, *, reminders: str = "", opens_in_h: float = 1) -> int:
    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Which park first?",
            options=["North", "South"],
            actor="mayor",
            now=app.clock(),
            opens_at=app.clock() + timedelta(hours=opens_in_h),
            closes_at=app.clock() + timedelta(hours=49),
        )
        await uow.campaigns.set_delivery(
            poll.id, audience=None, reminders=reminders, send_results=False
        )
        await uow.commit()
    return poll.id


async def pushes(app) -> list[tuple[str, int]]:
    async with app.uow_factory() as uow:
        return sorted((p.kind, p.total) for p in await uow.outbox.recent(limit=50))


async def test_two_schedulers_sweeping_at_once_push_a_scheduled_poll_once(app, clock):
    for name in ("a", "b", "c"):
        await resident(app, name)
    await scheduled_poll(app)
    clock.advance(hours=1)

    await asyncio.gather(*(sweep_campaigns(app.uow_factory, app.clock) for _ in range(2)))

    assert await pushes(app) == [("poll.opened", 3)]


async def test_two_reminder_sweeps_at_once_enqueue_one_reminder(app, clock):
    await resident(app, "a")
    await scheduled_poll(app, reminders="24h")
    clock.advance(hours=1)
    await sweep_campaigns(app.uow_factory, app.clock)
    clock.advance(hours=24, minutes=1)

    async def sweep() -> None:
        async with app.uow_factory() as uow:
            await campaign_pushes.send_due_reminders(uow, app.clock())
            await uow.commit()

    await asyncio.gather(sweep(), sweep())

    assert await pushes(app) == [("poll.opened", 1), ("poll.reminder", 1)]


async def test_opening_by_hand_pushes_with_the_transition_or_not_at_all(app):
    await resident(app, "a")
    poll_id = await scheduled_poll(app, opens_in_h=10)
    async with app.uow_factory() as uow:
        await campaigns.open_campaign(uow, poll_id, actor="mayor", now=app.clock())
        # not committed: the opening failed later in the same transaction
    assert await pushes(app) == []

    async with app.uow_factory() as uow:
        await campaigns.open_campaign(uow, poll_id, actor="mayor", now=app.clock())
        await uow.commit()
    assert await pushes(app) == [("poll.opened", 1)]


class FakeViber:
    """A BroadcastingMessenger: one request for many receivers; `gone` are unsubscribed."""

    platform = "viber"

    def __init__(self, gone: set[str]) -> None:
        self.requests: list[tuple[list[str], str]] = []
        self.gone = gone

    async def send(self, external_id: str, message: Message) -> Sent:
        raise AssertionError("bulk traffic must use broadcast()")

    async def broadcast(self, external_ids: list[str], message: Message) -> BroadcastReport:
        self.requests.append((list(external_ids), message.text))
        return BroadcastReport(
            [
                SendResult(r, Unreachable("receiverNotSubscribed"))
                if r in self.gone
                else SendResult(r, Sent("tok"))
                for r in external_ids
            ]
        )


async def test_viber_pushes_go_as_one_broadcast_request_per_language(app):
    for name in ("v1", "v2", "v3"):
        await resident(app, name, platform="viber", locale="uk")
    await resident(app, "v4", platform="viber", locale="en")
    await resident(app, "gone", platform="viber", locale="en")
    from tests.integration.test_outbox import push

    broadcast_id = await push(app, "all")
    viber = FakeViber(gone={"gone"})
    worker = DeliveryWorker(
        app.uow_factory,
        {"viber": viber},
        app.clock,
        limits={"viber": PlatformLimits(rate=50, burst=5, batch=600)},
    )

    await worker.drain("viber")

    assert sorted((sorted(ids), text) for ids, text in viber.requests) == [
        (["gone", "v4"], "Campaigns"),
        (["v1", "v2", "v3"], "Кампанії"),
    ]
    state = await progress(app, broadcast_id)
    assert state.count(OutboxStatus.SENT) == 4
    assert state.count(OutboxStatus.UNREACHABLE) == 1


async def test_a_scheduled_campaign_whose_window_passed_is_closed_without_any_push(app, clock):
    """The scheduler was down through the whole window: nobody is invited to take part in
    something already over, nor told its (empty) outcome."""
    await resident(app, "a")
    poll_id = await scheduled_poll(app)
    async with app.uow_factory() as uow:
        plan = parse_contest(CONTEST_IN_A_DAY, tz=KYIV)
        contest = await contests.create_contest(uow, plan, actor="mayor", now=app.clock())
        await uow.commit()
    clock.advance(days=30)

    opened, closed = await sweep_campaigns(app.uow_factory, app.clock)
    await sweep_campaigns(app.uow_factory, app.clock)

    assert (opened, closed) == ([], [])
    assert await pushes(app) == []
    async with app.uow_factory() as uow:
        assert (await uow.campaigns.get(poll_id)).status == CampaignStatus.CLOSED
        assert (await uow.campaigns.get(contest.id)).status == CampaignStatus.CLOSED
        entries = await uow.audit.list(limit=10)
    closes = [e for e in entries if e.action == "campaign.close"]
    assert {e.after["reason"] for e in closes} == {"window_passed"}


CONTEST_IN_A_DAY = """
title: Benches
problem: Where should the new benches go?
submissions: {opens: 2026-11-24T09:00, closes: 2026-11-25T09:00}
voting: {opens: 2026-11-25T10:00, closes: 2026-11-26T09:00}
"""
