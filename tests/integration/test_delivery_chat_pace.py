"""At most one bulk message per chat per interval (SQLite and PostgreSQL), across pushes and
workers; other chats are not held up."""

from __future__ import annotations

from datetime import timedelta

from core.delivery.model import OutboxStatus
from core.delivery.worker import DeliveryWorker, PlatformLimits
from tests.fakes.messenger import FakeMessenger
from tests.integration.test_outbox import progress, push, resident


def paced(per_chat_s: float) -> dict[str, PlatformLimits]:
    return {"telegram": PlatformLimits(rate=1000.0, burst=1000.0, batch=50, per_chat_s=per_chat_s)}


def worker(app, messenger: FakeMessenger, per_chat_s: float = 1.0) -> DeliveryWorker:
    return DeliveryWorker(
        app.uow_factory,
        {"telegram": messenger},
        app.clock,
        limits=paced(per_chat_s),
        sleep=_no_sleep,
    )


async def _no_sleep(_seconds: float) -> None:
    return None


async def test_two_pushes_back_to_back_reach_a_chat_one_interval_apart(app, clock):
    await resident(app, "olena")
    await resident(app, "taras")
    first = await push(app, "all")
    second = await push(app, "all")
    messenger = FakeMessenger()

    await worker(app, messenger).drain("telegram")
    assert sorted(to for to, _ in messenger.sent) == ["olena", "taras"]  # one each, not two
    assert (await progress(app, second)).count(OutboxStatus.PENDING) == 2

    clock.advance(seconds=0.5)
    await worker(app, messenger).drain("telegram")
    assert len(messenger.sent) == 2  # still within the second

    clock.advance(seconds=0.6)
    await worker(app, messenger).drain("telegram")
    assert sorted(to for to, _ in messenger.sent) == ["olena", "olena", "taras", "taras"]
    for broadcast_id in (first, second):
        assert (await progress(app, broadcast_id)).count(OutboxStatus.SENT) == 2
    async with app.uow_factory() as uow:  # holding a row back spent none of its attempts
        claimed = await uow.outbox.claim(
            "telegram", limit=10, now=clock(), lease_until=clock(), worker="probe"
        )
        await uow.rollback()
    assert claimed == []


async def test_a_chat_another_worker_is_sending_to_waits_its_turn(app, clock):
    await resident(app, "olena")
    await resident(app, "taras")
    await push(app, "all")
    second = await push(app, "all")
    async with app.uow_factory() as uow:  # another worker holds olena's first message
        now = clock()
        await uow.outbox.claim(
            "telegram", limit=1, now=now, lease_until=now + timedelta(seconds=60), worker="other"
        )
        await uow.commit()
    messenger = FakeMessenger()

    await worker(app, messenger).drain("telegram")

    assert sorted(to for to, _ in messenger.sent) == ["taras"]
    assert (await progress(app, second)).count(OutboxStatus.PENDING) == 2


async def test_the_per_chat_limit_can_be_turned_off(app):
    await resident(app, "olena")
    await push(app, "all")
    await push(app, "all")
    messenger = FakeMessenger()

    await worker(app, messenger, per_chat_s=0).drain("telegram")

    assert [to for to, _ in messenger.sent] == ["olena", "olena"]


async def test_the_held_back_row_keeps_its_attempts(app, clock):
    await resident(app, "olena")
    await push(app, "all")
    await push(app, "all")
    await worker(app, FakeMessenger()).drain("telegram")
    clock.advance(seconds=1.1)
    async with app.uow_factory() as uow:
        [claimed] = await uow.outbox.claim(
            "telegram", limit=10, now=clock(), lease_until=clock(), worker="probe"
        )
        await uow.rollback()
    assert claimed.attempts == 1  # its first real try
