"""Telegram webhook updates per second, end to end, on PostgreSQL; compared with a bare echo bot.

    .venv/bin/python bench/telegram_inbound.py [--updates 3000] [--concurrency 32] [--rate 300]

Ours: a resident's vote — the fake Bot API POSTs a callback update to our webhook, the channel
runs the dialog (dedup, citizen, ballot write, commit), answers the button in the webhook
response and edits the poll message through the fake. An update is done when the fake receives
that edit. The baseline is a bare aiogram echo bot (aiogram's own SimpleRequestHandler, a
handler that answers every message) on the same fake, done when the fake receives its answer.

Two measurements for each bot: throughput with `--concurrency` updates in flight, and latency
with updates sent open-loop at `--rate` per second (p99 of update sent → reply received).
Last line: RESULT ours_per_s=… echo_per_s=… ratio=… p99_ms=… echo_p99_ms=…
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiogram import Dispatcher, Router
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.dialogs import Dialogs
from bot.telegram.channel import WEBHOOK_PATH, TelegramChannel, build_bot
from bot.web import build_web_app
from core.bootstrap import App, bootstrap
from core.config import Settings
from core.services import campaigns, polls
from core.storage.db import create_engine
from core.storage.migrate import upgrade
from tests.fakes.telegram_api import Call, FakeTelegramAPI

SERVER = os.environ.get(
    "SPILNO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
ECHO_SECRET = "bench-echo-secret"


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def admin(statement: str) -> None:
    conn = await asyncpg.connect(dsn(SERVER))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


class Completions:
    """Matches each update (by chat) to the reply the fake receives for it."""

    def __init__(self, reply_method: str) -> None:
        self.reply_method = reply_method
        self.pending: dict[int, tuple[float, asyncio.Future[float]]] = {}

    def on_call(self, call: Call) -> None:
        if call.method != self.reply_method or call.chat_id not in self.pending:
            return
        started, done = self.pending.pop(call.chat_id)
        if not done.done():
            done.set_result(time.perf_counter() - started)

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.pending[chat_id] = (time.perf_counter(), done)
        return done


Send = Callable[[int], Awaitable[int]]


async def closed_loop(
    send: Send, completions: Completions, chats: list[int], total: int, concurrency: int
) -> float:
    """Updates per second with `concurrency` in flight; each worker owns its own chats."""
    per_worker = [chats[i::concurrency] for i in range(concurrency)]
    counter = iter(range(total))

    async def worker(own: list[int]) -> None:
        for turn, _ in enumerate(counter):
            chat = own[turn % len(own)]
            done = completions.expect(chat)
            status = await send(chat)
            if status != 200:
                raise RuntimeError(f"webhook answered {status}")
            await asyncio.wait_for(done, 10)

    started = time.perf_counter()
    await asyncio.gather(*(worker(own) for own in per_worker))
    return total / (time.perf_counter() - started)


async def open_loop(
    send: Send, completions: Completions, chats: list[int], rate: float, seconds: float
) -> list[float]:
    """Latencies (s) of updates sent at a fixed rate, whatever the bot's speed."""
    latencies: list[float] = []
    tasks = []

    async def one(chat: int) -> None:
        done = completions.expect(chat)
        await send(chat)
        latencies.append(await asyncio.wait_for(done, 120))  # an overloaded bot still counts

    started = time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(chats[n % len(chats)])))
    await asyncio.gather(*tasks)
    return latencies


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] * 1000


async def serve(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare_residents(
    app: App, url: str, fake: FakeTelegramAPI, count: int
) -> tuple[int, list[int], dict[int, int]]:
    """A poll, `count` residents who chose English, each looking at the poll; message ids."""
    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow, question="Bench poll", options=["A", "B"], actor="bench", now=app.clock()
        )
        await campaigns.open_campaign(uow, poll.id, actor="bench", now=app.clock())
        await uow.commit()
    chats = list(range(10_000_000, 10_000_000 + count))
    conn = await asyncpg.connect(dsn(url))
    try:
        ids = await conn.fetch(
            "INSERT INTO citizens (locale, notifications, dialog_state, created_at) "
            "SELECT 'en', 'instant', '{}'::json, now() FROM generate_series(1, $1) RETURNING id",
            count,
        )
        await conn.executemany(
            "INSERT INTO identities (platform, external_id, citizen_id, reachable, created_at) "
            "VALUES ('telegram', $1, $2, true, now())",
            [(str(chat), row["id"]) for chat, row in zip(chats, ids, strict=True)],
        )
    finally:
        await conn.close()
    messages = {chat: fake.seed_message(chat, "Bench poll") for chat in chats}
    return poll.id, chats, messages


