"""One `serve()` runs every hromada's Telegram bots (real aiogram, fake Bot APIs behind one
URL): each update is handled in its bot's hromada and answered through that bot, each webhook
checks its own bot's secret, and a bot set while running is served within the reload interval.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from bot.channels import Fleet
from bot.dialogs import Dialogs
from bot.runner import Role, serve
from bot.ui import Incoming, Reply
from core.bootstrap import App, bootstrap
from core.config import Settings
from core.delivery import outbox
from core.delivery.messenger import BotKey, Message
from core.hromadas.bots import BotPlatform
from core.hromadas.scope import DEFAULT_HROMADA_ID, current_hromada_id, in_hromada
from tests.fakes.telegram_api import FakeTelegramAPI, FakeTelegramServers
from tests.processes import free_port

RELOAD_S = 0.2
TOKEN_2 = "222222:TEST-token-BBBBBBBBBBBBBBBBBBBBBBBBBBB"
TOKEN_3 = "333333:TEST-token-CCCCCCCCCCCCCCCCCCCCCCCCCCC"


class RecordingDialogs(Dialogs):
    """The real dialogs, noting which hromada each update was handled in."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[tuple[str, int]] = []

    async def handle(
        self, incoming: Incoming, *, hromada_id: int = DEFAULT_HROMADA_ID
    ) -> list[Reply]:
        # The hromada the channel hands the update to; the channel's own scope must agree.
        handled_in = hromada_id if hromada_id == current_hromada_id() else -1
        self.seen.append((incoming.identity.external_id, handled_in))
        return await super().handle(incoming, hromada_id=hromada_id)


@dataclass
class Running:
    app: App
    fleet: Fleet
    dialogs: RecordingDialogs
    servers: FakeTelegramServers
    port: int


async def add_hromada(app: App, slug: str) -> int:
    async with app.engine.begin() as conn:
        return (
            await conn.execute(
                text("INSERT INTO hromadas (slug, created_at) VALUES (:s, :t) RETURNING id"),
                {"s": slug, "t": app.clock()},
            )
        ).scalar_one()


@asynccontextmanager
async def serving(
    database_url: str, servers: FakeTelegramServers, *, webhook: bool, **settings: str
) -> AsyncIterator[Running]:
    port = free_port()
    app = bootstrap(
        Settings(
            database_url=database_url,
            telegram_api_url=servers.base_url,
            webhook_base_url=f"http://127.0.0.1:{port}" if webhook else None,
            http_port=port,
            telegram_chat_interval_s=0,
            _env_file=None,
            **settings,
        )
    )
    dialogs = RecordingDialogs(app.uow_factory, clock=app.clock, default_locale="uk")
    fleet = Fleet(app, dialogs, reload_s=RELOAD_S)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, fleet, stop, role=Role.ALL))
    try:
        yield Running(app, fleet, dialogs, servers, port)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await app.aclose()


async def put_bot(app: App, hromada_id: int, token: str) -> int:
    assert app.bots is not None
    change = await app.bots.put(
        hromada_id, BotPlatform.TELEGRAM, token, username=None, now=app.clock()
    )
    return change.bot_id


