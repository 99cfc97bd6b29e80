"""Many hromadas' bots on one PostgreSQL: fair delivery at every bot's own cap, and enqueueing
a million recipients spread over the hromadas.

    .venv/bin/python bench/hromadas.py [--hromadas 100] [--broadcasting 10] [--recipients 300]
                                       [--workers 3] [--cap 30] [--enqueue 1000000] [--quick]

(1) `--hromadas` hromadas, each with its own Telegram bot in the `bots` table (tokens sealed);
    `--broadcasting` of them broadcast at once, `--recipients` residents each, delivered by
    `--workers` `spilno deliver` processes against one fake Bot API (a child process) that
    answers 429 past `--cap` sends in any one second, per bot. Per bot: achieved rate (first to
    last accepted send) / cap; overall 429s, lost and duplicated messages.
(2) Enqueue `--enqueue` recipients spread over all the hromadas (one broadcast each, set-based
    INSERT … SELECT per hromada), in a fresh child process: seconds and its peak RSS.
Last line: RESULT min_bot_ratio=… n429=… lost=… dup=… enqueue_1m_s=… rss_mb=…
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.broadcast import SERVER, admin, dsn, peak_rss_mb  # noqa: E402
from bot import event_loop  # noqa: E402
from core.delivery import outbox  # noqa: E402
from core.delivery.locks import WORKER_LOCKS  # noqa: E402
from core.delivery.messenger import Button, Message  # noqa: E402
from core.hromadas.bots import BotPlatform, BotSecrets  # noqa: E402
from core.hromadas.bots_sql import SqlBots  # noqa: E402
from core.kernel.secret_key import SecretKey  # noqa: E402
from core.storage.db import create_engine  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from tests.fakes.crowd import CHAT_BASE, seed_telegram_residents  # noqa: E402

SECRET_KEY = "bench-only-secret-key-0123456789abcdefghij"


def token_of(hromada_id: int) -> str:
    """A fake bot per hromada; its numeric id tells the hromada."""
    return f"{700000 + hromada_id}:BENCH-token-{hromada_id:06d}AAAAAAAAAAAAAAAAAAAAA"


def hromada_of(token: str) -> int:
    return int(token.partition(":")[0]) - 700000


def payload() -> dict:
    return outbox.message_to_json(
        Message(
            "🗳 Нове опитування у вашій громаді: «Де посадити дерева?»",
            buttons=((Button("👉 Взяти участь", "open:1"),),),
        )
    )


# ---- the fake Bot API (every hromada's bot) in a child process -----------------------------


async def serve_fakes(hromadas: int, cap: int) -> None:
    """Child: one fake per bot behind one URL, each with Telegram's per-bot flood control; on
    SIGTERM print, per bot, what it accepted. The fakes keep no call records (a tuple per
    accepted send instead): the lighter the fake, the less its own stalls bunch arrivals
    into bursts the senders never made (each one a 429)."""
    from tests.fakes.telegram_api import Call, FakeTelegramAPI, FakeTelegramServers

    accepted: dict[str, list[tuple[float, int | None]]] = {}

    def keeper(token: str) -> Callable[[Call], None]:
        sends = accepted.setdefault(token, [])

        def keep(call: Call) -> None:
            if call.method == "sendMessage" and call.ok:
                sends.append((call.at, call.chat_id))

        return keep

    fakes = [
        FakeTelegramAPI(token=token_of(h), rate_cap=cap, record_calls=False)
        for h in range(1, hromadas + 1)
    ]
    for fake in fakes:
        fake.on_call = keeper(fake.token)
    async with FakeTelegramServers(*fakes) as servers:
        print(servers.base_url, flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        gc.freeze()
        gc.disable()  # a collection stalls the fake: arrivals bunch into bursts nobody sent
        stalls = asyncio.create_task(_stalls(stop))
        await stop.wait()
        report: dict[str, object] = {"stalls": await stalls}
        for fake in fakes:
            sends = accepted[fake.token]
            if not sends and not fake.rate_limited:
                continue
            times = sorted(at for at, _chat in sends)
            report[str(hromada_of(fake.token))] = {
                "per_chat": Counter(str(chat) for _at, chat in sends),
                "n429": fake.rate_limited,
                "sent": len(sends),
                "seconds": (times[-1] - times[0]) if len(times) > 1 else 0.0,
                "per_second": _per_second(times) if times else [],
            }
        print(json.dumps(report), flush=True)


async def _stalls(stop: asyncio.Event, tick: float = 0.005) -> list[float]:
    """How late the fake's own loop woke up, when more than 30 ms (it stamps arrivals only
    when awake: a stall turns evenly spaced sends into a burst, and a 429)."""
    loop = asyncio.get_running_loop()
    late: list[float] = []
    while not stop.is_set():
        asked = loop.time()
        await asyncio.sleep(tick)
        if (lag := loop.time() - asked - tick) > 0.03:
            late.append(round(lag, 3))
    return late


def _per_second(times: list[float]) -> list[int]:
    counts = [0] * (int(times[-1] - times[0]) + 1)
    for t in times:
        counts[int(t - times[0])] += 1
    return counts


class FakeProcess:
    def __init__(self, hromadas: int, cap: int) -> None:
        self.args = ["--serve-fakes", str(hromadas), "--cap", str(cap)]

    async def __aenter__(self) -> FakeProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, *self.args, stdout=asyncio.subprocess.PIPE, cwd=ROOT
        )
        assert self.process.stdout is not None
        self.url = (await self.process.stdout.readline()).decode().strip()
        return self

    async def report(self) -> dict:
        self.process.send_signal(signal.SIGTERM)
        assert self.process.stdout is not None
        out = await self.process.stdout.read()
        await self.process.wait()
        return json.loads(out.decode().strip().splitlines()[-1])

    async def __aexit__(self, *exc: object) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


# ---- the database ----------------------------------------------------------------------------


async def fresh_database(hromadas: int) -> tuple[str, str]:
    """A migrated database with `hromadas` hromadas, each with its bot in the bots table."""
    name = f"spilno_bench_hromadas_{uuid.uuid4().hex[:8]}"
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    await admin(f'CREATE DATABASE "{name}"')
    engine = create_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO hromadas (id, slug, created_at) "
                    "SELECT g, 'h' || g, :now FROM generate_series(2, :n) g"
                ),
                {"now": now, "n": hromadas},
            )
            await conn.execute(
                text("SELECT setval(pg_get_serial_sequence('hromadas', 'id'), :n)"),
                {"n": hromadas},
            )
        bots = SqlBots(engine, BotSecrets(SecretKey.of(SECRET_KEY)))
        for h in range(1, hromadas + 1):
            await bots.put(h, BotPlatform.TELEGRAM, token_of(h), username=None, now=now)
    finally:
        await engine.dispose()
    return name, url


async def enqueue_per_hromada(
    url: str, hromadas: list[int], per_hromada: int, *, first_citizen: int = 1
) -> float:
    """One broadcast per hromada to its own block of residents (the k-th block of the crowd
    moves into the k-th hromada first, untimed), set-based as core/delivery/sql.py enqueues;
    seconds."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for index, h in enumerate(hromadas):
                low = first_citizen + index * per_hromada
                block = {"h": h, "low": low, "high": low + per_hromada}
                for table, column in (("citizens", "id"), ("identities", "citizen_id")):
                    await conn.execute(
                        text(
                            f"UPDATE {table} SET hromada_id = :h "
                            f"WHERE {column} >= :low AND {column} < :high"
                        ),
                        block,
                    )
    except BaseException:
        await engine.dispose()
        raise
    started = time.perf_counter()
    try:
        async with engine.begin() as conn:
            now = datetime.now(UTC)
            for index, h in enumerate(hromadas):
                broadcast_id = (
                    await conn.execute(
                        text(
                            "INSERT INTO broadcasts (hromada_id, kind, audience, bulk, payloads, "
                            "total, created_by, created_at) VALUES (:h, 'bench', 'everyone', "
                            "true, CAST(:p AS json), :n, 'bench', :now) RETURNING id"
                        ),
                        {"h": h, "p": json.dumps({"uk": payload()}), "n": per_hromada, "now": now},
                    )
                ).scalar_one()
                low = first_citizen + index * per_hromada
                await conn.execute(
                    text(
                        "INSERT INTO outbox (broadcast_id, identity_id, citizen_id, hromada_id, "
                        "platform, external_id, locale, status, due_at, attempts) "
                        "SELECT :b, i.id, i.citizen_id, :h, i.platform, i.external_id, "
                        "c.locale, 'pending', :now, 0 FROM identities i "
                        "JOIN citizens c ON c.id = i.citizen_id "
                        "WHERE i.hromada_id = :h AND i.citizen_id >= :low AND i.citizen_id < :high"
                    ),
                    {"b": broadcast_id, "h": h, "now": now, "low": low,
                     "high": low + per_hromada},
                )  # fmt: skip
    finally:
        await engine.dispose()
    return time.perf_counter() - started


