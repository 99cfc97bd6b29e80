"""What the tests that start real `spilno` processes share: a free port, the child's environment,
and the installation's database reached the way another process would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
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


class SpilnoServer:
    """`spilno run --role web` as a real process on 127.0.0.1 and a free port, its output in
    a log file (shown when a test using it fails)."""

    def __init__(self, directory: Path, **settings: str) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = directory / f"spilno-web-{self.port}.log"
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 120.0) -> SpilnoServer:
        env = spilno_env(http_host="127.0.0.1", http_port=str(self.port), **self.settings)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--role", "web"],
                cwd=self.directory,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # A cold start (aiogram, SQLAlchemy, migrations checked) on a busy 2-core machine.
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"spilno run --role web exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"spilno run --role web never answered:\n{self.log_tail()}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# What the shared test servers allow: tests run many commands a second, and strangers' tokens
# (401) come from 127.0.0.1 by the dozen. tests/integration/test_admin_api.py checks the
# limits with servers of its own.
GENEROUS_LIMITS = {
    "admin_api_rate": "10000",
    "admin_api_burst": "100000",
    "admin_api_failures": "100000",
    # Tests empty the database between them: never a profile cached from the previous one.
    "hromada_profile_refresh_s": "0",
}


class AdminServers:
    """The session's test servers for the CLI's remote mode, one per set of settings a test
    asks for (most share one), all on the session's PostgreSQL database."""

    KEEP = 3  # servers kept running; the one used longest ago stops first

    def __init__(self, directory: Path, database_url: str) -> None:
        self.directory, self.database_url = directory, database_url
        self._running: dict[frozenset[tuple[str, str]], SpilnoServer] = {}

    def serving(self, database_url: str, settings: dict[str, str]) -> SpilnoServer:
        assert database_url == self.database_url, "remote mode serves the session's PostgreSQL"
        wanted = {"default_locale": "en", **GENEROUS_LIMITS}
        wanted.update({k.removeprefix("SPILNO_").lower(): v for k, v in settings.items()})
        key = frozenset(wanted.items())
        server = self._running.pop(key, None)
        if server is None:
            server = SpilnoServer(self.directory, database_url=database_url, **wanted).start()
        self._running[key] = server  # the most recently used last
        while len(self._running) > self.KEEP:
            oldest = next(iter(self._running))
            self._running.pop(oldest).stop()
        return server

    def stop(self) -> None:
        for server in self._running.values():
            server.stop()
        self._running.clear()
