"""`spilno run` as a real process, with the fake Viber API as the outside world: a resident opens
the bot, chooses a language, finds a poll, votes and sees the results."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.viber_api import FakeViberApi, ViberUser
from tests.processes import free_port, seed_poll, spilno_env, with_database

TOKEN = "e2e-viber-token-5a4b3c2d1e0f"
RESIDENT = ViberUser("e2e-resident==", name="Марія", language="en")
START_TIMEOUT_S = 30.0


async def tally(database_url: str, poll_id: int) -> tuple[dict[int, int], int]:
    return await with_database(database_url, lambda uow, _now: uow.ballots.tally(poll_id))


@dataclass
class Running:
    """`spilno run` with its log in a file: a DEBUG log written to a pipe nobody reads until
    the end fills the pipe's buffer and blocks the process mid-update."""

    process: asyncio.subprocess.Process
    log: Path

    def err(self) -> str:
        return self.log.read_text(errors="replace")

    async def finish(self, within_s: float) -> str:
        await asyncio.wait_for(self.process.wait(), timeout=within_s)
        return self.err()


@asynccontextmanager
async def spilno_run(cwd: Path, env: dict[str, str]) -> AsyncIterator[Running]:
    log = cwd / "spilno-run.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        yield Running(process, log)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except TimeoutError:
                process.kill()
                await process.wait()


async def wait_for_webhook(api: FakeViberApi, running: Running) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT_S
    while api.webhook_url is None:
        if running.process.returncode is not None:
            pytest.fail(f"spilno run exited with {running.process.returncode}:\n{running.err()}")
        if loop.time() > deadline:
            pytest.fail("spilno run did not register the Viber webhook in time")
        await asyncio.sleep(0.1)


def payloads(message: dict[str, Any]) -> list[str]:
    return [b["ActionBody"] for b in (message.get("keyboard") or {}).get("Buttons", [])]


async def press(api: FakeViberApi, payload: str) -> list[dict[str, Any]]:
    before = len(api.messages_to(RESIDENT.id))
    result = await api.send_text(RESIDENT, payload)
    assert result.status == 200, result.text
    return api.messages_to(RESIDENT.id)[before:]


async def test_resident_votes_through_viber_against_a_running_spilno(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'spilno.db'}"
    poll_id = await seed_poll(
        database_url, "Which street gets new lights first?", ["Shevchenka", "Franka"]
    )
    port = free_port()
    async with FakeViberApi(TOKEN) as api:
        env = spilno_env(
            database_url=database_url,
            viber_token=TOKEN,
            viber_api_url=api.url,
            viber_bot_name="Spilno e2e",
            webhook_base_url=f"http://127.0.0.1:{port}",
            http_host="127.0.0.1",
            http_port=str(port),
            log_level="DEBUG",
        )
        async with spilno_run(tmp_path, env) as running:
            process = running.process
            await wait_for_webhook(api, running)
            assert api.webhook_url == f"http://127.0.0.1:{port}/viber/webhook"

            welcome = (await api.conversation_started(RESIDENT)).json()
            assert welcome["sender"]["name"] == "Spilno e2e"
            assert payloads(welcome) == ["start"]  # Viber's free welcome: a Start button
            (languages,) = await press(api, "start")
            assert "setlang:en" in payloads(languages)

            _greeting, menu = await press(api, "setlang:en")
            assert "polls:0" in payloads(menu)
            (poll_list,) = await press(api, "polls:0")
            assert f"poll:{poll_id}" in payloads(poll_list)
            (poll_screen,) = await press(api, f"poll:{poll_id}")
            vote = next(p for p in payloads(poll_screen) if p.startswith("vote:"))
            (voted,) = await press(api, vote)
            assert "Your vote is saved" in voted["text"]
            (results,) = await press(api, f"pres:{poll_id}")
            assert "1 person voted" in results["text"]

            process.send_signal(signal.SIGTERM)
            err = await running.finish(within_s=15)

    assert process.returncode == 0, err
    assert TOKEN not in err, "the token must never reach the logs"
    _votes, voters = await tally(database_url, poll_id)
    assert voters == 1


async def test_viber_token_without_a_webhook_url_fails_at_start_with_a_readable_reason(
    tmp_path: Path,
) -> None:
    env = spilno_env(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'spilno.db'}",
        viber_token=TOKEN,
        http_port=str(free_port()),
    )
    async with spilno_run(tmp_path, env) as running:
        err = await running.finish(within_s=START_TIMEOUT_S)

    assert running.process.returncode != 0
    assert "SPILNO_WEBHOOK_BASE_URL" in err
    assert "webhook" in err.lower()
    assert TOKEN not in err
