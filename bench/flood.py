"""One flooding resident against 20 voters, on PostgreSQL, through the fake Bot API (issue 13).

    .venv/bin/python bench/flood.py [--voters 20] [--seconds 10] [--flood-rate 50]

The fake Bot API enforces Telegram's per-chat flood control the way Telegram does for a private
chat: more than 3 messages to one chat in any 3 s (about one a second) get a 429 with
retry_after 5, and so does everything sent there until those 5 s have passed.
`--voters` residents each vote every 1.5–2.5 s (a callback; done when the fake receives the
edited poll screen); with the flood on, one more resident sends `--flood-rate` text messages a
second. Spilno runs as `spilno run` wires it (`build_channel`, webhook, default settings:
SPILNO_FLOOD_UPDATES / SPILNO_FLOOD_WINDOW_S, SPILNO_TELEGRAM_CHAT_INTERVAL_S);
`--no-flood-control` turns the gate and the pacing off to show what they buy.
The fake and the load run in a child process, so driving the load does not eat the bot's CPU.
Rounds alternate, without the flooder then with it, so a noisy neighbour on this shared machine
hits both alike; each p99 is over all rounds' replies (one run's ~100 make p99 its maximum).

Last line: RESULT p99_ratio=… dropped=… flooder_accepted=… flooder_sent=… notes=… n429=…
(p99_ratio: the voters' reply p99 with the flood over without it; dropped: voters' replies
that never arrived in the flood runs; the flooder's figures are totals over the rounds.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import statistics
import sys
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_child import LoadProcess  # noqa: E402
from bot import event_loop  # noqa: E402
from tests.fakes.telegram_api import TOKEN, Call, FakeTelegramAPI  # noqa: E402

SERVER = os.environ.get(
    "SPILNO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
FIRST_CHAT = 20_000_000
SLOW_DOWN = "faster than I can answer"
GRACE_S = 20.0  # after the load stops, how long a late reply still counts as delivered


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def admin(statement: str) -> None:
    conn = await asyncpg.connect(dsn(SERVER))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


# ---- the child: fake Bot API + load generator ------------------------------------------------


class Replies:
    """What the fake received per chat: voters' edits matched to their votes, the flooder's."""

    def __init__(self, flooder: int) -> None:
        self.flooder = flooder
        self.pending: dict[int, deque[float]] = {}
        self.latencies: list[float] = []
        self.flooder_messages = 0
        self.notes = 0
        self.flooder_429 = 0
        self.voters_429 = 0
        self.settled = asyncio.Event()

    def on_call(self, call: Call) -> None:
        if call.chat_id == self.flooder:
            if call.status == 429:
                self.flooder_429 += 1
            elif call.ok and call.method == "sendMessage":
                self.flooder_messages += 1
                self.notes += SLOW_DOWN in (call.text or "")
            return
        if call.status == 429 and call.chat_id is not None:
            self.voters_429 += 1
        if call.method != "editMessageText" or not call.ok:
            return
        waiting = self.pending.get(call.chat_id or 0)
        if waiting:
            self.latencies.append(time.perf_counter() - waiting.popleft())
            if not any(self.pending.values()):
                self.settled.set()

    def expect(self, chat: int) -> None:
        self.pending.setdefault(chat, deque()).append(time.perf_counter())
        self.settled.clear()

    def missing(self) -> int:
        return sum(len(q) for q in self.pending.values())


async def run_load(
    fake: FakeTelegramAPI,
    client: aiohttp.ClientSession,
    order: dict[str, Any],
    messages: dict[int, int],
    choice: dict[int, int],
) -> dict[str, Any]:
    voters: list[int] = order["voters"]
    flooder: int = order["flooder"]
    replies = Replies(flooder)
    fake.on_call = replies.on_call
    headers = {"X-Telegram-Bot-Api-Secret-Token": order["secret"]}
    rng = random.Random(order["seed"])
    sent = {"flood": 0}

    async def post(update: dict[str, Any]) -> None:
        async with client.post(order["target"], json=update, headers=headers) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"webhook answered {response.status}")

    async def voter(chat: int, stop: float) -> None:
        await asyncio.sleep(rng.uniform(0, 2.0))  # not all in step
        while time.perf_counter() < stop:
            choice[chat] ^= 1  # alternate, so every vote changes the ballot and the screen
            data = f"vote:{order['poll_id']}:{order['options'][choice[chat]]}"
            update = fake.callback_update(chat, data, message_id=messages[chat], language_code="en")
            replies.expect(chat)
            await post(update)
            await asyncio.sleep(rng.uniform(1.5, 2.5))

    async def flood(stop: float) -> None:
        started, tasks = time.perf_counter(), []
        while (now := time.perf_counter()) < stop:
            update = fake.message_update(flooder, f"spam {sent['flood']}", language_code="en")
            tasks.append(asyncio.create_task(post(update)))
            sent["flood"] += 1
            delay = started + sent["flood"] / order["flood_rate"] - now
            await asyncio.sleep(max(0.0, delay))
        await asyncio.gather(*tasks)

    stop = time.perf_counter() + order["seconds"]
    jobs = [voter(chat, stop) for chat in voters]
    if order["flood"]:
        jobs.append(flood(stop))
    await asyncio.gather(*jobs)
    if replies.missing():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(replies.settled.wait(), GRACE_S)
    await asyncio.sleep(1.0)  # the flooder's last paced replies, a late second note
    fake.on_call = None
    return {
        "latencies": replies.latencies,
        "dropped": replies.missing(),
        "flood_sent": sent["flood"],
        "flooder_messages": replies.flooder_messages,
        "notes": replies.notes,
        "flooder_429": replies.flooder_429,
        "voters_429": replies.voters_429,
    }


async def load_child(voters: int) -> None:
    """Child: start the fake, tell the parent its URL, then run each order from stdin."""
    fake = await FakeTelegramAPI(
        record_calls=False, chat_cap=3, chat_window_s=3.0, chat_retry_after=5
    ).start()
    chats = list(range(FIRST_CHAT, FIRST_CHAT + voters))
    messages = {chat: fake.seed_message(chat, "Bench poll") for chat in chats}
    choice = dict.fromkeys(chats, 0)
    print(json.dumps({"url": fake.base_url}), flush=True)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as client:
        while line := await asyncio.to_thread(sys.stdin.readline):
            order = json.loads(line)
            figures = await run_load(fake, client, order, messages, choice)
            print(json.dumps(figures), flush=True)
    await fake.stop()


def load_process(voters: int) -> LoadProcess:
    return LoadProcess([sys.executable, __file__, "--load-child", "--voters", str(voters)], ROOT)


# ---- the parent: the bot under test ------------------------------------------------------------


async def prepare(app: Any, url: str, chats: list[int]) -> tuple[int, list[int]]:
    """A poll and one resident per chat who chose English; the poll id and its option ids."""
    from core.campaigns import service as campaigns
    from core.polls import service as polls

    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow, question="Bench poll", options=["A", "B"], actor="bench", now=app.clock()
        )
        await campaigns.open_campaign(uow, poll.id, actor="bench", now=app.clock())
        await uow.commit()
    conn = await asyncpg.connect(dsn(url))
    try:
        ids = await conn.fetch(
            # Hromada 1: the installation's first (and here only) hromada.
            "INSERT INTO citizens (hromada_id, locale, notifications, dialog_state, created_at) "
            "SELECT 1, 'en', 'instant', '{}'::json, now() FROM generate_series(1, $1) RETURNING id",
            len(chats),
        )
        await conn.executemany(
            "INSERT INTO identities (hromada_id, platform, external_id, citizen_id, reachable,"
            " created_at) VALUES (1, 'telegram', $1, $2, true, now())",
            [(str(chat), row["id"]) for chat, row in zip(chats, ids, strict=True)],
        )
    finally:
        await conn.close()
    return poll.id, [option.id for option in poll.options]


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] * 1000 if len(values) > 1 else float("nan")


async def main(args: argparse.Namespace) -> None:
    from aiohttp import web

    from bot.dialogs import Dialogs
    from bot.telegram.channel import build_channel
    from bot.web import build_web_app
    from core.bootstrap import bootstrap
    from core.config import Settings
    from core.storage.db import create_engine
    from core.storage.migrate import upgrade
    from tests.adapters.telegram_harness import free_port

    logging.basicConfig(level=logging.ERROR)
    name = f"spilno_bench_{uuid.uuid4().hex[:8]}"
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    await admin(f'CREATE DATABASE "{name}"')
    try:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()
        voters = list(range(FIRST_CHAT, FIRST_CHAT + args.voters))
        flooder = FIRST_CHAT + args.voters
        async with load_process(args.voters) as load:
            port = free_port()
            controls: dict[str, Any] = (
                {"flood_updates": 0, "telegram_chat_interval_s": 0.0}
                if args.no_flood_control
                else {}
            )
            settings = Settings(
                database_url=url,
                telegram_token=TOKEN,
                telegram_api_url=load.url,
                webhook_base_url=f"http://127.0.0.1:{port}",
                _env_file=None,
                **controls,
            )
            app = bootstrap(settings, engine=create_engine(url))
            channel = build_channel(app, Dialogs(app.uow_factory, clock=app.clock))
            runner = web.AppRunner(build_web_app(app, [channel]), access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            try:
                poll_id, options = await prepare(app, url, [*voters, flooder])
                await channel.start()
                base = {
                    "target": channel.webhook_url,
                    "secret": channel.webhook_secret,
                    "poll_id": poll_id,
                    "options": options,
                    "voters": voters,
                    "flooder": flooder,
                    "flood_rate": args.flood_rate,
                }
                # Warm-up: connections, caches, every voter once.
                await load.run(base | {"flood": False, "seconds": 2.0, "seed": 0})
                event_loop.settle_heap()
                runs: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
                for round_ in range(args.rounds):
                    for flood in (False, True):
                        dropped_before = channel.flood_gate.dropped
                        cpu = time.process_time()
                        figures = await load.run(
                            base | {"flood": flood, "seconds": args.seconds, "seed": round_ + 1}
                        )
                        figures["cpu_s"] = time.process_time() - cpu  # the bot's, this process
                        figures["gate_dropped"] = channel.flood_gate.dropped - dropped_before
                        runs[flood].append(figures)
                        await asyncio.sleep(6.0)  # any pause from this run is over
            finally:
                await channel.stop()
                await runner.cleanup()
                await app.aclose()
        report(args, runs)
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(args: argparse.Namespace, runs: dict[bool, list[dict[str, Any]]]) -> None:
    pooled: dict[bool, list[float]] = {}
    for flood in (False, True):
        label = f"with a flooder at {args.flood_rate:.0f}/s" if flood else "without a flooder"
        pooled[flood] = []
        for figures in runs[flood]:
            latencies = figures["latencies"]
            pooled[flood] += latencies
            line = (
                f"{label}: {len(latencies)} voters' replies, "
                f"p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99(latencies):.1f} ms, "
                f"max {max(latencies, default=0) * 1000:.1f} ms, dropped {figures['dropped']}, "
                f"429s to voters {figures['voters_429']}, bot CPU {figures['cpu_s']:.2f} s"
            )
            if flood:
                accepted = figures["flood_sent"] - figures["gate_dropped"]
                line += (
                    f"; flooder sent {figures['flood_sent']}, accepted {accepted}, "
                    f"got {figures['flooder_messages']} messages ({figures['notes']} slow-down "
                    f"notes), 429s to the flooder {figures['flooder_429']}"
                )
            print(line)
    base, flooded = p99(pooled[False]), p99(pooled[True])
    print(
        f"all rounds: voters' p50/p99 {statistics.median(pooled[False]) * 1000:.1f}/{base:.1f} ms "
        f"without the flooder, {statistics.median(pooled[True]) * 1000:.1f}/{flooded:.1f} ms "
        f"with it"
    )
    runs_flooded = runs[True]
    print(
        f"RESULT p99_ratio={flooded / base:.2f} p99_ms={flooded:.1f} base_p99_ms={base:.1f} "
        f"dropped={sum(f['dropped'] for f in runs_flooded)} "
        f"flooder_accepted={sum(f['flood_sent'] - f['gate_dropped'] for f in runs_flooded)} "
        f"flooder_sent={sum(f['flood_sent'] for f in runs_flooded)} "
        f"notes={sum(f['notes'] for f in runs_flooded)} "
        f"n429={sum(f['flooder_429'] + f['voters_429'] for f in runs_flooded)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=20, help="residents voting normally")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each run")
    parser.add_argument("--flood-rate", type=float, default=50.0, help="flooder messages/s")
    parser.add_argument("--rounds", type=int, default=3, help="no-flood/flood pairs")
    parser.add_argument(
        "--no-flood-control",
        action="store_true",
        help="SPILNO_FLOOD_UPDATES=0 and SPILNO_TELEGRAM_CHAT_INTERVAL_S=0",
    )
    parser.add_argument("--load-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_child:
        event_loop.run(load_child(args.voters))
    else:
        event_loop.run(main(args))
