"""`spilno run` as a real process against the fake Bot API: a resident votes in Telegram."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from core.bootstrap import bootstrap
from core.campaigns import service as campaigns
from core.config import Settings
from core.polls import service as polls
from tests.adapters.telegram_harness import Resident, free_port
from tests.fakes.telegram_api import FakeTelegramAPI

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0


def telegram_env(**settings: str) -> dict[str, str]:
    """The parent's environment minus any SPILNO_ setting, plus the given ones."""
    # Keep the test key (tests/conftest.py): PostgreSQL installations require one.
    env = {
        k: v
        for k, v in os.environ.items()
        if k == "SPILNO_SECRET_KEY" or not k.startswith("SPILNO_")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update({f"SPILNO_{k.upper()}": v for k, v in settings.items()})
    return env


async def seed_poll(database_url: str) -> int:
    app = bootstrap(Settings(database_url=database_url, _env_file=None))
    try:
        await app.prepare_database()
        async with app.uow_factory() as uow:
            poll = await polls.create_poll(
                uow,
                question="Which square gets a fountain?",
                options=["Soborna", "Teatralna"],
                actor="e2e",
                now=app.clock(),
            )
            await campaigns.open_campaign(uow, poll.id, actor="e2e", now=app.clock())
            await uow.commit()
        return poll.id
    finally:
        await app.aclose()


async def voters(database_url: str, poll_id: int) -> int:
    app = bootstrap(Settings(database_url=database_url, _env_file=None))
    try:
        async with app.uow_factory() as uow:
            _votes, count = await uow.ballots.tally(poll_id)
            return count
    finally:
        await app.aclose()


@asynccontextmanager
async def spilno_run(cwd: Path, env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    log_path = cwd / "spilno.log"
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=cwd, env=env, stdout=log_file, stderr=log_file
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 15)
                except TimeoutError:
                    process.kill()
                    await process.wait()


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_spilno_run_lets_a_telegram_resident_vote(tmp_path: Path, mode: str) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'spilno.db'}"
    poll_id = await seed_poll(database_url)
    async with FakeTelegramAPI() as fake:
        port = free_port()
        settings = {
            "telegram_token": fake.token,
            "telegram_api_url": fake.base_url,
            "database_url": database_url,
            "http_port": str(port),
            "log_level": "DEBUG",
        }
        if mode == "webhook":
            settings["webhook_base_url"] = f"http://127.0.0.1:{port}/"
        async with spilno_run(tmp_path, telegram_env(**settings)) as process:
            ready = "setWebhook" if mode == "webhook" else "getUpdates"
            await fake.wait_for_method(ready, within=START_TIMEOUT_S)

            mykola = Resident(fake, 9001, mode=mode, language_code="en")
            await mykola.say("/start")
            await mykola.sees("Choose your language")
            await mykola.press("English")
            await mykola.sees("Main menu")
            await mykola.press("Polls")
            await mykola.sees("Which square gets a fountain?")
            await mykola.press("Which square gets a fountain?")
            await mykola.sees("Choose one option")
            await mykola.press("Teatralna")
            await mykola.sees("Your vote is saved")

            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 15) == 0

    assert await voters(database_url, poll_id) == 1
    log = (tmp_path / "spilno.log").read_text()
    assert "Telegram" in log
    assert fake.token not in log
