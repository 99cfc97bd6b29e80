"""Cast votes through the service layer on PostgreSQL; compare with bare asyncpg doing the same SQL.

    .venv/bin/python bench/votes.py [--votes 100000] [--concurrency 16]

Each vote is its own transaction by a distinct citizen, as in production (one tap, one commit).
The baseline runs the same statements (insert-or-lock the ballot, replace its choice) over
raw asyncpg, so the ratio shows what the service layer and SQLAlchemy cost on this machine.
Last line: RESULT votes_per_s=… baseline_per_s=… ratio=… tally_ms=…
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.bootstrap import bootstrap
from core.campaigns import results
from core.campaigns import service as campaigns
from core.config import Settings
from core.polls import service as polls
from core.storage.db import create_engine
from core.storage.migrate import upgrade

SERVER = os.environ.get(
    "SPILNO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def admin(statement: str) -> None:
    conn = await asyncpg.connect(dsn(SERVER))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def make_citizens(url: str, count: int) -> list[int]:
    conn = await asyncpg.connect(dsn(url))
    try:
        rows = await conn.fetch(
            "INSERT INTO citizens (hromada_id, locale, notifications, dialog_state, created_at) "
            "SELECT 1, 'uk', 'instant', '{}'::json, now() FROM generate_series(1, $1) RETURNING id",
            count,
        )
    finally:
        await conn.close()
    return [r["id"] for r in rows]


async def run_workers(concurrency: int, jobs: list, vote) -> float:
    queue = list(jobs)
    started = time.perf_counter()

    async def worker() -> None:
        while queue:
            await vote(*queue.pop())

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def main(votes: int, concurrency: int) -> None:
    name = f"spilno_bench_{uuid.uuid4().hex[:8]}"
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    await admin(f'CREATE DATABASE "{name}"')
    engine = create_engine(url, pool_size=concurrency)
    try:
        await upgrade(engine)
        app = bootstrap(Settings(database_url=url, _env_file=None), engine=engine)
        async with app.uow_factory() as uow:
            ours = await polls.create_poll(
                uow, question="Bench", options=["A", "B", "C", "D"], actor="bench", now=app.clock()
            )
            base = await polls.create_poll(
                uow,
                question="Baseline",
                options=["A", "B", "C", "D"],
                actor="bench",
                now=app.clock(),
            )
            for poll in (ours, base):
                await campaigns.open_campaign(uow, poll.id, actor="bench", now=app.clock())
            await uow.commit()
        citizen_ids = await make_citizens(url, votes)
        rng = random.Random(42)
        jobs = [(c, rng.choice(ours.options).id) for c in citizen_ids]

        async def vote_ours(citizen_id: int, option_id: int) -> None:
            async with app.uow_factory() as uow:
                await polls.toggle_choice(
                    uow,
                    poll_id=ours.id,
                    citizen_id=citizen_id,
                    option_id=option_id,
                    now=app.clock(),
                )
                await uow.commit()

        ours_s = await run_workers(concurrency, jobs, vote_ours)

        pool = await asyncpg.create_pool(dsn(url), min_size=concurrency, max_size=concurrency)
        option_map = {o.position: b.id for o, b in zip(ours.options, base.options, strict=True)}
        by_id = {o.id: o.position for o in ours.options}

        async def vote_baseline(citizen_id: int, option_id: int) -> None:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO ballots (hromada_id, campaign_id, citizen_id, created_at,"
                    " updated_at) VALUES (1, $1, $2, now(), now()) ON CONFLICT DO NOTHING",
                    base.id,
                    citizen_id,
                )
                ballot = await conn.fetchval(
                    "SELECT id FROM ballots WHERE campaign_id = $1 AND citizen_id = $2 FOR UPDATE",
                    base.id,
                    citizen_id,
                )
                await conn.execute("DELETE FROM ballot_choices WHERE ballot_id = $1", ballot)
                await conn.execute(
                    "INSERT INTO ballot_choices (hromada_id, ballot_id, option_id, campaign_id)"
                    " VALUES (1, $1, $2, $3)",
                    ballot,
                    option_map[by_id[option_id]],
                    base.id,
                )

        base_s = await run_workers(concurrency, jobs, vote_baseline)
        await pool.close()

        timings = []
        for _ in range(7):
            started = time.perf_counter()
            async with app.uow_factory() as uow:
                outcome = await results.poll_results(
                    uow, ours.id, now=app.clock(), for_official=True
                )
            timings.append((time.perf_counter() - started) * 1000)
        assert outcome.voters == votes, (outcome.voters, votes)

        ours_rate = votes / ours_s
        base_rate = votes / base_s
        tally_ms = statistics.median(timings)
        print(f"votes: {votes} distinct citizens, concurrency {concurrency}")
        print(f"service layer: {ours_s:.1f} s -> {ours_rate:.0f} votes/s")
        print(f"raw asyncpg:   {base_s:.1f} s -> {base_rate:.0f} votes/s")
        print(f"tally of {outcome.voters} votes: median {tally_ms:.1f} ms over 7 runs")
        print(
            f"RESULT votes_per_s={ours_rate:.0f} baseline_per_s={base_rate:.0f} "
            f"ratio={ours_rate / base_rate:.2f} tally_ms={tally_ms:.1f}"
        )
    finally:
        await engine.dispose()
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.votes, args.concurrency))