async def says_start(fake: FakeTelegramAPI, user_id: int, *, webhook: bool) -> int | None:
    update = fake.message_update(user_id, "/start", language_code="en")
    if webhook:
        return await fake.post_to_webhook(update)
    fake.queue_update(update)
    return None


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_one_process_serves_two_hromadas_bots_each_in_its_own_hromada(database_url, mode):
    webhook = mode == "webhook"
    kyiv_bot, lviv_bot = FakeTelegramAPI(), FakeTelegramAPI(token=TOKEN_2)
    async with FakeTelegramServers(kyiv_bot, lviv_bot) as servers:
        setup = bootstrap(Settings(database_url=database_url, _env_file=None))
        lviv = await add_hromada(setup, "lviv")
        kyiv_id = await put_bot(setup, 1, kyiv_bot.token)
        lviv_id = await put_bot(setup, lviv, lviv_bot.token)
        await setup.aclose()
        async with serving(database_url, servers, webhook=webhook) as running:
            ready = "setWebhook" if webhook else "getUpdates"
            await kyiv_bot.wait_for_method(ready)
            await lviv_bot.wait_for_method(ready)
            if webhook:
                assert kyiv_bot.webhook_url.endswith(f"/telegram/webhook/{kyiv_id}")
                assert lviv_bot.webhook_url.endswith(f"/telegram/webhook/{lviv_id}")
                assert kyiv_bot.webhook_secret != lviv_bot.webhook_secret

            assert await says_start(kyiv_bot, 9001, webhook=webhook) in (200, None)
            assert await says_start(lviv_bot, 9002, webhook=webhook) in (200, None)
            await kyiv_bot.wait_for_method("sendMessage", chat_id=9001)
            await lviv_bot.wait_for_method("sendMessage", chat_id=9002)

            # Each update was handled in its bot's hromada, each answer went out by that bot.
            assert sorted(running.dialogs.seen) == [("9001", 1), ("9002", lviv)]
            assert kyiv_bot.sent_to(9002) == [] and lviv_bot.sent_to(9001) == []

            # Bulk delivery: an outbox row of Lviv goes out through Lviv's bot.
            assert set(running.app.messengers) == {
                BotKey(1, "telegram"),
                BotKey(lviv, "telegram"),
            }
            # A unit of work acts for the hromada current when it opens (core/storage/tenancy.py).
            with in_hromada(lviv):
                async with running.app.uow_factory() as uow:
                    broadcast = await uow.outbox.add_broadcast(
                        kind="announcement", audience="test", campaign_id=None, bulk=False,
                        payloads={"uk": outbox.message_to_json(Message("Lviv: water off"))},
                        dedupe_key=None, created_by="t", now=running.app.clock(),
                    )  # fmt: skip
                    assert broadcast is not None
                    await uow.outbox.enqueue_chat(
                        broadcast, platform="telegram", chat="9002", now=running.app.clock()
                    )
                    await uow.commit()
            [push] = await lviv_bot.wait_for(
                lambda c: c.method == "sendMessage" and c.text == "Lviv: water off"
            )
            assert push.chat_id == 9002
            assert not [c for c in kyiv_bot.calls if c.text == "Lviv: water off"]


async def test_each_bot_checks_its_own_webhook_secret_and_unknown_bots_get_404(database_url):
    kyiv_bot, lviv_bot = FakeTelegramAPI(), FakeTelegramAPI(token=TOKEN_2)
    async with FakeTelegramServers(kyiv_bot, lviv_bot) as servers:
        setup = bootstrap(Settings(database_url=database_url, _env_file=None))
        lviv = await add_hromada(setup, "lviv")
        await put_bot(setup, 1, kyiv_bot.token)
        await put_bot(setup, lviv, lviv_bot.token)
        await setup.aclose()
        async with serving(database_url, servers, webhook=True) as running:
            await kyiv_bot.wait_for_method("setWebhook")
            await lviv_bot.wait_for_method("setWebhook")
            update = kyiv_bot.message_update(9001, "/start")
            # Lviv's secret on Kyiv's webhook, no secret, a made-up one: all refused.
            assert await kyiv_bot.post_to_webhook(update, secret=lviv_bot.webhook_secret) == 401
            assert await kyiv_bot.post_to_webhook(update, secret=None) == 401
            assert await kyiv_bot.post_to_webhook(update, secret="x" * 43) == 401
            assert running.dialogs.seen == []
            # A bot id nobody has, and the legacy path while no legacy bot runs.
            base = f"http://127.0.0.1:{running.port}"
            for path in ("/telegram/webhook/999", "/telegram/webhook"):
                kyiv_bot.webhook_url = base + path
                assert await kyiv_bot.post_to_webhook(update) == 404
            assert running.dialogs.seen == []


