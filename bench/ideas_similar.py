"""Similar-ideas search over 10,000 published ideas: prefilter in SQL, score in Python.

    .venv/bin/python bench/ideas_similar.py [--url postgresql+asyncpg://…/db] [--ideas 10000]

Uses a fresh SQLite file by default. Prints `RESULT ideas_similar ms_p50=… ms_max=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from core.citizens.tables import CitizenRow
from core.hromadas.taxonomy import district_codes, topic_codes
from core.ideas import service as ideas
from core.ideas import similarity
from core.ideas.tables import IdeaRow
from core.storage.db import create_engine, create_session_factory
from core.storage.migrate import upgrade
from core.storage.unit_of_work import SqlUnitOfWork

WORDS = [
    "лавки",
    "сквер",
    "парк",
    "дерева",
    "освітлення",
    "дорога",
    "тротуар",
    "автобус",
    "зупинка",
    "школа",
    "садок",
    "лікарня",
    "фонтан",
    "велодоріжка",
    "пандус",
    "смітник",
    "контейнер",
    "майданчик",
    "дитячий",
    "спортивний",
    "стадіон",
    "бібліотека",
    "ринок",
    "міст",
    "набережна",
    "річка",
    "пляж",
    "паркування",
    "світлофор",
    "перехід",
    "камера",
]
QUERIES = [
    "Нові лавки у сквері біля річки",
    "Освітлення на пішохідному переході біля школи",
    "Частіше автобус до лікарні",
    "Дитячий майданчик у дворі",
    "Велодоріжка вздовж набережної",
]


def fake_title(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, 4)).capitalize()


async def main(url: str, count: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    now = datetime.now(UTC)
    rng = random.Random(7)
    async with engine.begin() as conn:
        citizen = (
            await conn.execute(
                insert(CitizenRow)
                .values(locale="uk", notifications="instant", dialog_state={}, created_at=now)
                .returning(CitizenRow.id)
            )
        ).scalar_one()
        rows = []
        for i in range(count):
            title = fake_title(rng)
            description = " ".join(rng.choices(WORDS, k=30))
            rows.append(
                {
                    "code": f"ID-2099-{i + 1:05d}",
                    "author_id": citizen,
                    "title": title,
                    "description": description,
                    "keywords": similarity.keywords(title, description),
                    "topic": rng.choice(topic_codes()),
                    "district": rng.choice(district_codes()),
                    "status": "published",
                    "hidden": False,
                    "supports": rng.randint(0, 200),
                    "comments": 0,
                    "reports": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for start in range(0, len(rows), 1000):
            await conn.execute(insert(IdeaRow), rows[start : start + 1000])
    factory = create_session_factory(engine)
    timings = []
    for _round in range(4):
        for query in QUERIES:
            started = time.perf_counter()
            async with SqlUnitOfWork(factory) as uow:
                found = await ideas.similar_ideas(
                    uow, title=query, description="", topic="greenery"
                )
            timings.append((time.perf_counter() - started) * 1000)
    await engine.dispose()
    print(f"last query found {len(found)} similar ideas")
    print(
        f"RESULT ideas_similar ideas={count} queries={len(timings)} "
        f"ms_p50={statistics.median(timings):.1f} ms_max={max(timings):.1f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--ideas", type=int, default=10_000)
    args = parser.parse_args()
    url = args.url or "sqlite+aiosqlite:///" + str(Path(tempfile.mkdtemp()) / "bench.db")
    asyncio.run(main(url, args.ideas))
