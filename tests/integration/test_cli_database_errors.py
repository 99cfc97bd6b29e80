"""A database that is not there, or a URL naming the wrong one: one line and exit 2 (issue 14).

Real `spilno-admin` and `spilno` processes, as officials and operators run them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

BIN = Path(sys.executable).parent
PASSWORD = "s3cret-pw"


def run(tool: str, *args: str, cwd: Path, url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "SPILNO_DEFAULT_LOCALE": "en"}
    env.pop("SPILNO_DATABASE_URL", None)
    if url is not None:
        env["SPILNO_DATABASE_URL"] = url
    return subprocess.run(
        [str(BIN / tool), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_admin_finds_no_database_says_where_it_looked_and_creates_none(tmp_path):
    done = run("spilno-admin", "campaign", "list", cwd=tmp_path)

    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr == (
        f"spilno-admin: no Spilno database at {tmp_path / 'spilno.db'} (SPILNO_DATABASE_URL). "
        "Create it with: spilno db upgrade — or start Spilno once: spilno run\n"
    )
    assert list(tmp_path.iterdir()) == []

    upgraded = run("spilno", "db", "upgrade", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    listed = run("spilno-admin", "campaign", "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "No campaigns yet" in listed.stdout


def test_admin_on_a_file_that_is_not_a_database_says_so_in_one_line(tmp_path):
    (tmp_path / "notes.db").write_text("shopping list\n" * 200)

    done = run(
        "spilno-admin", "campaign", "list", cwd=tmp_path, url="sqlite+aiosqlite:///./notes.db"
    )

    assert done.returncode == 2
    assert done.stderr == (
        "spilno-admin: SPILNO_DATABASE_URL: ./notes.db is not a SQLite database\n"
    )


@pytest.fixture
def server_url(postgres_database_url: str) -> str:
    """The test server's URL with a password in it, to prove it is never printed."""
    return make_url(postgres_database_url).set(password=PASSWORD).render_as_string(False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"database": "no_such_spilno_db"},
            "SPILNO_DATABASE_URL: there is no database no_such_spilno_db on {server}; "
            "create it (createdb no_such_spilno_db) or correct the name",
        ),
        (
            {"username": "no_such_spilno_user"},
            "SPILNO_DATABASE_URL: {server} refused the user no_such_spilno_user; "
            "correct the user name and password",
        ),
    ],
    ids=["database", "user"],
)
@pytest.mark.parametrize(
    "command",
    [("spilno-admin", "campaign", "list"), ("spilno", "db", "upgrade")],
    ids=["spilno-admin", "spilno"],
)
def test_a_wrong_postgres_database_or_user_is_one_line(
    server_url, tmp_path, change, message, command
):
    url = make_url(server_url).set(**change)
    server = f"{url.host}:{url.port or 5432}"

    done = run(*command, cwd=tmp_path, url=url.render_as_string(False))

    assert done.returncode == 2
    assert done.stderr == f"{command[0]}: {message.format(server=server)}\n"
    assert PASSWORD not in done.stdout + done.stderr
