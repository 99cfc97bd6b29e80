"""How long a simple `spilno-admin` command takes, against `python -c pass` (issue 19).

    .venv/bin/python bench/cli.py [--runs 9] [--compare ../main]

Each command runs as an official runs it: a new process of the installed `spilno-admin`, on the
embedded SQLite default (a fresh database with a few campaigns, in a temporary directory).
Runs interleave the commands and the baseline, so a noisy neighbour on this shared machine hits
all alike; figures are medians over `--runs` (wall time, and CPU time of the child: user + sys,
which a busy machine disturbs less). The goals: `campaign list` under 0.5 s on this computer's
database, and under 0.3 s over HTTP (`remote_list`: logged in to a `spilno run --role web` the
bench starts on the same database, as an official working from their own computer). Roles are
on (the official `bench` is a city admin), so local commands act with their token too. Modules are
compiled once, as an installed package has them (PYTHONDONTWRITEBYTECODE is dropped; the .pyc
files go to a cache of the bench's own), so the figures are not source compilation.

`--compare DIR` also times `campaign list` of the checkout in DIR (e.g. main before this change)
on its own database, run as `python -m admin_cli.app` from DIR, in the same rounds.

Last line: RESULT campaign_list_s=… baseline_s=… ratio=… help_s=… officials_list_s=… cpu_s=…
remote_list_s=… remote_cpu_s=… storage_floor_s=… over_floor_s=… (ratio: campaign list over the
baseline; cpu_s: its CPU time; storage_floor_s: a process that only imports SQLAlchemy's asyncio
ORM and the SQLite driver, which every local command needs; over_floor_s: campaign list beyond
that floor — what this project's own code costs, steadier than the total on a machine whose
speed drifts from hour to hour.)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
POLL = [
    "poll",
    "create",
    "--question",
    "Which park gets new benches first?",
    "--option",
    "Central",
    "--option",
    "Riverside",
    "--closes",
    "2031-05-08 20:00",
]

COMMANDS: dict[str, list[str]] = {
    "baseline": [sys.executable, "-c", "pass"],
    # The floor of any command on this computer's database: importing the storage library
    # (SQLAlchemy's asyncio ORM and the SQLite driver) and nothing else.
    "storage_floor": [
        sys.executable,
        "-c",
        "import sqlalchemy.ext.asyncio, sqlalchemy.dialects.sqlite.aiosqlite, aiosqlite",
    ],
    "campaign_list": [str(BIN / "spilno-admin"), "campaign", "list"],
    "help": [str(BIN / "spilno-admin"), "--help"],
    "officials_list": [str(BIN / "spilno-admin"), "officials", "list"],
}


def _timed(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run (the CPU time is the child's: user + sys)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _prepare(directory: Path, env: dict[str, str], source: Path | None = None) -> str | None:
    """A migrated database with three polls, so `campaign list` prints a real table, and (for
    this checkout) the official `bench`, a city admin: their personal token, which the
    commands then act with (locally too: roles are on)."""
    spilno = [sys.executable, "-m", "bot"] if source else [str(BIN / "spilno")]
    admin = [sys.executable, "-m", "admin_cli.app"] if source else [str(BIN / "spilno-admin")]
    cwd = source or directory
    subprocess.run(
        [*spilno, "db", "upgrade"],
        env=env,
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=300,
    )
    for _ in range(3):
        subprocess.run(
            [*admin, *POLL],
            env=env,
            cwd=cwd,
            check=True,
            capture_output=True,
            timeout=120,
        )
    if source is not None:
        return None
    added = subprocess.run(
        [*admin, "officials", "add", "bench", "--role", "city_admin"],
        env=env,
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r"spl_[A-Za-z0-9_-]+", added.stdout)
    if found is None:
        raise SystemExit("officials add printed no token")
    return found.group(0)


@contextlib.contextmanager
def _admin_api(directory: Path, env: dict[str, str]) -> Iterator[str]:
    """`spilno run --role web` on this database and a free loopback port: its admin API."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server_env = env | {"SPILNO_HTTP_HOST": "127.0.0.1", "SPILNO_HTTP_PORT": str(port)}
    log = (directory / "web.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "spilno"), "run", "--role", "web"],
        env=server_env,
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        f"spilno run --role web did not start: see {log.name}"
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--compare", type=Path, help="another checkout, e.g. ../main")
    options = parser.parse_args()
    runs, source = options.runs, options.compare
    with tempfile.TemporaryDirectory(prefix="spilno-bench-cli-") as tmp:
        directory = Path(tmp)
        env = _env(directory)
        token = _prepare(directory, env) or ""
        stack = contextlib.ExitStack()
        url = stack.enter_context(_admin_api(directory, env))
        env = env | {"SPILNO_TOKEN": token}  # roles are on: the official's token says who acts
        remote = env | {"SPILNO_ADMIN_URL": url}
        commands = {name: (args, env, directory) for name, args in COMMANDS.items()}
        commands["remote_list"] = (COMMANDS["campaign_list"], remote, directory)
        if source is not None:
            other = _env(directory, "compared.db")
            _prepare(directory, other, source.resolve())
            compared = [sys.executable, "-m", "admin_cli.app", "campaign", "list"]
            commands["compared_list"] = (compared, other, source.resolve())
        for args, env_, cwd in commands.values():  # warm the page cache and the .pyc files
            _timed(args, env_, cwd)
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, (args, env_, cwd) in commands.items():
                wall, cpu = _timed(args, env_, cwd)
                walls[name].append(wall)
                cpus[name].append(cpu)
        stack.close()
    wall = {name: statistics.median(values) for name, values in walls.items()}
    cpu = {name: statistics.median(values) for name, values in cpus.items()}
    print(f"{'command':<16} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7}  ({runs} runs)")
    for name in commands:
        print(
            f"{name:<16} {wall[name]:>9.3f} {min(walls[name]):>7.3f} "
            f"{max(walls[name]):>7.3f} {cpu[name]:>7.3f}"
        )
    print(
        f"RESULT campaign_list_s={wall['campaign_list']:.3f} baseline_s={wall['baseline']:.3f} "
        f"ratio={wall['campaign_list'] / wall['baseline']:.1f} help_s={wall['help']:.3f} "
        f"officials_list_s={wall['officials_list']:.3f} cpu_s={cpu['campaign_list']:.3f} "
        f"remote_list_s={wall['remote_list']:.3f} remote_cpu_s={cpu['remote_list']:.3f} "
        f"storage_floor_s={wall['storage_floor']:.3f} "
        f"over_floor_s={wall['campaign_list'] - wall['storage_floor']:.3f}"
        + (f" compared_list_s={wall['compared_list']:.3f}" if source is not None else "")
    )


def _env(directory: Path, database: str = "spilno.db") -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SPILNO_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    return env | {
        # As installed (pip writes the .pyc files): compiled once, by the warm-up run, into a
        # cache of the bench's own, not beside the sources.
        "PYTHONPYCACHEPREFIX": str(directory / "pycache"),
        "SPILNO_DATABASE_URL": f"sqlite+aiosqlite:///{directory / database}",
        "SPILNO_DEFAULT_LOCALE": "en",
        "SPILNO_OFFICIAL": "bench",
    }


if __name__ == "__main__":
    main()
