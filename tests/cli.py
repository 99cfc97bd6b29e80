"""What the `spilno-admin` tests share: the CLI run in-process, and the database behind it."""

from __future__ import annotations

import subprocess
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from admin_cli.app import run_cli
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.consultations import service as consultations
from core.kernel.unit_of_work import UnitOfWork
from tests.databases import run_blocking
from tests.processes import with_database

Run = Callable[..., subprocess.CompletedProcess[str]]


def cli_runner(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    official: str | None = None,
) -> Run:
    """`spilno-admin` in-process (fast), in English, in `tmp_path`, with no official or city
    admins from the environment; `official` is passed as `--as`. Each run checks the exit code
    (`expect`) and that no traceback reached the official."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPILNO_DATABASE_URL", database_url)
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "en")
    monkeypatch.delenv("SPILNO_OFFICIAL", raising=False)
    monkeypatch.delenv("SPILNO_CITY_ADMINS", raising=False)
    acting = ["--as", official] if official else []

    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        code = run_cli([*acting, *args])
        out, err = capsys.readouterr()
        assert code == expect, (out, err)
        assert "Traceback" not in err
        return subprocess.CompletedProcess(args, code, out, err)

    return run


def in_db(database_url: str, work: Callable[[UnitOfWork, datetime], Awaitable[Any]]) -> Any:
    """Run `work(uow, now)` against the CLI's database and commit, as a resident's actions would
    (from another event loop, like the bot process)."""
    return run_blocking(with_database(database_url, work))


async def answer_example_consultation(
    uow: UnitOfWork, now: datetime, consultation_id: int, names: tuple[str, ...] = ("a", "b")
) -> None:
    """Residents `names` take examples/consultation.yaml to the end, each leaving an idea."""
    consultation = await consultations.get_consultation(uow, consultation_id)
    q = {question.key: question.id for question in consultation.questions}
    for name in names:
        citizen, _new = await citizens.resolve_citizen(uow, IdentityRef("test", name), now)
        args = {"consultation_id": consultation_id, "citizen_id": citizen.id, "now": now}
        await consultations.choose_option(uow, question_id=q["visits"], value=0, **args)
        await consultations.choose_option(uow, question_id=q["priorities"], value=1, **args)
        await consultations.next_question(uow, question_id=q["priorities"], **args)
        await consultations.choose_option(uow, question_id=q["satisfaction"], value=4, **args)
        await consultations.answer_text(uow, question_id=q["ideas"], text=f"Ідея {name}", **args)
        await consultations.submit(uow, **args)