async def test_a_bot_set_while_running_is_served_and_a_removed_one_stops(database_url):
    kyiv_bot, odesa_bot = FakeTelegramAPI(), FakeTelegramAPI(token=TOKEN_3)
    async with FakeTelegramServers(kyiv_bot, odesa_bot) as servers:
        setup = bootstrap(Settings(database_url=database_url, _env_file=None))
        odesa = await add_hromada(setup, "odesa")
        await put_bot(setup, 1, kyiv_bot.token)
        async with serving(database_url, servers, webhook=True) as running:
            await kyiv_bot.wait_for_method("setWebhook")
            assert odesa_bot.calls == []
            added_at = asyncio.get_running_loop().time()
            await put_bot(setup, odesa, odesa_bot.token)
            await odesa_bot.wait_for_method("setWebhook", within=RELOAD_S * 10)
            took = asyncio.get_running_loop().time() - added_at
            assert took < RELOAD_S * 10
            assert await says_start(odesa_bot, 9003, webhook=True) == 200
            await odesa_bot.wait_for_method("sendMessage", chat_id=9003)
            assert running.dialogs.seen == [("9003", odesa)]
            assert BotKey(odesa, "telegram") in running.app.messengers

            assert setup.bots is not None
            await setup.bots.remove(odesa, BotPlatform.TELEGRAM)
            for _ in range(50):
                if BotKey(odesa, "telegram") not in running.app.messengers:
                    break
                await asyncio.sleep(RELOAD_S / 2)
            assert BotKey(odesa, "telegram") not in running.app.messengers
            assert await says_start(odesa_bot, 9003, webhook=True) == 404
        await setup.aclose()


async def test_the_legacy_token_is_hromada_1s_bot_until_the_table_has_one(database_url):
    legacy_bot, new_bot = FakeTelegramAPI(), FakeTelegramAPI(token=TOKEN_2)
    async with (
        FakeTelegramServers(legacy_bot, new_bot) as servers,
        serving(database_url, servers, webhook=True, telegram_token=legacy_bot.token) as running,
    ):
        await legacy_bot.wait_for_method("setWebhook")
        assert legacy_bot.webhook_url.endswith("/telegram/webhook")  # the old path
        assert await says_start(legacy_bot, 9001, webhook=True) == 200
        await legacy_bot.wait_for_method("sendMessage", chat_id=9001)
        # The hromada gets a bot of its own: it replaces the legacy one, no restart.
        await put_bot(running.app, 1, new_bot.token)
        await new_bot.wait_for_method("setWebhook", within=RELOAD_S * 10)
        assert await says_start(new_bot, 9002, webhook=True) == 200
        await new_bot.wait_for_method("sendMessage", chat_id=9002)
        assert running.dialogs.seen == [("9001", 1), ("9002", 1)]


