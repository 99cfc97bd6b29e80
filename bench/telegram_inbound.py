"""Telegram webhook updates per second, end to end, on PostgreSQL; compared with a bare echo bot.

    .venv/bin/python bench/telegram_inbound.py [--updates 3000] [--concurrency 32] [--rate 300]

Ours: a resident's vote — the fake Bot API POSTs a callback update to our webhook, the channel
runs the dialog (dedup, citizen, ballot write, commit), answers the button in the webhook
response and edits the poll message through the fake. An update is done when the fake receives
that edit. The baseline is a bare aiogram echo bot (aiogram's own SimpleRequestHandler, a
handler that answers every message) on the same fake, done when the fake receives its answer.

Both bots run in this process; each has its own child process running the fake Bot API and the
load generator, so driving the load does not eat the bots' CPU (Telegram's servers would not).
Two measurements per bot and round: throughput with `--concurrency` updates in flight, and
latency with updates sent open-loop at `--rate` per second (p99 of update sent → reply received,
by the child's clock). Rounds alternate between the bots so that a noisy neighbour on this
shared machine hits both alike; the RESULT figures are medians over `--rounds`.
Last line: RESULT ours_per_s=… echo_per_s=… ratio=… p99_ms=… echo_p99_ms=…
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import socket
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_child import LoadProcess  # noqa: E402
from bot import event_loop  # noqa: E402
from tests.fakes.telegram_api import TOKEN, Call, FakeTelegramAPI  # noqa: E402

SERVER = os.environ.get(
    "SPILNO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
ECHO_SECRET = "bench-echo-secret"
FIRST_CHAT = 10_000_000


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def admin(statement: str) -> None:
    conn = await asyncpg.connect(dsn(SERVER))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


# ---- the child: fake Bot API + load generator ------------------------------------------------


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


async def load_child(kind: str, residents: int) -> None:
    """Child: start the fake, tell the parent its URL, then drive the load the parent asks for."""
    completions = Completions("editMessageText" if kind == "vote" else "sendMessage")
    fake = await FakeTelegramAPI(record_calls=False, on_call=completions.on_call).start()
    chats = list(range(FIRST_CHAT, FIRST_CHAT + residents))
    messages = {chat: fake.seed_message(chat, "Bench poll") for chat in chats}
    print(json.dumps({"url": fake.base_url}), flush=True)
    options: dict[int, int] = dict.fromkeys(chats, 0)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as client:
        # One order per line, until the parent closes stdin: each is one measurement.
        while line := await asyncio.to_thread(sys.stdin.readline):
            order = json.loads(line)
            headers = {"X-Telegram-Bot-Api-Secret-Token": order["secret"]}

            def update_for(chat: int, order: dict[str, Any] = order) -> dict[str, Any]:
                if kind == "echo":
                    return fake.message_update(chat, "hello", language_code="en")
                options[chat] ^= 1  # alternate, so every vote changes the ballot and screen
                data = f"vote:{order['poll_id']}:{order['options'][options[chat]]}"
                return fake.callback_update(
                    chat, data, message_id=messages[chat], language_code="en"
                )

            async def send(
                chat: int, order: dict[str, Any] = order, headers: dict[str, str] = headers
            ) -> int:
                update = update_for(chat)
                async with client.post(order["target"], json=update, headers=headers) as r:
                    await r.read()
                    return r.status

            if order["mode"] == "throughput":
                figures: dict[str, Any] = {
                    "per_s": await closed_loop(
                        send, completions, chats, order["updates"], order["concurrency"]
                    )
                }
            else:
                figures = {
                    "latencies": await open_loop(
                        send, completions, chats, order["rate"], order["seconds"]
                    )
                }
            print(json.dumps(figures), flush=True)
    await fake.stop()


def load_process(kind: str, residents: int) -> LoadProcess:
    """The parent's handle on a child: its fake's URL, then the figures of each order."""
    args = [sys.executable, __file__, "--load-child", kind, "--residents", str(residents)]
    return LoadProcess(args, ROOT)


# ---- the parent: the bots under test ----------------------------------------------------------


@dataclass
class Target:
    """A bot being measured: its child load process and what an order to it must carry."""

    load: LoadProcess
    order: dict[str, Any]
    per_s: list[float] = field(default_factory=list)
    p99s: list[float] = field(default_factory=list)
    p50s: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)

    async def throughput(self, updates: int, concurrency: int) -> float:
        cpu = time.process_time()
        figures = await self.load.run(
            self.order | {"mode": "throughput", "updates": updates, "concurrency": concurrency}
        )
        # The bots share this process but take turns: its CPU time is this bot's.
        self.cpu_us.append((time.process_time() - cpu) / updates * 1e6)
        return float(figures["per_s"])

    async def latency(self, rate: float, seconds: float) -> list[float]:
        figures = await self.load.run(
            self.order | {"mode": "latency", "rate": rate, "seconds": seconds}
        )
        return list(figures["latencies"])


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] * 1000


async def serve(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare_residents(app: Any, url: str, count: int) -> tuple[int, list[int]]:
    """A poll and `count` residents who chose English; the poll id and its option ids."""
    from core.campaigns import service as campaigns
    from core.polls import service as polls

    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow, question="Bench poll", options=["A", "B"], actor="bench", now=app.clock()
        )
        await campaigns.open_campaign(uow, poll.id, actor="bench", now=app.clock())
        await uow.commit()
    chats = range(FIRST_CHAT, FIRST_CHAT + count)
    conn = await asyncpg.connect(dsn(url))
    try:
        ids = await conn.fetch(
            # Hromada 1: the installation's first (and here only) hromada.
            "INSERT INTO citizens (hromada_id, locale, notifications, dialog_state, created_at) "
            "SELECT 1, 'en', 'instant', '{}'::json, now() FROM generate_series(1, $1) RETURNING id",
            count,
        )
        await conn.executemany(
            "INSERT INTO identities (hromada_id, platform, external_id, citizen_id, reachable,"
            " created_at) VALUES (1, 'telegram', $1, $2, true, now())",
            [(str(chat), row["id"]) for chat, row in zip(chats, ids, strict=True)],
        )
    finally:
        await conn.close()
    return poll.id, [option.id for option in poll.options]


@contextlib.asynccontextmanager
async def ours(url: str, args: argparse.Namespace) -> AsyncIterator[tuple[Target, Any, int]]:
    """Spilno's Telegram channel serving its webhook, as `spilno run` does."""
    from bot.dialogs import Dialogs
    from bot.telegram.channel import WEBHOOK_PATH, TelegramChannel
    from bot.web import build_web_app
    from core.bootstrap import bootstrap
    from core.config import Settings
    from core.storage.db import create_engine

    engine = create_engine(url, pool_size=args.concurrency)
    app = bootstrap(Settings(database_url=url, _env_file=None), engine=engine)
    try:
        poll_id, option_ids = await prepare_residents(app, url, args.residents)
        async with load_process("vote", args.residents) as load:
            port = free_port()
            channel = TelegramChannel(
                app,
                Dialogs(app.uow_factory, clock=app.clock),
                token=TOKEN,
                api_url=load.url,
                webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
            )
            runner = await serve(build_web_app(app, [channel]), port)
            await channel.start()
            order = {"target": channel.webhook_url, "secret": channel.webhook_secret}
            try:
                yield (
                    Target(load, order | {"poll_id": poll_id, "options": option_ids}),
                    app,
                    poll_id,
                )
            finally:
                await channel.stop()
                await runner.cleanup()
    finally:
        await app.aclose()


