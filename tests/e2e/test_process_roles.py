"""`spilno run --role …` as real processes: health, metrics, SIGTERM within 10 s."""

import asyncio
import signal
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.processes import free_port, spilno_env

SHUTDOWN_LIMIT_S = 10.0


async def start(
    tmp_path: Path, role: str, **settings: str
) -> tuple[asyncio.subprocess.Process, int]:
    port = free_port()
    env = spilno_env(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'spilno.db'}",
        http_host="127.0.0.1",
        http_port=str(port),
        **settings,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--role",
        role,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    return process, port


async def wait_healthy(process, port: int) -> dict:
    # Start-up time is not what this test measures: a cold start (aiogram, SQLAlchemy, migrations)
    # on a loaded 2-core machine can take far longer than on a quiet one.
    deadline = time.monotonic() + 120
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise AssertionError((await process.stderr.read()).decode())
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return await response.json()
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("never became healthy")


async def wait_for_poll(fake: FakeTelegramAPI) -> None:
    deadline = time.monotonic() + 60
    while not any(c.method == "getUpdates" for c in fake.calls):
        if time.monotonic() > deadline:
            raise AssertionError("the web process never polled for updates")
        await asyncio.sleep(0.1)


async def stop_within_limit(process) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), SHUTDOWN_LIMIT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("did not exit within 10 s of SIGTERM") from None
    return time.monotonic() - started


@pytest.mark.parametrize("role", ["scheduler", "worker", "web", "all"])
async def test_each_role_is_healthy_serves_metrics_and_stops_on_sigterm(tmp_path, role):
    async with FakeTelegramAPI() as fake:
        process, port = await start(
            tmp_path, role, telegram_token=fake.token, telegram_api_url=fake.base_url
        )
        try:
            assert await wait_healthy(process, port) == {"status": "ok", "database": "up"}
            url = f"http://127.0.0.1:{port}/metrics"
            async with aiohttp.ClientSession() as session, session.get(url) as response:
                assert response.status == 200
                assert "spilno_updates_received" in await response.text()
            if role in ("web", "all"):
                # Healthy comes before the first long poll; on a loaded machine, well before.
                await wait_for_poll(fake)
            took = await stop_within_limit(process)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, (await process.stderr.read()).decode()
    assert took < SHUTDOWN_LIMIT_S
    polled = any(c.method == "getUpdates" for c in fake.calls)
    assert polled == (role in ("web", "all")), "only web processes take updates"


async def test_a_worker_without_a_messenger_refuses_to_start_with_one_line(tmp_path):
    process, _port = await start(tmp_path, "worker")
    _out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert lines[-1].startswith("spilno: ") and "SPILNO_TELEGRAM_TOKEN" in lines[-1]
    assert "Traceback" not in err.decode()