async def test_a_petitions_share_link_names_the_residents_own_hromadas_bot(database_url):
    from core.citizens import home_district as homes
    from core.citizens import service as citizens
    from core.citizens.model import IdentityRef
    from core.petitions import service as petitions
    from core.petitions.model import NewPetition
    from tests.adapters.telegram_harness import Resident
    from tests.dialogs import verify_phone

    # Kyiv's bot has no stored @username (Telegram's getMe tells it); Lviv's was stored with
    # it at set-bot. The installation-wide SPILNO_TELEGRAM_BOT_USERNAME is neither.
    kyiv_bot = FakeTelegramAPI(username="kyiv_hromada_bot")
    lviv_bot = FakeTelegramAPI(token=TOKEN_2, username="not_asked_bot")
    async with FakeTelegramServers(kyiv_bot, lviv_bot) as servers:
        setup = bootstrap(Settings(database_url=database_url, _env_file=None))
        lviv = await add_hromada(setup, "lviv")
        await put_bot(setup, 1, kyiv_bot.token)
        assert setup.bots is not None
        await setup.bots.put(
            lviv, BotPlatform.TELEGRAM, lviv_bot.token, username="lviv_city_bot", now=setup.clock()
        )
        petition_of: dict[int, int] = {}
        for hromada, user in ((1, 701), (lviv, 702)):
            with in_hromada(hromada):
                async with setup.uow_factory() as uow:
                    author, _new = await citizens.resolve_citizen(
                        uow, IdentityRef("telegram", str(user)), setup.clock()
                    )
                    await verify_phone(uow, author, setup.clock())
                    await homes.set_home_district(uow, author, "center", setup.clock())
                    petition = await petitions.file_petition(
                        uow,
                        NewPetition(author.id, "Рада", "Streetlights", "Please.", "roads"),
                        now=setup.clock(),
                    )
                    await petitions.approve_petition(
                        uow, petition.id, actor="olha", now=setup.clock()
                    )
                    await uow.commit()
                petition_of[hromada] = petition.id
        await setup.aclose()
        async with serving(
            database_url, servers, webhook=True, telegram_bot_username="installation_bot"
        ):
            await kyiv_bot.wait_for_method("setWebhook")
            await lviv_bot.wait_for_method("setWebhook")
            for fake, user, hromada, name in (
                (kyiv_bot, 701, 1, "kyiv_hromada_bot"),
                (lviv_bot, 702, lviv, "lviv_city_bot"),
            ):
                resident = Resident(fake, user, mode="webhook", language_code="en")
                await resident.say(f"/start p{petition_of[hromada]}")
                await resident.sees(f"Petition №{petition_of[hromada]}")
                await resident.press("Share the petition")
                shown = await resident.sees("Share this link with your neighbours")
                assert f"https://t.me/{name}?start=p{petition_of[hromada]}" in (shown.text or "")
                assert "installation_bot" not in (shown.text or "")


async def test_spilno_run_with_no_bot_yet_serves_and_starts_the_first_one_set(tmp_path):
    """An installation of several hromadas whose bots are not set yet: `spilno run` serves
    (no console chat) and answers through a bot set later, without a restart."""
    import signal
    import sys

    from tests.adapters.telegram_harness import Resident
    from tests.processes import spilno_env

    database_url = f"sqlite+aiosqlite:///{tmp_path / 'spilno.db'}"
    setup = bootstrap(Settings(database_url=database_url, _env_file=None))
    await setup.prepare_database()
    lviv = await add_hromada(setup, "lviv")
    lviv_bot = FakeTelegramAPI(token=TOKEN_2)
    async with FakeTelegramServers(lviv_bot) as servers:
        env = spilno_env(
            database_url=database_url,
            telegram_api_url=servers.base_url,
            http_host="127.0.0.1",
            http_port=str(free_port()),
            bots_reload_s="0.5",
            default_locale="en",
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            assert process.stdout is not None
            first = await asyncio.wait_for(process.stdout.readline(), 120)
            assert b"No bot is set yet" in first, first
            assert process.returncode is None  # serving, not a console chat that read EOF
            await put_bot(setup, lviv, lviv_bot.token)
            await lviv_bot.wait_for_method("getUpdates", within=60)
            resident = Resident(lviv_bot, 9002, mode="polling", language_code="en")
            await resident.say("/start")
            await lviv_bot.wait_for_method("sendMessage", chat_id=9002, within=30)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), 30)
            await setup.aclose()
        assert process.returncode == 0, err.decode()[-2000:]


async def test_spilno_run_on_a_newcomers_database_still_opens_the_console(tmp_path):
    import sys

    from tests.processes import spilno_env

    env = spilno_env(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'spilno.db'}",
        http_port=str(free_port()),
        default_locale="en",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()[-2000:]
    assert b"opening the console channel" in out
    assert b"No bot is set yet" not in out
