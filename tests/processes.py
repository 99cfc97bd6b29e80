"""What the tests that start real `spilno` processes share: a free port, the child's environment,
and the installation's database reached the way another process would."""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from core.bootstrap import bootstrap
from core.campaigns import service as campaigns
from core.config import Settings
from core.kernel.unit_of_work import UnitOfWork
from core.polls import service as polls

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spilno_env(**settings: str) -> dict[str, str]:
    """The parent's environment without any SPILNO_ setting, plus the given ones."""
    # Keep the test key (tests/conftest.py): PostgreSQL installations require one.
    env = {
        k: v
        for k, v in os.environ.items()
        if k == "SPILNO_SECRET_KEY" or not k.startswith("SPILNO_")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update({f"SPILNO_{k.upper()}": v for k, v in settings.items()})
    return env


async def with_database(
    database_url: str,
    work: Callable[[UnitOfWork, datetime], Awaitable[Any]],
    *,
    prepare: bool = False,
) -> Any:
    """Run `work(uow, now)` in one committed unit of work on `database_url` (migrated first
    when `prepare`), from an app of its own, as another process would."""
    app = bootstrap(Settings(database_url=database_url, _env_file=None))
    try:
        if prepare:
            await app.prepare_database()
        async with app.uow_factory() as uow:
            result = await work(uow, app.clock())
            await uow.commit()
        return result
    finally:
        await app.aclose()


async def seed_poll(database_url: str, question: str, options: list[str]) -> int:
    """Migrate the database and open a poll in it; its id."""

    async def work(uow: UnitOfWork, now: datetime) -> int:
        poll = await polls.create_poll(
            uow, question=question, options=options, actor="e2e", now=now
        )
        await campaigns.open_campaign(uow, poll.id, actor="e2e", now=now)
        return poll.id

    return await with_database(database_url, work, prepare=True)
