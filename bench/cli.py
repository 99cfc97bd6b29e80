"""How long a simple `spilno-admin` command takes, against `python -c pass` (issue 19).

    .venv/bin/python bench/cli.py [--runs 9] [--compare ../main]

Each command runs as an official runs it: a new process of the installed `spilno-admin`, on the
embedded SQLite default (a fresh database with a few campaigns, in a temporary directory).
Runs interleave the commands and the baseline, so a noisy neighbour on this shared machine hits
all alike; figures are medians over `--runs` (wall time, and CPU time of the child: user + sys,
which a busy machine disturbs less). The goal: `campaign list` under 0.5 s. Modules are
compiled once, as an installed package has them (PYTHONDONTWRITEBYTECODE is dropped; the .pyc
files go to a cache of the bench's own), so the figures are not source compilation.

`--compare DIR` also times `campaign list` of the checkout in DIR (e.g. main before this change)
on its own database, run as `python -m admin_cli.app` from DIR, in the same rounds.

Last line: RESULT campaign_list_s=… baseline_s=… ratio=… help_s=… officials_list_s=… cpu_s=…
(ratio: campaign list over the baseline; cpu_s: campaign list's CPU time.)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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


def _prepare(directory: Path, env: dict[str, str], source: Path | None = None) -> None:
    """A migrated database with three polls, so `campaign list` prints a real table."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--compare", type=Path, help="another checkout, e.g. ../main")
    options = parser.parse_args()
    runs, source = options.runs, options.compare
    with tempfile.TemporaryDirectory(prefix="spilno-bench-cli-") as tmp:
        directory = Path(tmp)
        env = _env(directory)
        _prepare(directory, env)
        commands = {name: (args, env, directory) for name, args in COMMANDS.items()}
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
        f"officials_list_s={wall['officials_list']:.3f} cpu_s={cpu['campaign_list']:.3f}"
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
