"""Broadcast delivery on PostgreSQL through the fake Telegram Bot API.

    .venv/bin/python bench/broadcast.py [--recipients 10000] [--cap 1000] [--enqueue 1000000]

(1) `--recipients` residents, the fake answering 429 past `--cap` sends in any one second,
    `--workers` `spilno deliver` processes sharing the database token bucket: achieved rate
    (first to last accepted send) / cap, 429s, lost and duplicated messages.
(2) The same with no cap: messages per second one worker pushes (its drain, start-up excluded).
(3) Enqueue `--enqueue` recipients in one INSERT … SELECT, in a fresh child process: seconds
    and that process's peak RSS.
The fake Bot API runs in a child process so it does not share this process's CPU.
Last line: RESULT cap_ratio=… n429=… lost=… dup=… uncapped_per_s=… enqueue_1m_s=… rss_mb=…
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import secrets
import signal
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import event_loop  # noqa: E402
from bot.event_loop import settle_heap  # noqa: E402
from core.bootstrap import bootstrap  # noqa: E402
from core.campaigns.audience import Audience  # noqa: E402
from core.config import Settings  # noqa: E402
from core.delivery import outbox  # noqa: E402
from core.delivery.messenger import Button, Message  # noqa: E402
from core.delivery.policy import DeliveryPolicy  # noqa: E402
from core.delivery.worker import DeliveryWorker, PlatformLimits  # noqa: E402
from core.storage.db import create_engine  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from tests.fakes.crowd import CHAT_BASE, seed_telegram_residents  # noqa: E402
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI  # noqa: E402

SERVER = os.environ.get(
    "SPILNO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
NO_QUIET = DeliveryPolicy(None, None, 19)


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def admin(statement: str) -> None:
    conn = await asyncpg.connect(dsn(SERVER))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def render() -> Message:
    return Message(
        "🗳 Нове опитування: «Де посадити дерева?»",
        buttons=((Button("👉 Взяти участь", "open:1"),),),
    )


# ---- the fake Bot API in a child process ---------------------------------------------------


async def serve_fake(cap: int | None) -> None:
    """Child: run the fake, print its URL, and on SIGTERM print what it saw as JSON."""
    fake = FakeTelegramAPI(rate_cap=cap)
    await fake.start()
    print(fake.base_url, flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    while not stop.is_set():
        # The fake keeps every call it answers; without this, full collections over that
        # growing record stall it ~0.1 s, and requests queued meanwhile all get one arrival
        # time: a burst the senders never made (and 429s for it).
        gc.freeze()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
    sends = [c for c in fake.calls if c.method == "sendMessage"]
    ok = [c for c in sends if c.ok]
    times = sorted(c.at for c in ok)
    print(
        json.dumps(
            {
                "per_chat": Counter(str(c.chat_id) for c in ok),
                "n429": fake.rate_limited,
                "seconds": (times[-1] - times[0]) if len(times) > 1 else 0.0,
                "sent": len(ok),
                # Accepted sends per tenth of a second, from the first: where the rate sagged.
                "per_tenth": per_tenth(times),
            }
        ),
        flush=True,
    )
    await fake.stop()


def per_tenth(times: list[float]) -> list[int]:
    """Accepted sends per tenth of a second from the first (empty tenths as 0)."""
    if not times:
        return []
    counts = [0] * (int((times[-1] - times[0]) * 10) + 1)
    for t in times:
        counts[int((t - times[0]) * 10)] += 1
    return counts


class FakeProcess:
    def __init__(self, cap: int | None) -> None:
        self.cap = cap

    async def __aenter__(self) -> FakeProcess:
        args = [sys.executable, __file__, "--serve-fake", str(self.cap or 0)]
        self.process = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, cwd=ROOT
        )
        assert self.process.stdout is not None
        self.url = (await self.process.stdout.readline()).decode().strip()
        return self

    async def report(self) -> dict:
        self.process.send_signal(signal.SIGTERM)
        assert self.process.stdout is not None
        out = await self.process.stdout.read()  # to EOF: the report is one long line
        await self.process.wait()
        return json.loads(out.decode().strip().splitlines()[-1])

    async def __aexit__(self, *exc: object) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


# ---- phases --------------------------------------------------------------------------------


async def enqueue(url: str) -> tuple[int, float]:
    app = bootstrap(Settings(database_url=url, quiet_hours="", _env_file=None))
    try:
        started = time.perf_counter()
        async with app.uow_factory() as uow:
            broadcast_id = await outbox.enqueue(
                uow,
                kind="bench",
                audience=Audience.everyone(),
                render=render,
                now=app.clock(),
                policy=NO_QUIET,
            )
            await uow.commit()
        return broadcast_id, time.perf_counter() - started
    finally:
        await app.aclose()


async def deliver(url: str, cap: int | None, processes: int) -> tuple[dict, float]:
    """Run `processes` real `spilno deliver` workers (0: one worker in this process).

    Seconds: the whole run with processes, the drain alone with one worker here."""
    async with FakeProcess(cap) as fake:
        if processes:
            started = time.perf_counter()
            await _worker_processes(url, fake.url, cap, processes)
            elapsed = time.perf_counter() - started
        else:
            await enqueue(url)
            elapsed = await _worker_here(url, fake.url, cap)
        seen = await fake.report()
    return seen, elapsed


async def _worker_here(url: str, api_url: str, cap: int | None) -> float:
    """Seconds one worker in this process takes to drain the outbox, once it is up."""
    # aiogram's models cost ~130 MB of RSS: import them only where they are used, so the
    # enqueue child below measures the core alone.
    from bot.telegram.channel import build_bot
    from bot.telegram.messenger import TelegramMessenger

    app = bootstrap(Settings(database_url=url, _env_file=None))
    bot = build_bot(TOKEN, api_url)
    if cap:
        limits = {"telegram": PlatformLimits.for_cap(cap, per_chat_s=1.0)}
    else:
        limits = {"telegram": PlatformLimits(rate=1e9, burst=1e9, batch=500, per_chat_s=1.0)}
    worker = DeliveryWorker(
        app.uow_factory, {"telegram": TelegramMessenger(bot)}, app.clock, limits=limits
    )
    try:
        # Start-up (importing aiogram alone takes ~4 s here) is not sending: time the drain,
        # with the heap settled as `spilno deliver` does once it is up.
        settle_heap()
        started = time.perf_counter()
        await worker.drain("telegram")
        return time.perf_counter() - started
    finally:
        await bot.session.close()
        await app.aclose()


async def _worker_processes(url: str, api_url: str, cap: int | None, count: int) -> None:
    """Start `count` workers, and once they are all up and polling, push the broadcast.

    Workers are long-running: a campaign opens while they idle. Starting them with the
    broadcast already due would measure ~4 s of aiogram imports per process on a 2-core
    machine, competing with the first worker's sends (and with the fake API's process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPILNO_")}
    env.update(
        PYTHONPATH=str(ROOT),
        SPILNO_DATABASE_URL=url,
        SPILNO_TELEGRAM_TOKEN=TOKEN,
        SPILNO_TELEGRAM_API_URL=api_url,
        SPILNO_TELEGRAM_RATE=str(cap or 1_000_000),
        SPILNO_QUIET_HOURS="",
        SPILNO_LOG_LEVEL="WARNING",
        # Required with PostgreSQL (keyed hashes); any key does for a bench database.
        SPILNO_SECRET_KEY=secrets.token_urlsafe(32),
    )
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "deliver", cwd=ROOT, env=env
        )
        for _ in range(count)
    ]
    await _until_connected(url, count, workers)
    broadcast_id, _seconds = await enqueue(url)
    app = bootstrap(Settings(database_url=url, _env_file=None))
    try:
        while True:
            async with app.uow_factory() as uow:
                state = await uow.outbox.progress(broadcast_id)
            if state is None or state.done:
                break
            await asyncio.sleep(0.1)
    finally:
        await app.aclose()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            await worker.wait()


