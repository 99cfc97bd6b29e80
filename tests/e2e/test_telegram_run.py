"""`spilno run` as a real process against the fake Bot API: a resident votes in Telegram."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import pytest

from core.kernel.unit_of_work import UnitOfWork
from tests.adapters.telegram_harness import Resident
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.processes import free_port, seed_poll, spilno_env, with_database

START_TIMEOUT_S = 30.0
QUESTION = "Which square gets a fountain?"


async def voters(database_url: str, poll_id: int) -> int:
    async def count(uow: UnitOfWork, _now: datetime) -> int:
        _votes, count = await uow.ballots.tally(poll_id)
        return count

    return await with_database(database_url, count)


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
    poll_id = await seed_poll(database_url, QUESTION, ["Soborna", "Teatralna"])
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
        async with spilno_run(tmp_path, spilno_env(**settings)) as process:
            ready = "setWebhook" if mode == "webhook" else "getUpdates"
            await fake.wait_for_method(ready, within=START_TIMEOUT_S)

            mykola = Resident(fake, 9001, mode=mode, language_code="en")
            await mykola.say("/start")
            await mykola.sees("Choose your language")
            await mykola.press("English")
            await mykola.sees("Main menu")
            await mykola.press("Polls")
            await mykola.sees(QUESTION)
            await mykola.press(QUESTION)
            await mykola.sees("Choose one option")
            await mykola.press("Teatralna")
            await mykola.sees("Your vote is saved")

            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 15) == 0

    assert await voters(database_url, poll_id) == 1
    log = (tmp_path / "spilno.log").read_text()
    assert "Telegram" in log
    assert fake.token not in log
