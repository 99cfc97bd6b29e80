"""`spilno-admin` imports a command's module only when it is used (admin_cli/lazy.py): its
root help must still list every group with the help its module declares, and a simple command
must not drag in the messengers' SDKs, charts or the PB solver (a silent regression of the
start-up time would otherwise go unnoticed)."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import typer

from admin_cli.app import COMMANDS, run_cli
from admin_cli.kinds import KINDS
from tests.databases import SqliteTemplate

ROOT = Path(__file__).resolve().parents[2]
# What a simple local command must never import: each costs a large share of a second.
HEAVY = ("aiogram", "viberbot", "matplotlib", "pabutools", "numpy", "alembic", "aiohttp")


def _declared_help(name: str) -> str:
    target = COMMANDS[name].target
    if callable(target):
        found = target()
    else:
        module, _, attribute = target.partition(":")
        found = getattr(importlib.import_module(module), attribute)
    if isinstance(found, typer.Typer):
        return str(found.info.help)
    return str(found.__doc__).strip()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_lazy_group_shows_the_help_its_module_declares(name: str) -> None:
    assert COMMANDS[name].help == _declared_help(name)


def test_every_kinds_groups_are_listed() -> None:
    for kind in KINDS:
        for name, commands in kind.commands:
            assert name in COMMANDS, name
            target = COMMANDS[name].target
            assert isinstance(target, str)
            module, _, attribute = target.partition(":")
            assert getattr(importlib.import_module(module), attribute) is commands


def test_root_help_lists_every_group_with_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for name, command in COMMANDS.items():
        assert f" {name} " in out
        # Rich wraps long help over lines and box borders; its first words are enough.
        assert " ".join(command.help.split()[:4]) in out, name


def test_a_group_help_lists_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["residents", "--help"]) == 0
    out = capsys.readouterr().out
    for command in ("stats", "show", "export", "forget"):
        assert command in out


def test_an_unknown_command_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["campain", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "campain" in err


_PROBE = """
import json, sys
from admin_cli.app import run_cli
code = run_cli(sys.argv[1:])
loaded = set(sys.modules) | {name.split(".")[0] for name in sys.modules}
heavy = sorted(loaded & set(json.loads(%r)))
print("HEAVY=" + json.dumps(heavy), file=sys.stderr)
sys.exit(code)
"""


def _imports_of(
    args: list[str],
    tmp_path: Path,
    database_url: str,
    heavy: tuple[str, ...] = HEAVY,
    extra_env: dict[str, str] | None = None,
) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPILNO_")}
    env["SPILNO_DATABASE_URL"] = database_url
    env["SPILNO_DEFAULT_LOCALE"] = "en"
    env.update(extra_env or {})
    done = subprocess.run(
        [sys.executable, "-c", _PROBE % json.dumps(heavy), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    if extra_env is not None:
        assert done.stdout.strip(), done.stderr  # it printed what it got
    line = next(x for x in done.stderr.splitlines() if x.startswith("HEAVY="))
    return json.loads(line.removeprefix("HEAVY="))


@pytest.mark.parametrize(
    "args", [["campaign", "list"], ["officials", "list"], ["--help"], ["campaign", "--help"]]
)
def test_a_simple_command_imports_no_sdk_charts_or_solver(
    args: list[str], tmp_path: Path, sqlite_template: SqliteTemplate
) -> None:
    assert _imports_of(args, tmp_path, sqlite_template.fresh(tmp_path)) == []


def test_campaign_list_loads_no_kinds_storage_nor_postgresql(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> None:
    """The unit of work builds repositories on first use and the kinds' registry loads them on
    first use (core/storage/unit_of_work.py, core/campaigns/registry.py): listing campaigns on
    SQLite touches no kind's SQL or tables (not even a poll's) and neither asyncpg nor
    SQLAlchemy's PostgreSQL dialect; nor pydantic: settings have a reader of their own
    (core/config.py), the CLI a codec of its own (admin_cli/wire.py), and a kind's file parsers
    load with the kinds (core/campaigns/kinds.py); nor the bots' store (core/bootstrap.py)."""
    kinds = ("consultations", "contests", "ideas", "pb", "petitions", "polls")
    storage = (
        *(f"core.{kind}.{part}" for kind in kinds for part in ("sql", "tables")),
        "core.hromadas.bots_sql",
        "pydantic",
        "pydantic_settings",
        "core.storage.merging",
        "core.storage.resident_data",
        "asyncpg",
        "sqlalchemy.dialects.postgresql",
    )
    found = _imports_of(["campaign", "list"], tmp_path, sqlite_template.fresh(tmp_path), storage)
    assert found == []


def test_the_root_help_opens_no_database_nor_settings(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> None:
    storage_and_settings = ("sqlalchemy", "aiosqlite", "asyncpg", "pydantic", "pydantic_settings")
    found = _imports_of(["--help"], tmp_path, sqlite_template.fresh(tmp_path), storage_and_settings)
    assert found == []


@contextlib.contextmanager
def _admin_api(answers: dict[str, bytes]) -> Iterator[str]:
    """A stand-in admin API on a loopback port: POST actions/<name> answers `answers[name]`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            name = self.path.rsplit("/", 1)[-1]
            body = answers.get(name)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body if body is not None else b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_remote_command_loads_neither_storage_nor_pydantic(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> None:
    """Over HTTP the command only prints what the admin API answers: its JSON is read by the
    CLI's own codec (admin_cli/wire.py), not by pydantic, and no database is opened."""
    from admin_cli.campaigns import list_action
    from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility

    at = datetime(2031, 5, 8, 17, tzinfo=UTC)
    found = [
        Campaign(1, CampaignKind.POLL, "Benches", "", CampaignStatus.OPEN, at, None,
                 ResultsVisibility.LIVE, at, "bench")
    ]  # fmt: skip
    answer = list_action.response_json(found)  # as the admin API writes it (pydantic)
    heavy = (*HEAVY, "sqlalchemy", "aiosqlite", "asyncpg", "pydantic", "pydantic_settings")
    with _admin_api({"campaign.list": answer}) as url:
        remote = {"SPILNO_ADMIN_URL": url, "SPILNO_TOKEN": "spl_test"}
        database = sqlite_template.fresh(tmp_path)
        assert _imports_of(["campaign", "list"], tmp_path, database, heavy, remote) == []