async def measure(
    send: Send, completions: Completions, chats: list[int], args: argparse.Namespace
) -> tuple[float, list[float]]:
    await closed_loop(send, completions, chats, min(300, args.updates), args.concurrency)  # warm-up
    per_s = await closed_loop(send, completions, chats, args.updates, args.concurrency)
    latencies = await open_loop(send, completions, chats, args.rate, args.seconds)
    return per_s, latencies


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    name = f"spilno_bench_{uuid.uuid4().hex[:8]}"
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    await admin(f'CREATE DATABASE "{name}"')
    engine = create_engine(url, pool_size=args.concurrency)
    client = aiohttp.ClientSession()
    try:
        await upgrade(engine)
        app = bootstrap(Settings(database_url=url, _env_file=None), engine=engine)

        # ---- ours: a vote through the Telegram channel ------------------------------------
        ours_done = Completions("editMessageText")
        fake = await FakeTelegramAPI(record_calls=False, on_call=ours_done.on_call).start()
        poll_id, chats, messages = await prepare_residents(app, url, fake, args.residents)
        options = {chat: 0 for chat in chats}
        port = free_port()
        channel = TelegramChannel(
            app,
            Dialogs(app.uow_factory, clock=app.clock),
            token=fake.token,
            api_url=fake.base_url,
            webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
        )
        runner = await serve(build_web_app(app, [channel]), port)
        await channel.start()
        poll = await _poll(app, poll_id)
        headers = {"X-Telegram-Bot-Api-Secret-Token": channel.webhook_secret}

        async def send_vote(chat: int) -> int:
            options[chat] ^= 1  # alternate, so every vote changes the ballot and the screen
            option_id = poll.options[options[chat]].id
            update = fake.callback_update(
                chat, f"vote:{poll_id}:{option_id}", message_id=messages[chat], language_code="en"
            )
            async with client.post(channel.webhook_url or "", json=update, headers=headers) as r:
                await r.read()
                return r.status

        ours_per_s, ours_lat = await measure(send_vote, ours_done, chats, args)
        await channel.stop()
        await runner.cleanup()
        await fake.stop()

        # ---- baseline: a bare aiogram echo bot on the same kind of fake ---------------------
        echo_done = Completions("sendMessage")
        fake = await FakeTelegramAPI(record_calls=False, on_call=echo_done.on_call).start()
        bot = build_bot(fake.token, fake.base_url)
        router = Router()

        @router.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "?")

        dispatcher = Dispatcher()
        dispatcher.include_router(router)
        echo_app = web.Application()
        SimpleRequestHandler(dispatcher, bot, secret_token=ECHO_SECRET).register(echo_app, "/echo")
        port = free_port()
        runner = await serve(echo_app, port)

        async def send_echo(chat: int) -> int:
            update = fake.message_update(chat, "hello", language_code="en")
            async with client.post(
                f"http://127.0.0.1:{port}/echo",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": ECHO_SECRET},
            ) as r:
                await r.read()
                return r.status

        echo_per_s, echo_lat = await measure(send_echo, echo_done, chats, args)
        await runner.cleanup()
        await bot.session.close()
        await fake.stop()

        async with app.uow_factory() as uow:
            _votes, voters = await uow.ballots.tally(poll_id)
        print(
            f"ours: {ours_per_s:.0f} votes/s closed-loop x{args.concurrency}; "
            f"at {args.rate:.0f}/s p50={statistics.median(ours_lat) * 1000:.1f} ms "
            f"p99={p99(ours_lat):.1f} ms; {voters} residents voted"
        )
        print(
            f"echo: {echo_per_s:.0f} updates/s; at {args.rate:.0f}/s "
            f"p50={statistics.median(echo_lat) * 1000:.1f} ms p99={p99(echo_lat):.1f} ms"
        )
        print(
            f"RESULT ours_per_s={ours_per_s:.0f} echo_per_s={echo_per_s:.0f} "
            f"ratio={ours_per_s / echo_per_s:.2f} p99_ms={p99(ours_lat):.1f} "
            f"echo_p99_ms={p99(echo_lat):.1f}"
        )
    finally:
        await client.close()
        await engine.dispose()
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _poll(app: App, poll_id: int) -> Any:
    async with app.uow_factory() as uow:
        return await polls.get_poll(uow, poll_id)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=3000, help="updates per throughput run")
    parser.add_argument("--concurrency", type=int, default=32, help="updates in flight")
    parser.add_argument("--rate", type=float, default=300.0, help="open-loop updates per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="open-loop duration")
    parser.add_argument("--residents", type=int, default=2000, help="distinct residents")
    asyncio.run(main(parser.parse_args()))
