"""The outbox on a real database (SQLite and PostgreSQL): who gets a row, when, and only once."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from core.campaigns.audience import Audience
from core.citizens import service as citizens
from core.citizens.model import IdentityRef, NotificationMode
from core.delivery import outbox
from core.delivery.messenger import Button, Message
from core.delivery.model import OutboxStatus
from core.delivery.payloads import encode_payload
from core.delivery.policy import DeliveryPolicy
from core.kernel.i18n import _
from core.polls import service as polls

NO_QUIET = DeliveryPolicy(quiet_start=None, quiet_end=None, digest_hour=19)


def render() -> Message:
    return Message(_("Campaigns"), buttons=((Button(_("Campaigns"), encode_payload("open", 1)),),))


async def resident(
    app,
    name: str,
    *,
    platform: str = "telegram",
    locale: str | None = "uk",
    mode: NotificationMode = NotificationMode.INSTANT,
    follows: tuple[tuple[str, str], ...] = (),
) -> int:
    async with app.uow_factory() as uow:
        citizen, _ = await citizens.resolve_citizen(uow, IdentityRef(platform, name), app.clock())
        citizen.locale = locale
        citizen.notifications = mode
        await uow.citizens.save(citizen)
        for kind, code in follows:
            await uow.subscriptions.set(citizen.id, kind, code, True)
        await uow.commit()
    return citizen.id


async def push(app, audience: str, **kwargs) -> int:
    kwargs.setdefault("policy", NO_QUIET)
    async with app.uow_factory() as uow:
        broadcast_id = await outbox.enqueue(
            uow,
            kind="test",
            audience=Audience.parse(audience),
            render=render,
            now=app.clock(),
            **kwargs,
        )
        await uow.commit()
    return broadcast_id


async def progress(app, broadcast_id: int):
    async with app.uow_factory() as uow:
        return await uow.outbox.progress(broadcast_id)


async def claim_all(app, platform: str = "telegram"):
    async with app.uow_factory() as uow:
        now = app.clock()
        claimed = await uow.outbox.claim(platform, limit=1000, now=now, lease_until=now, worker="t")
        payloads = await uow.outbox.payloads(sorted({c.broadcast_id for c in claimed}))
        await uow.commit()
    return claimed, payloads


async def test_everyone_who_accepts_notifications_gets_one_row_per_reachable_identity(app):
    await resident(app, "olena")
    await resident(app, "taras", locale="en")
    await resident(app, "quiet", mode=NotificationMode.OFF)
    await resident(app, "local", platform="console")
    blocked = IdentityRef("telegram", "blocked")
    await resident(app, "blocked")
    async with app.uow_factory() as uow:
        await uow.citizens.set_reachable(blocked, False)
        await uow.commit()

    broadcast_id = await push(app, "all")

    state = await progress(app, broadcast_id)
    assert state.total == 2
    assert state.count(OutboxStatus.PENDING) == 2
    claimed, payloads = await claim_all(app)
    assert sorted(c.external_id for c in claimed) == ["olena", "taras"]
    rendered = payloads[broadcast_id]
    assert rendered["uk"]["text"] == "Кампанії" and rendered["en"]["text"] == "Campaigns"
    assert rendered["uk"]["buttons"] == [[["Кампанії", "open:1"]]]


async def test_topic_and_district_audiences_reach_only_their_followers(app):
    await resident(app, "bus", follows=(("topic", "transport"),))
    await resident(app, "park", follows=(("topic", "greenery"), ("district", "center")))
    await resident(app, "none")

    by_topic = await push(app, "topic:transport")
    by_district = await push(app, "district:center")

    claimed, _ = await claim_all(app)
    got = {(c.broadcast_id, c.external_id) for c in claimed}
    assert got == {(by_topic, "bus"), (by_district, "park")}


async def test_digest_residents_are_held_until_the_digest_hour(app):
    await resident(app, "daily", mode=NotificationMode.DIGEST)
    await resident(app, "now")

    broadcast_id = await push(app, "all")

    state = await progress(app, broadcast_id)
    assert state.count(OutboxStatus.HELD) == 1 and state.count(OutboxStatus.PENDING) == 1
    claimed, _ = await claim_all(app)
    assert [c.external_id for c in claimed] == ["now"]


async def test_personal_notifications_skip_the_digest_but_not_off(app):
    daily = await resident(app, "daily", mode=NotificationMode.DIGEST)
    off = await resident(app, "off", mode=NotificationMode.OFF)

    broadcast_id = await push(app, f"citizens:{daily},{off}", bulk=False)

    claimed, _ = await claim_all(app)
    assert [(c.broadcast_id, c.external_id) for c in claimed] == [(broadcast_id, "daily")]


async def test_bulk_pushes_in_quiet_hours_wait_until_morning_city_time(app, clock):
    clock.now = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # 23:30 in Kyiv
    await resident(app, "olena")

    await push(app, "all", policy=DeliveryPolicy(time(22), time(9), 19))

    assert (await claim_all(app))[0] == []
    clock.now = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 09:00 in Kyiv
    assert [c.external_id for c in (await claim_all(app))[0]] == ["olena"]


async def test_reminders_leave_out_residents_who_already_voted(app):
    voter = await resident(app, "voter")
    await resident(app, "late")
    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow, question="Park?", options=["A", "B"], actor="mayor", now=app.clock()
        )
        await uow.commit()
    from core.campaigns import service as campaigns

    async with app.uow_factory() as uow:
        await campaigns.open_campaign(uow, poll.id, actor="mayor", now=app.clock())
        await polls.toggle_choice(
            uow, poll_id=poll.id, citizen_id=voter, option_id=poll.options[0].id, now=app.clock()
        )
        await uow.commit()

    reminder = await push(app, "all", exclude_participants_of=poll.id)
    results = await push(app, f"participants:{poll.id}")

    claimed, _ = await claim_all(app)
    ours = {(c.broadcast_id, c.external_id) for c in claimed} - {
        (c.broadcast_id, c.external_id) for c in claimed if c.broadcast_id < reminder
    }  # the opening push went to both
    assert ours == {(reminder, "late"), (results, "voter")}


async def test_the_same_dedupe_key_enqueues_once(app):
    await resident(app, "olena")

    first = await push(app, "all", dedupe_key="remind:1:7200")
    second = await push(app, "all", dedupe_key="remind:1:7200")

    assert first == second
    assert (await progress(app, first)).total == 1


async def test_a_push_rolled_back_with_its_cause_leaves_nothing(app):
    await resident(app, "olena")
    async with app.uow_factory() as uow:
        await outbox.enqueue(
            uow, kind="t", audience=Audience.everyone(), render=render, now=app.clock()
        )
        # no commit: the state change that caused the push failed

    async with app.uow_factory() as uow:
        assert await uow.outbox.recent() == []


@pytest.mark.parametrize("text", ["", "everyone", "topic:", "topic:mars", "citizens:1,x", "org:0"])
def test_bad_audience_text_is_refused_with_a_reason(text):
    from core.kernel.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        Audience.parse(text)
    assert refused.value.reason.startswith("audience_")
