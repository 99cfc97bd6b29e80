"""PostgreSQL goes away and comes back: webhooks answer 503, nothing is lost or doubled."""

import asyncio
from urllib.parse import urlsplit

import pytest

from core.bootstrap import bootstrap
from core.campaigns import results
from core.config import Settings
from core.delivery.model import OutboxStatus
from core.delivery.worker import DeliveryWorker, PlatformLimits
from core.polls import service as polls
from tests.adapters.telegram_harness import Resident, open_poll, running_channel
from tests.fakes.messenger import FakeMessenger
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.integration.test_outbox import progress, push, resident


@pytest.fixture
async def proxied_app(postgres_database_url, clock):
    database_url = postgres_database_url
    parts = urlsplit(database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    url = database_url.replace(parts.netloc, f"{parts.username}@127.0.0.1:{proxy.port}")
    app = bootstrap(Settings(database_url=url, _env_file=None), clock=clock)
    yield app, proxy
    await app.aclose()
    await proxy.stop()


async def test_a_vote_during_an_outage_gets_503_and_counts_once_after_redelivery(proxied_app):
    app, proxy = proxied_app
    poll_id = await open_poll(app, "Ремонт якого мосту першим?", ["Через Рось", "На Заріччі"])
    async with FakeTelegramAPI() as fake, running_channel(app, fake, mode="webhook"):
        resident = Resident(fake, 4242, mode="webhook")
        assert await resident.deliver(fake.message_update(4242, text="/start")) == 200

        async with app.uow_factory() as uow:
            option_id = (await polls.get_poll(uow, poll_id)).options[0].id
        vote = fake.callback_update(4242, f"vote:{poll_id}:{option_id}")
        await proxy.cut()
        assert await resident.deliver(vote) == 503, "Telegram must redeliver later"

        await proxy.restore()
        assert await resident.deliver(vote) == 200
        assert await resident.deliver(vote) == 200  # a second redelivery: no second vote

    async with app.uow_factory() as uow:
        outcome = await results.poll_results(uow, poll_id, now=app.clock(), for_official=True)
    assert outcome.voters == 1


async def test_a_worker_backs_off_during_an_outage_and_delivers_everything_after(proxied_app):
    app, proxy = proxied_app
    for name in ("olena", "taras", "iryna"):
        await resident(app, name)
    broadcast_id = await push(app, "all")
    messenger = FakeMessenger()
    worker = DeliveryWorker(
        app.uow_factory,
        {"telegram": messenger},
        app.clock,
        limits={"telegram": PlatformLimits(rate=1000.0, burst=1000.0, batch=50)},
        idle_sleep_s=0.05,
    )
    await proxy.cut()
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(1.5)  # the worker fails, backs off, and keeps trying
    assert not running.done(), "an outage must not kill the worker"
    assert messenger.sent == []
    await proxy.restore()
    for _ in range(100):
        state = await progress(app, broadcast_id)
        if state.done:
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert state.count(OutboxStatus.SENT) == 3, "nothing lost"
    assert sorted(m[0] for m in messenger.sent) == ["iryna", "olena", "taras"], "nothing doubled"