# ---- (1) fair delivery -----------------------------------------------------------------------


async def deliver(url: str, hromadas: int, broadcasting: int, recipients: int, workers: int,
                  cap: int) -> dict:  # fmt: skip
    async with FakeProcess(hromadas, cap) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPILNO_")}
        env.update(
            PYTHONPATH=str(ROOT),
            SPILNO_DATABASE_URL=url,
            SPILNO_SECRET_KEY=SECRET_KEY,
            SPILNO_TELEGRAM_API_URL=fake.url,
            SPILNO_TELEGRAM_RATE=str(cap),
            SPILNO_QUIET_HOURS="",
            SPILNO_LOG_LEVEL="WARNING",
            SPILNO_DB_POOL_SIZE="20",
        )
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "deliver", cwd=ROOT, env=env
            )
            for _ in range(workers)
        ]
        try:
            await until_connected(url, workers)
            # The broadcasts spread over the hromadas (every tenth one), all at once.
            step = max(1, hromadas // broadcasting)
            chosen = [1 + i * step for i in range(broadcasting)]
            started = time.perf_counter()
            await enqueue_per_hromada(url, chosen, recipients)
            await until_sent(url, broadcasting * recipients)
            wall = time.perf_counter() - started
        finally:
            for process in processes:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                await process.wait()
        seen = await fake.report()
    return {"seen": seen, "chosen": chosen, "wall": wall}


async def until_connected(url: str, count: int, within: float = 120.0) -> None:
    """Until `count` workers are up: each holds its presence lock (core/delivery/locks.py)
    from its first look for work, and the workers share out the bots by that count."""
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(dsn(SERVER))
    try:
        for _ in range(int(within / 0.1)):
            present = await conn.fetchval(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                "WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objsubid = 2 "
                "AND l.granted AND d.datname = $2",
                WORKER_LOCKS,
                name,
            )
            if present >= count:
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"only {present} of {count} workers started in {within} s")
    finally:
        await conn.close()


