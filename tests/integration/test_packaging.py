"""A built wheel, installed outside the source tree, still speaks Ukrainian.

Builds the wheel offline from a copy of what the Dockerfile copies, installs it (no deps) into a
throwaway venv that borrows this venv's site-packages for the dependencies, and runs it from a
directory far from the checkout, so nothing can be read from the repository by accident.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from core.kernel import i18n

ROOT = Path(__file__).resolve().parents[2]
# What the Dockerfile copies into the image (tests/unit/test_deployment_files.py checks it).
SOURCES = ("pyproject.toml", "README.md", "core", "bot", "admin_cli")
MSGID = "No campaigns yet. Create one with: spilno-admin poll create …"


def _run(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SPILNO_", "PIP_"))}
    env.update(kwargs.pop("env", {}))
    env["PIP_NO_INDEX"] = "1"  # never the network: every dependency is already installed
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, **kwargs
    )


def _build_wheel(tmp: Path) -> Path:
    source = tmp / "src"
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    dist = tmp / "dist"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    built = _run([*pip_wheel, "-w", str(dist), str(source)], cwd=tmp)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = dist.glob("spilno-*.whl")
    return wheel


def _install(tmp: Path, wheel: Path) -> Path:
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    target_site = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=tmp
    ).stdout.strip()
    # Dependencies from this venv, listed after the throwaway venv's own site-packages. A .pth
    # line adds a plain path, so this venv's editable-install hook (itself a .pth) stays off.
    Path(target_site, "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    pip_install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    installed = _run([*pip_install, str(wheel)], cwd=tmp)
    assert installed.returncode == 0, installed.stderr[-2000:]
    return env_dir


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("packaging")
    return _install(tmp, _build_wheel(tmp))


def test_an_installed_wheel_translates_into_ukrainian(installed: Path, tmp_path: Path):
    expected = i18n.translations("uk").ugettext(MSGID)
    assert expected != MSGID  # the checkout itself has the translation
    script = (
        "import core, sys; from core.kernel import i18n\n"
        "print(core.__file__)\n"
        "with i18n.use_locale('uk'): print(i18n._(sys.argv[1]))\n"
    )
    ran = _run([str(installed / "bin" / "python"), "-c", script, MSGID], cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr[-2000:]
    module_file, translated = ran.stdout.strip().splitlines()
    assert Path(module_file).is_relative_to(installed), "imported the checkout, not the wheel"
    assert translated == expected


def test_the_installed_admin_cli_speaks_ukrainian(installed: Path, tmp_path: Path):
    # A new SQLite file is migrated by the installed package (its migrations ship in the wheel),
    # then listed in the default language, Ukrainian.
    url = f"sqlite+aiosqlite:///{tmp_path / 'spilno.db'}"
    upgraded = _run(
        [str(installed / "bin" / "spilno"), "db", "upgrade"],
        cwd=tmp_path,
        env={"SPILNO_DATABASE_URL": url},
    )
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    ran = _run(
        [str(installed / "bin" / "spilno-admin"), "campaign", "list"],
        cwd=tmp_path,
        env={"SPILNO_DATABASE_URL": url},
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip() == i18n.translations("uk").ugettext(MSGID)