@contextlib.asynccontextmanager
async def echo_bot(args: argparse.Namespace) -> AsyncIterator[Target]:
    """The baseline: aiogram's own webhook handler and a handler answering every message."""
    from aiogram import Dispatcher, Router
    from aiogram.types import Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler

    from bot.telegram.channel import build_bot

    async with load_process("echo", args.residents) as load:
        bot = build_bot(TOKEN, load.url)
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
        try:
            yield Target(load, {"target": f"http://127.0.0.1:{port}/echo", "secret": ECHO_SECRET})
        finally:
            await runner.cleanup()
            await bot.session.close()


async def main(args: argparse.Namespace) -> None:
    from core.storage.db import create_engine
    from core.storage.migrate import upgrade

    logging.basicConfig(level=logging.WARNING)
    name = f"spilno_bench_{uuid.uuid4().hex[:8]}"
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    await admin(f'CREATE DATABASE "{name}"')
    try:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()
        async with ours(url, args) as (vote, app, poll_id), echo_bot(args) as echo:
            for target in (vote, echo):  # warm-up: connections, caches, every resident once
                await target.throughput(args.residents, args.concurrency)
            event_loop.settle_heap()  # as `spilno run` does once it has started
            # Rounds alternate between the two bots, so a noisy neighbour hits both alike.
            for _round in range(args.rounds):
                for target in (vote, echo):
                    target.per_s.append(await target.throughput(args.updates, args.concurrency))
                    latencies = await target.latency(args.rate, args.seconds)
                    target.p99s.append(p99(latencies))
                    target.p50s.append(statistics.median(latencies) * 1000)
            async with app.uow_factory() as uow:
                _votes, voters = await uow.ballots.tally(poll_id)
        for label, target in (("ours", vote), ("echo", echo)):
            print(
                f"{label}: closed-loop x{args.concurrency} per round "
                f"{', '.join(f'{x:.0f}' for x in target.per_s)} updates/s; at {args.rate:.0f}/s "
                f"p50 {', '.join(f'{x:.1f}' for x in target.p50s)} ms, "
                f"p99 {', '.join(f'{x:.1f}' for x in target.p99s)} ms; "
                f"CPU per update {statistics.median(target.cpu_us[1:]):.0f} µs"
            )
        print(f"{voters} residents voted")
        ours_per_s, echo_per_s = statistics.median(vote.per_s), statistics.median(echo.per_s)
        print(
            f"RESULT ours_per_s={ours_per_s:.0f} echo_per_s={echo_per_s:.0f} "
            f"ratio={ours_per_s / echo_per_s:.2f} p99_ms={statistics.median(vote.p99s):.1f} "
            f"echo_p99_ms={statistics.median(echo.p99s):.1f}"
        )
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    if os.environ.get("UVL"):
        import uvloop

        uvloop.install()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=3000, help="updates per throughput run")
    parser.add_argument("--concurrency", type=int, default=32, help="updates in flight")
    parser.add_argument("--rate", type=float, default=300.0, help="open-loop updates per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="open-loop duration")
    parser.add_argument("--residents", type=int, default=2000, help="distinct residents")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per bot")
    parser.add_argument("--load-child", choices=("vote", "echo"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    # The event loop `spilno run` uses (uvloop where installed), for the bots and the load alike.
    if args.load_child:
        event_loop.run(load_child(args.load_child, args.residents))
    else:
        event_loop.run(main(args))