async def until_sent(url: str, total: int, within: float = 300.0) -> None:
    conn = await asyncpg.connect(dsn(url))
    try:
        for _ in range(int(within / 0.2)):
            done = await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE status NOT IN ('pending', 'sending')"
            )
            if done >= total:
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"only {done} of {total} sent in {within} s")
    finally:
        await conn.close()


# ---- (2) enqueue a million -----------------------------------------------------------------


async def enqueue_child(url: str, hromadas: int, per_hromada: int) -> None:
    seconds = await enqueue_per_hromada(url, list(range(1, hromadas + 1)), per_hromada)
    print(json.dumps({"seconds": seconds, "rss_mb": peak_rss_mb()}), flush=True)


async def main(args: argparse.Namespace) -> None:
    name, url = await fresh_database(args.hromadas)
    try:
        engine = create_engine(url)
        try:
            await seed_telegram_residents(engine, args.broadcasting * args.recipients)
        finally:
            await engine.dispose()
        result = await deliver(
            url, args.hromadas, args.broadcasting, args.recipients, args.workers, args.cap
        )
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    seen, chosen = result["seen"], result["chosen"]
    stalls = seen.pop("stalls")
    ratios, n429, lost, dup = [], 0, 0, 0
    for index, h in enumerate(chosen):
        got = seen.get(str(h), {"per_chat": {}, "n429": 0, "sent": 0, "seconds": 0.0})
        first = CHAT_BASE + 1 + index * args.recipients
        expected = {first + k for k in range(args.recipients)}
        per_chat = {int(k): v for k, v in got["per_chat"].items()}
        lost += len(expected - set(per_chat))
        dup += sum(v - 1 for v in per_chat.values() if v > 1)
        stray = set(per_chat) - expected  # another hromada's resident through this bot
        lost += len(stray)
        n429 += got["n429"]
        rate = (got["sent"] - 1) / got["seconds"] if got["seconds"] else 0.0
        ratios.append(rate / args.cap)
        print(
            f"    bot of hromada {h:3}: {got['sent']} sent in {got['seconds']:.2f} s = "
            f"{rate:.1f}/s ({rate / args.cap:.3f} of {args.cap}), 429s {got['n429']}, "
            f"per second {got.get('per_second', [])}"
        )
    n429 += sum(v["n429"] for k, v in seen.items() if int(k) not in chosen)
    print(
        f"(1) {args.broadcasting} of {args.hromadas} hromadas broadcasting at once, "
        f"{args.recipients} residents each, {args.workers} worker processes: all sent in "
        f"{result['wall']:.1f} s; per-bot rate / cap min {min(ratios):.3f} "
        f"max {max(ratios):.3f}; 429s {n429}, lost {lost}, duplicated {dup}"
    )
    print(
        f"    the fake Bot API's own loop stalled > 30 ms {len(stalls)} times "
        f"(longest {max(stalls, default=0.0) * 1000:.0f} ms): arrivals it stamps after a "
        f"stall bunch up"
    )

    per_hromada = args.enqueue // args.hromadas
    name, url = await fresh_database(args.hromadas)
    try:
        engine = create_engine(url)
        try:
            await seed_telegram_residents(engine, per_hromada * args.hromadas)
        finally:
            await engine.dispose()
        child = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--enqueue-child", url,
            "--hromadas", str(args.hromadas), "--per-hromada", str(per_hromada),
            stdout=asyncio.subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        out, _ = await child.communicate()
        measured = json.loads(out.decode().strip().splitlines()[-1])
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    total = per_hromada * args.hromadas
    print(
        f"(2) enqueue {total} recipients over {args.hromadas} hromadas: "
        f"{measured['seconds']:.1f} s ({total / measured['seconds']:.0f} rows/s), "
        f"peak RSS {measured['rss_mb']:.0f} MB"
    )
    scale = 1_000_000 / total
    print(
        f"RESULT min_bot_ratio={min(ratios):.3f} n429={n429} lost={lost} dup={dup} "
        f"enqueue_1m_s={measured['seconds'] * scale:.1f} rss_mb={measured['rss_mb']:.0f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hromadas", type=int, default=100)
    parser.add_argument("--broadcasting", type=int, default=10)
    parser.add_argument("--recipients", type=int, default=300, help="per broadcasting hromada")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--cap", type=int, default=30, help="sends per second per bot")
    parser.add_argument("--enqueue", type=int, default=1_000_000)
    parser.add_argument(
        "--quick", action="store_true", help="20 hromadas, 4 broadcasting, 100k enqueued"
    )
    parser.add_argument("--serve-fakes", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--enqueue-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--per-hromada", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.hromadas, args.broadcasting, args.recipients, args.enqueue = 20, 4, 150, 100_000
    if args.serve_fakes is not None:
        event_loop.run(serve_fakes(args.serve_fakes, args.cap))
    elif args.enqueue_child:
        asyncio.run(enqueue_child(args.enqueue_child, args.hromadas, args.per_hromada))
    else:
        event_loop.run(main(args))