async def _until_connected(
    url: str, count: int, workers: list[asyncio.subprocess.Process], within: float = 60.0
) -> None:
    """Until `count` sessions are open on the bench database: a worker connects on its first
    (empty) claim and keeps the connection in its pool. A worker that exits instead (its one
    line is on stderr above) ends the wait at once."""
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(dsn(SERVER))
    try:
        for _ in range(int(within / 0.1)):
            sessions = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name
            )
            if sessions >= count:
                return
            if exited := [w.returncode for w in workers if w.returncode is not None]:
                raise RuntimeError(f"{len(exited)} of {count} workers exited (codes {exited})")
            await asyncio.sleep(0.1)
        raise RuntimeError(f"only {sessions} of {count} workers connected in {within} s")
    finally:
        await conn.close()


def lost_and_duplicated(seen: dict, recipients: int) -> tuple[int, int]:
    per_chat = {int(k): v for k, v in seen["per_chat"].items()}
    expected = {CHAT_BASE + k for k in range(1, recipients + 1)}
    lost = len(expected - set(per_chat))
    dup = sum(v - 1 for v in per_chat.values() if v > 1)
    return lost, dup


async def fresh_database(residents: int) -> tuple[str, str]:
    name = f"spilno_bench_{uuid.uuid4().hex[:8]}"
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    await admin(f'CREATE DATABASE "{name}"')
    engine = create_engine(url)
    try:
        await upgrade(engine)
        await seed_telegram_residents(engine, residents)
    finally:
        await engine.dispose()
    return name, url


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: a forked child inherits the parent's
    ru_maxrss across exec on Linux, which would charge it the parent's aiogram import."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def enqueue_child(url: str) -> None:
    """Child: enqueue to everyone once; print seconds and this process's peak RSS."""
    _broadcast_id, seconds = await enqueue(url)
    rss_mb = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "rss_mb": rss_mb}), flush=True)


