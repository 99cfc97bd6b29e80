"""One worker process per bot at a time (PostgreSQL advisory locks): several `spilno deliver`
processes share out the busy bots, and a process that goes away lets go of its bots."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from core.bootstrap import bootstrap
from core.config import Settings
from core.delivery.locks import PostgresBotLocks
from core.delivery.messenger import BotKey, Messengers
from core.delivery.worker import DeliveryWorker
from core.storage.db import create_engine
from tests.integration.test_delivery_fairness import TimedMessenger, enqueue

LVIV = BotKey(2, "telegram")
KYIV = BotKey(1, "telegram")


async def test_a_bot_is_held_by_one_process_and_let_go_when_it_goes(postgres_database_url):
    first, second = create_engine(postgres_database_url), create_engine(postgres_database_url)
    a, b = PostgresBotLocks(first), PostgresBotLocks(second)
    try:
        assert await a.hold(LVIV)
        assert not await b.hold(LVIV)
        assert await b.hold(KYIV)
        assert await a.workers() == await b.workers() == 2
        assert await a.fewest_held() == 1

        await a.release(LVIV)
        assert await b.hold(LVIV)
        await b.aclose()  # its pooled connection goes back without the locks
        assert await a.hold(LVIV) and await a.hold(KYIV)
        assert await a.workers() == 1
        async with second.connect() as conn:
            held = await conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
                )
            )
            assert held.scalar_one() == 0
    finally:
        await a.aclose()
        await b.aclose()
        await first.dispose()
        await second.dispose()


async def test_two_worker_processes_take_one_busy_bot_each(postgres_database_url):
    app = bootstrap(Settings(database_url=postgres_database_url, _env_file=None))
    other = bootstrap(Settings(database_url=postgres_database_url, _env_file=None))
    try:
        async with app.engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO hromadas (id, slug, created_at) VALUES (2, 'lviv', now())")
            )
        await enqueue(app, 1, range(100, 140), "Kyiv")
        await enqueue(app, 2, range(200, 240), "Lviv")
        workers, stops, tasks = [], [], []
        for each in (app, other):
            messengers = Messengers()
            messengers[KYIV], messengers[LVIV] = TimedMessenger(), TimedMessenger()
            locks = PostgresBotLocks(each.engine)
            await locks.workers()  # present before either looks for work
            workers.append((messengers, DeliveryWorker(
                each.operator_uow, messengers, each.clock, idle_sleep_s=0.05, locks=locks
            )))  # fmt: skip
        for _messengers, worker in workers:
            stops.append(stop := asyncio.Event())
            tasks.append(asyncio.create_task(worker.run(stop)))
        async with app.engine.connect() as conn:
            for _ in range(200):
                left = await conn.scalar(text("SELECT count(*) FROM outbox WHERE status <> 'sent'"))
                await conn.commit()
                if left == 0:
                    break
                await asyncio.sleep(0.1)
        for stop in stops:
            stop.set()
        await asyncio.gather(*tasks)

        assert left == 0
        senders = {
            bot: [i for i, (m, _w) in enumerate(workers) if m[bot].sent]  # type: ignore[attr-defined]
            for bot in (KYIV, LVIV)
        }
        # Each bot went out through one process only, and each process had one bot.
        assert sorted(len(s) for s in senders.values()) == [1, 1]
        assert senders[KYIV] != senders[LVIV]
    finally:
        await app.aclose()
        await other.aclose()


async def test_a_process_that_started_later_gets_its_share_between_batches(postgres_database_url):
    app = bootstrap(Settings(database_url=postgres_database_url, _env_file=None))
    other = bootstrap(Settings(database_url=postgres_database_url, _env_file=None))
    try:
        async with app.engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO hromadas (id, slug, created_at) VALUES (2, 'lviv', now())")
            )
        await enqueue(app, 1, range(100, 250), "Kyiv")
        await enqueue(app, 2, range(300, 450), "Lviv")
        started: list[tuple[Messengers, asyncio.Event, asyncio.Task[None]]] = []

        async def start(each) -> Messengers:
            messengers = Messengers()
            messengers[KYIV], messengers[LVIV] = TimedMessenger(), TimedMessenger()
            worker = DeliveryWorker(
                each.operator_uow, messengers, each.clock, idle_sleep_s=0.05,
                locks=PostgresBotLocks(each.engine),
            )  # fmt: skip
            stop = asyncio.Event()
            started.append((messengers, stop, asyncio.create_task(worker.run(stop))))
            return messengers

        first = await start(app)
        for _ in range(100):  # alone, it takes both bots
            if first[KYIV].sent and first[LVIV].sent:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.05)
        second = await start(other)
        for _ in range(200):
            if second[KYIV].sent or second[LVIV].sent:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.05)
        for _messengers, stop, _task in started:
            stop.set()
        await asyncio.gather(*(task for _m, _s, task in started))

        # Within a batch or two (50 rows: under 2 s at 29/s) the first gave one bot back.
        assert second[KYIV].sent or second[LVIV].sent  # type: ignore[attr-defined]
        assert not (second[KYIV].sent and second[LVIV].sent)  # type: ignore[attr-defined]
    finally:
        await app.aclose()
        await other.aclose()
