"""Delivery by many bots: one hromada's big broadcast does not hold back another's small one;
each bot sends at its own rate (SQLite and PostgreSQL, real clock)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from sqlalchemy import text

from core.bootstrap import bootstrap
from core.config import Settings
from core.delivery import outbox
from core.delivery.messenger import BotKey, Message, Messengers, SendOutcome, Sent
from core.delivery.worker import DeliveryWorker, PlatformLimits
from core.hromadas.scope import in_hromada

CAP = 30.0


@dataclass
class TimedMessenger:
    """Records when each message went out (no network)."""

    platform: str = "telegram"
    limits: PlatformLimits = field(default_factory=lambda: PlatformLimits.for_cap(CAP))
    sent: list[tuple[float, str]] = field(default_factory=list)

    async def send(self, external_id: str, message: Message) -> SendOutcome:
        self.sent.append((time.monotonic(), external_id))
        return Sent(str(len(self.sent)))


async def enqueue(app, hromada_id: int, chats: range, words: str) -> None:
    with in_hromada(hromada_id):  # the unit of work is scoped to the hromada current at open
        async with app.uow_factory() as uow:
            broadcast = await uow.outbox.add_broadcast(
                kind="announcement", audience="test", campaign_id=None, bulk=True,
                payloads={"uk": outbox.message_to_json(Message(words))},
                dedupe_key=None, created_by="t", now=app.clock(),
            )  # fmt: skip
            assert broadcast is not None
            for chat in chats:
                await uow.outbox.enqueue_chat(
                    broadcast, platform="telegram", chat=str(chat), now=app.clock()
                )
            await uow.commit()


def busiest_second(times: list[float]) -> int:
    return max(sum(1 for u in times if t <= u < t + 1.0) for t in times)


async def test_a_big_broadcast_in_one_hromada_does_not_delay_anothers(database_url):
    app = bootstrap(Settings(database_url=database_url, _env_file=None))
    try:
        async with app.engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO hromadas (id, slug, created_at) VALUES (2, 'lviv', :t)"),
                {"t": app.clock()},
            )
        big, small = TimedMessenger(), TimedMessenger()
        messengers = Messengers()
        messengers[BotKey(1, "telegram")] = big
        messengers[BotKey(2, "telegram")] = small
        await enqueue(app, 1, range(1000, 1150), "Kyiv: roadworks")  # 5 s at the cap
        await enqueue(app, 2, range(2000, 2010), "Lviv: water off")  # a third of a second
        # As build_worker wires it: the worker claims every hromada's rows as the operator.
        worker = DeliveryWorker(app.operator_uow, messengers, app.clock, idle_sleep_s=0.05)
        stop = asyncio.Event()
        started = time.monotonic()
        running = asyncio.create_task(worker.run(stop))
        try:
            for _ in range(400):
                if len(big.sent) == 150 and len(small.sent) == 10:
                    break
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await asyncio.wait_for(running, 30)
    finally:
        await app.aclose()

    assert sorted(chat for _t, chat in small.sent) == [str(c) for c in range(2000, 2010)]
    assert sorted(int(chat) for _t, chat in big.sent) == list(range(1000, 1150))
    # Lviv's ten went out at Lviv's own pace, alongside Kyiv's, not after them.
    small_done = small.sent[-1][0] - started
    big_done = big.sent[-1][0] - started
    assert small_done < 2.0, small_done
    assert big_done > 4.0, big_done
    assert sum(1 for t, _c in big.sent if t - started <= small_done) < 75
    # Each bot within its own cap.
    assert busiest_second([t for t, _c in big.sent]) <= CAP
    assert busiest_second([t for t, _c in small.sent]) <= CAP
