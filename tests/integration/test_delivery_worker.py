"""Delivery workers on a real database (SQLite and PostgreSQL): outcomes, retries, pauses."""

from __future__ import annotations

from datetime import timedelta

from core.citizens.model import IdentityRef
from core.delivery.messenger import Permanent, RateLimited, Scope, Transient
from core.delivery.model import OutboxStatus
from core.delivery.worker import DeliveryWorker, PlatformLimits
from tests.fakes.messenger import FakeMessenger
from tests.integration.test_outbox import progress, push, resident

FAST = {"telegram": PlatformLimits(rate=1000.0, burst=1000.0, batch=50)}


def worker(app, messenger: FakeMessenger, **kwargs) -> DeliveryWorker:
    kwargs.setdefault("limits", FAST)
    return DeliveryWorker(
        app.uow_factory, {"telegram": messenger}, app.clock, sleep=_no_sleep, **kwargs
    )


async def _no_sleep(_seconds: float) -> None:
    return None


async def test_every_recipient_gets_the_push_once_in_their_language(app):
    await resident(app, "olena", locale="uk")
    await resident(app, "john", locale="en")
    messenger = FakeMessenger()
    broadcast_id = await push(app, "all")

    await worker(app, messenger).drain("telegram")
    await worker(app, messenger).drain("telegram")  # nothing left for a second pass

    assert messenger.texts_to("olena") == ["Кампанії"]
    assert messenger.texts_to("john") == ["Campaigns"]
    state = await progress(app, broadcast_id)
    assert state.count(OutboxStatus.SENT) == 2 and state.done


async def test_a_blocked_resident_becomes_unreachable_and_is_not_retried(app):
    await resident(app, "gone")
    messenger = FakeMessenger(blocked={"gone"})
    broadcast_id = await push(app, "all")

    await worker(app, messenger).drain("telegram")

    state = await progress(app, broadcast_id)
    assert state.count(OutboxStatus.UNREACHABLE) == 1 and state.done
    async with app.uow_factory() as uow:
        assert await uow.citizens.is_reachable(IdentityRef("telegram", "gone")) is False
    assert await push(app, "all") and (await progress(app, broadcast_id + 1)) is not None


async def test_transient_failures_back_off_then_fail_for_good_with_the_reason(app, clock):
    await resident(app, "olena")
    messenger = FakeMessenger()
    messenger.failures.extend(Transient("502 Bad Gateway") for _ in range(5))
    broadcast_id = await push(app, "all")
    w = worker(app, messenger)

    waits = []
    for _ in range(5):
        report = await w.run_once("telegram")
        assert report.claimed == 1
        if report.retried:
            async with app.uow_factory() as uow:
                assert (
                    await uow.outbox.claim(
                        "telegram", limit=1, now=clock(), lease_until=clock(), worker="x"
                    )
                    == []
                )
                await uow.rollback()
        step = [30, 120, 600, 3600, 0][len(waits)]
        waits.append(step)
        clock.advance(seconds=step)

    state = await progress(app, broadcast_id)
    assert state.count(OutboxStatus.FAILED) == 1
    assert messenger.sent == []


async def test_a_permanent_rejection_fails_at_once(app):
    await resident(app, "olena")
    messenger = FakeMessenger()
    messenger.failures.append(Permanent("Bad Request: message is too long"))
    broadcast_id = await push(app, "all")

    await worker(app, messenger).drain("telegram")

    assert (await progress(app, broadcast_id)).count(OutboxStatus.FAILED) == 1


async def test_a_429_pauses_the_platform_for_every_worker_then_sends_the_rest(app, clock):
    for name in ("a", "b", "c"):
        await resident(app, name)
    messenger = FakeMessenger()
    messenger.failures.append(RateLimited(5))
    broadcast_id = await push(app, "all")
    one_at_a_time = {"telegram": PlatformLimits(rate=1000.0, burst=1000.0, batch=1)}
    first = worker(app, messenger, limits=one_at_a_time)
    second = worker(app, messenger, limits=one_at_a_time)

    await first.run_once("telegram")
    # Another worker (another process) sees the pause in the database and sends nothing.
    assert (await second.run_once("telegram")).sent == 0
    assert messenger.sent == []
    clock.advance(seconds=6)
    await second.drain("telegram")

    assert sorted(to for to, _ in messenger.sent) == ["a", "b", "c"]
    assert (await progress(app, broadcast_id)).count(OutboxStatus.SENT) == 3


async def test_a_chats_429_holds_back_that_chat_only_and_costs_no_attempt(app, clock):
    for name in ("a", "b", "c"):
        await resident(app, name)
    messenger = FakeMessenger()
    messenger.failures.append(RateLimited(5, Scope.CHAT))
    broadcast_id = await push(app, "all")
    one_at_a_time = {"telegram": PlatformLimits(rate=1000.0, burst=1000.0, batch=1)}
    w = worker(app, messenger, limits=one_at_a_time)

    first = await w.run_once("telegram")
    assert (first.sent, first.retried, first.failed) == (0, 0, 0)
    # The platform is not paused: the other chats go out at once.
    await w.drain("telegram")
    assert len(messenger.sent) == 2
    clock.advance(seconds=6)
    await w.drain("telegram")

    assert len(messenger.sent) == 3
    state = await progress(app, broadcast_id)
    assert state.count(OutboxStatus.SENT) == 3 and state.done


async def test_rows_of_a_crashed_worker_are_resent_after_their_lease_expires(app, clock):
    for name in ("a", "b"):
        await resident(app, name)
    broadcast_id = await push(app, "all")
    async with app.uow_factory() as uow:  # a worker claims, then dies before recording
        now = clock()
        await uow.outbox.claim(
            "telegram", limit=1, now=now, lease_until=now + timedelta(seconds=60), worker="dead"
        )
        await uow.commit()
    messenger = FakeMessenger()

    await worker(app, messenger).drain("telegram")
    assert [to for to, _ in messenger.sent] == ["b"]  # "a" is still leased to the dead worker
    clock.advance(seconds=61)
    await worker(app, messenger).drain("telegram")

    assert sorted(to for to, _ in messenger.sent) == ["a", "b"]
    assert (await progress(app, broadcast_id)).count(OutboxStatus.SENT) == 2


async def test_the_shared_token_bucket_never_grants_more_than_the_rate(app, clock):
    granted = 0
    async with app.uow_factory() as uow:
        for _ in range(10):
            got, _paused = await uow.outbox.take_tokens(
                "telegram", 100, rate=10.0, burst=5.0, now=clock()
            )
            granted += got
            clock.advance(seconds=0.1)
        await uow.commit()
    assert granted <= 10 * 0.1 * 10 + 5
