"""PostgreSQL goes away and comes back: webhooks answer 503, nothing is lost or doubled."""

from urllib.parse import urlsplit

import pytest

from core.bootstrap import bootstrap
from core.config import Settings
from core.services import polls, results
from tests.adapters.telegram_harness import Resident, open_poll, running_channel
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.telegram_api import FakeTelegramAPI


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
