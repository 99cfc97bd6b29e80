"""The real `spilno-admin` entry point, as an official runs it, on SQLite and PostgreSQL."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.bootstrap import bootstrap
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.polls import service as polls
from tests.cli import cli_runner
from tests.databases import run_blocking
from tests.examples import future_year

ADMIN = str(Path(sys.executable).with_name("spilno-admin"))
YEAR = future_year()  # literal dates stay ahead of the real clock the CLI runs on


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, mode=cli_mode)


@pytest.fixture
def admin_process(database_url, tmp_path):
    """The installed `spilno-admin` script as a separate process, exactly as officials run it."""
    env = {**os.environ, "SPILNO_DATABASE_URL": database_url, "SPILNO_DEFAULT_LOCALE": "en"}
    env.pop("SPILNO_OFFICIAL", None)

    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [ADMIN, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == expect, (done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        return done

    return run


def test_poll_create_prints_the_new_id_and_json_on_request(admin, admin_process):
    created = admin_process(
        "--as", "olha", "poll", "create", "--question", "Park?", "--option", "Yes", "--option", "No"
    )
    poll_id = int(created.stdout.strip())
    assert "campaign open" in created.stderr
    as_json = json.loads(
        admin(
            "poll",
            "create",
            "--question",
            "Bus?",
            "--option",
            "A",
            "--option",
            "B",
            "--option",
            "C",
            "--multiple",
            "2",
            "--opens",
            f"{YEAR}-01-01T09:00",
            "--closes",
            f"{YEAR}-01-08T09:00",
            "--results",
            "after-close",
            "--json",
        ).stdout
    )
    assert as_json["id"] == poll_id + 1
    assert as_json["status"] == "scheduled"
    assert as_json["max_choices"] == 2
    assert as_json["opens_at"] == f"{YEAR}-01-01T07:00:00+00:00"  # 09:00 Kyiv
    assert [o["label"] for o in as_json["options"]] == ["A", "B", "C"]


@pytest.mark.local_only(
    "runs the installed spilno-admin with --as on the database too: remotely the harness's "
    "grants give that database roles, where a bare name no longer says who acts"
)
def test_a_poll_is_opened_voted_closed_and_exported(admin, admin_process, app):
    poll_id = int(
        admin("poll", "create", "--question", "Park?", "--option", "Yes", "--option", "No").stdout
    )
    assert "is open" in admin_process("--as", "olha", "campaign", "open", str(poll_id)).stdout
    run_votes(app, poll_id, ["Yes", "Yes", "No"])
    admin("campaign", "close", str(poll_id))
    rows = list(
        csv.reader(
            io.StringIO(admin("campaign", "results", str(poll_id), "--format", "csv").stdout)
        )
    )
    assert rows[0] == ["option_id", "option", "votes", "percent"]
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [("Yes", "2", "66.7"), ("No", "1", "33.3")]
    exported = json.loads(admin("campaign", "results", str(poll_id), "--format", "json").stdout)
    assert exported["voters"] == 3
    table = admin("campaign", "results", str(poll_id)).stdout
    assert "Yes" in table and "66.7" in table
    listing = json.loads(admin("campaign", "list", "--json").stdout)
    assert listing[0]["status"] == "closed"
    audit = json.loads(admin("audit", "--json").stdout)
    assert ("olha", "campaign.open") in {(e["actor"], e["action"]) for e in audit}
    assert {"poll.create", "campaign.close", "campaign.results"} <= {e["action"] for e in audit}


def run_votes(app, poll_id, labels):
    """Residents vote from another event loop, as the bot process would."""

    async def vote_all() -> None:
        fresh = bootstrap(app.settings)
        try:
            for i, label in enumerate(labels):
                async with fresh.uow_factory() as uow:
                    citizen, _ = await citizens.resolve_citizen(
                        uow, IdentityRef("test", f"r{i}"), fresh.clock()
                    )
                    poll = await polls.get_poll(uow, poll_id)
                    option = next(o.id for o in poll.options if o.label == label)
                    await polls.toggle_choice(
                        uow,
                        poll_id=poll_id,
                        citizen_id=citizen.id,
                        option_id=option,
                        now=fresh.clock(),
                    )
                    await uow.commit()
        finally:
            await fresh.aclose()

    run_blocking(vote_all())


TWO_OPTIONS = ["poll", "create", "--question", "Q", "--option", "A", "--option", "B"]


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["campaign", "open", "999"], "there is no campaign with id 999", 1),
        (["poll", "create", "--question", "Q", "--option", "A"], "at least 2", 2),
        (
            ["poll", "create", "--question", "Q", "--option", "A", "--option", "a"],
            "two options are the same",
            2,
        ),
        ([*TWO_OPTIONS, "--opens", "soon"], "'soon' is not a date", 2),
        ([*TWO_OPTIONS, "--multiple", "3"], "--multiple must be between 1", 2),
        (
            [*TWO_OPTIONS, "--opens", f"{YEAR}-01-02T00:00", "--closes", f"{YEAR}-01-01T00:00"],
            "--closes must be later",
            2,
        ),
    ],
)
def test_bad_input_is_one_clear_line_and_a_nonzero_exit(admin, args, message, code):
    done = admin(*args, expect=code)
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_closing_a_draft_is_refused_and_nothing_changes(admin):
    poll_id = admin(
        "poll", "create", "--question", "Q", "--option", "A", "--option", "B"
    ).stdout.strip()
    done = admin("campaign", "close", poll_id, expect=1)
    assert "is draft; it cannot become closed" in done.stderr
    assert json.loads(admin("campaign", "show", poll_id, "--json").stdout)["status"] == "draft"


def test_messages_follow_the_configured_language(admin, database_url, tmp_path):
    env = {**os.environ, "SPILNO_DATABASE_URL": database_url, "SPILNO_DEFAULT_LOCALE": "uk"}
    done = subprocess.run(
        [ADMIN, "campaign", "open", "5"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "кампанії з id 5 не існує" in done.stderr


def test_an_invalid_setting_is_reported_without_a_traceback(tmp_path):
    env = {**os.environ, "SPILNO_DATABASE_URL": "mysql://nope"}
    done = subprocess.run(
        [ADMIN, "campaign", "list"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.startswith("spilno-admin: invalid setting SPILNO_DATABASE_URL")
    assert "Traceback" not in done.stderr
