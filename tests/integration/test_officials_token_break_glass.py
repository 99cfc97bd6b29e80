"""`spilno officials-token NAME`: whoever holds the server's database credentials issues (or
rotates) an official's personal token — the way in for the city admins SPILNO_CITY_ADMINS
made, who have no token (issue 19). A real `spilno` process on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.audit import service as audit
from core.officials import service as officials
from core.officials import tokens
from core.officials.token_model import TokenRefusedError
from tests.cli import in_db
from tests.processes import REPO_ROOT, spilno_env

TOKEN = re.compile(r"spl_[A-Za-z0-9_-]{43}")


@pytest.fixture
def spilno(database_url: str, tmp_path: Path):
    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        env = spilno_env(database_url=database_url, default_locale="en")
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == expect, (done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        return done

    return run


@pytest.fixture
def admin_process(database_url: str, tmp_path: Path):
    """The installed `spilno-admin` with a token in the environment, on this computer."""
    script = str(Path(sys.executable).with_name("spilno-admin"))

    def run(token: str, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        env = spilno_env(
            database_url=database_url,
            default_locale="en",
            token=token,
            admin_config_dir=str(tmp_path / "cfg"),
        )
        done = subprocess.run(
            [script, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == expect, (done.stdout, done.stderr)
        return done

    return run


def _bootstrap(database_url: str, *names: str) -> None:
    """What SPILNO_CITY_ADMINS does the first time the CLI runs."""

    async def work(uow, now):
        await officials.bootstrap_city_admins(uow, list(names), now)

    in_db(database_url, work)


def _refused(database_url: str, token: str) -> str | None:
    async def work(uow, now):
        try:
            await tokens.verify(uow, token, now)
        except TokenRefusedError as refused:
            return refused.reason
        return None

    return in_db(database_url, work)


def test_a_bootstrapped_city_admin_gets_a_token_once_and_it_works(
    spilno, admin_process, database_url
):
    _bootstrap(database_url, "mayor")
    done = spilno("officials-token", "mayor")
    (token,) = TOKEN.findall(done.stdout)
    assert done.stdout.strip() == token  # the token alone on stdout, for a pipe
    assert "shown only now" in done.stderr and "spl_" not in done.stderr
    me = admin_process(token, "whoami").stdout
    assert me.startswith("mayor in the hromada main") and "city_admin" in me

    async def entries(uow, now):
        return await audit.recent(uow, limit=10)

    (issued,) = [e for e in in_db(database_url, entries) if e.action == "official.token_issue"]
    assert issued.actor == "installation" and issued.object_id == "mayor"
    assert token[4:] not in repr(issued)

    # A second one only replaces the first, on purpose.
    again = spilno("officials-token", "mayor", expect=2)
    assert again.stderr.count("\n") == 1 and "--rotate" in again.stderr
    assert "spl_" not in again.stdout + again.stderr
    rotated = spilno("officials-token", "mayor", "--rotate")
    (new,) = TOKEN.findall(rotated.stdout)
    assert new != token
    assert _refused(database_url, token) == "revoked" and _refused(database_url, new) is None
    refused = admin_process(token, "whoami", expect=1)
    assert refused.stderr.count("\n") == 1 and "not valid" in refused.stderr


def test_no_token_for_a_stranger_a_bad_name_or_an_unknown_hromada(spilno, database_url):
    _bootstrap(database_url, "mayor")
    stranger = spilno("officials-token", "nobody", expect=2)
    assert stranger.stderr.strip().count("\n") == 0
    assert "nobody holds no city role here" in stranger.stderr
    unknown = spilno("officials-token", "mayor", "--hromada", "nowhere", expect=2)
    assert "there is no hromada nowhere" in unknown.stderr
    blank = spilno("officials-token", " ", expect=2)
    assert blank.stderr.strip().count("\n") == 0
    assert "spl_" not in stranger.stdout + unknown.stdout + blank.stdout


def test_the_command_is_listed_with_the_server_commands():
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        cwd=REPO_ROOT,
        env=spilno_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "officials-token" in done.stdout
