"""`spilno-admin` as a process: it starts with the cyclic collector off and ends with `os._exit`
after the exit handlers (admin_cli/app.py), so what it printed must still arrive whole, into a
file as into a terminal, with the command's exit code — and the collector must be back on for
the command's own work (admin_cli/context.py `startup_over`)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from admin_cli.context import startup_over
from tests.databases import SqliteTemplate

ADMIN = str(Path(sys.executable).with_name("spilno-admin"))


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPILNO_")}
    return env | {"SPILNO_DATABASE_URL": database_url, "SPILNO_DEFAULT_LOCALE": "en"}


def test_output_redirected_to_a_file_arrives_whole_with_the_exit_code(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> None:
    env = _env(sqlite_template.fresh(tmp_path))
    for n in range(3):
        subprocess.run(
            [ADMIN, "poll", "create", "--question", f"Benches {n}?", "--option", "A",
             "--option", "B", "--closes", "2031-05-08 20:00"],
            env=env, cwd=tmp_path, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    # A file, not a pipe: Python buffers it whole until exit, so an exit that skipped the
    # flush would leave it empty.
    with (tmp_path / "out.json").open("w") as out, (tmp_path / "err.txt").open("w") as err:
        code = subprocess.run(
            [ADMIN, "campaign", "list", "--json"], env=env, cwd=tmp_path, stdout=out,
            stderr=err, timeout=120,
        ).returncode  # fmt: skip
    assert code == 0
    listed = json.loads((tmp_path / "out.json").read_text())
    assert [c["title"] for c in listed] == ["Benches 2?", "Benches 1?", "Benches 0?"]
    with (tmp_path / "err.txt").open("w") as err:
        code = subprocess.run(
            [ADMIN, "campaign", "show", "999"], env=env, cwd=tmp_path,
            stdout=subprocess.DEVNULL, stderr=err, timeout=120,
        ).returncode  # fmt: skip
    assert code == 1
    assert (tmp_path / "err.txt").read_text() == (
        "spilno-admin: there is no campaign with id 999\n"
    )


def test_the_collector_runs_again_once_start_up_is_over() -> None:
    gc.disable()
    try:
        startup_over()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # start-up's objects are left out of its scans
    finally:
        gc.unfreeze()
        gc.enable()