async def main(recipients: int, cap: int, enqueue_n: int, workers: int) -> None:
    results: dict[str, float] = {}
    name, url = await fresh_database(recipients)
    try:
        seen, elapsed = await deliver(url, cap, workers)
        lost, dup = lost_and_duplicated(seen, recipients)
        rate = seen["sent"] / seen["seconds"] if seen["seconds"] else 0.0
        print(
            f"(1) capped: {seen['sent']} sent in {seen['seconds']:.2f} s = {rate:.0f}/s "
            f"(cap {cap}), 429s {seen['n429']}, lost {lost}, duplicated {dup}; "
            f"{workers} worker processes, wall {elapsed:.2f} s"
        )
        print(f"    accepted per 0.1 s: {seen['per_tenth']}")
        results.update(cap_ratio=rate / cap, n429=seen["n429"], lost=lost, dup=dup)
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    name, url = await fresh_database(recipients)
    try:
        seen, elapsed = await deliver(url, None, 0)
        lost2, dup2 = lost_and_duplicated(seen, recipients)
        uncapped = recipients / elapsed
        print(
            f"(2) uncapped: {seen['sent']} sent by one worker in {elapsed:.2f} s = "
            f"{uncapped:.0f}/s (lost {lost2}, duplicated {dup2})"
        )
        results["uncapped_per_s"] = uncapped
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    name, url = await fresh_database(enqueue_n)
    try:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--enqueue-child",
            url,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        out, _ = await child.communicate()
        measured = json.loads(out.decode().strip().splitlines()[-1])
        print(
            f"(3) enqueue {enqueue_n} recipients: {measured['seconds']:.1f} s, "
            f"peak RSS {measured['rss_mb']:.0f} MB"
        )
        results.update(enqueue_1m_s=measured["seconds"], rss_mb=measured["rss_mb"])
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(
        f"RESULT cap_ratio={results['cap_ratio']:.3f} n429={results['n429']} "
        f"lost={results['lost']} dup={results['dup']} "
        f"uncapped_per_s={results['uncapped_per_s']:.0f} "
        f"enqueue_1m_s={results['enqueue_1m_s']:.1f} rss_mb={results['rss_mb']:.0f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--cap", type=int, default=1_000)
    parser.add_argument("--enqueue", type=int, default=1_000_000)
    parser.add_argument(
        "--workers", type=int, default=3, help="`spilno deliver` processes sharing the cap in (1)"
    )
    parser.add_argument("--serve-fake", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--enqueue-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake is not None:
        asyncio.run(serve_fake(args.serve_fake or None))
    elif args.enqueue_child:
        asyncio.run(enqueue_child(args.enqueue_child))
    else:
        # The way `spilno deliver` runs: on uvloop where it is installed.
        event_loop.run(main(args.recipients, args.cap, args.enqueue, args.workers))
