"""`spilno-admin broadcast`, `delivery status` and poll delivery options, in-process."""

from __future__ import annotations

import json

import pytest

from core.bootstrap import bootstrap
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.config import Settings
from tests.cli import cli_runner
from tests.databases import run_blocking
from tests.examples import future_year

YEAR = future_year()  # literal dates stay ahead of the real clock the CLI runs on


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, mode=cli_mode)


def residents(database_url: str, *names: str) -> None:
    async def go() -> None:
        app = bootstrap(Settings(database_url=database_url, _env_file=None))
        try:
            async with app.uow_factory() as uow:
                for name in names:
                    await citizens.resolve_citizen(uow, IdentityRef("telegram", name), app.clock())
                await uow.commit()
        finally:
            await app.aclose()

    run_blocking(go())


def test_poll_create_takes_audience_reminders_and_results_to_voters(admin):
    created = json.loads(
        admin(
            "poll",
            "create",
            "--question",
            "Bus?",
            "--option",
            "A",
            "--option",
            "B",
            "--opens",
            f"{YEAR}-01-01T09:00",
            "--closes",
            f"{YEAR}-01-08T09:00",
            "--audience",
            "topic:transport",
            "--remind",
            "2h, 24h",
            "--send-results",
            "--json",
        ).stdout
    )
    assert created["audience"] == "topic:transport"
    assert created["reminders"] == "24h,2h"
    assert created["send_results"] is True


def test_poll_create_explains_a_bad_audience_or_reminder_in_one_line(admin):
    base = ("poll", "create", "--question", "Bus?", "--option", "A", "--option", "B")
    bad_topic = admin(*base, "--audience", "topic:mars", expect=2)
    assert bad_topic.stderr.startswith("spilno-admin: unknown topic 'mars'; topics: transport")
    no_close = admin(*base, "--remind", "24h", expect=2)
    assert "--remind needs --closes" in no_close.stderr
    bad_remind = admin(*base, "--closes", f"{YEAR}-01-08T09:00", "--remind", "soon", expect=2)
    assert "--remind 'soon'" in bad_remind.stderr
    assert "Traceback" not in bad_topic.stderr + no_close.stderr + bad_remind.stderr


def test_broadcast_queues_one_message_per_resident_and_is_audited(admin, database_url):
    residents(database_url, "olena", "taras")

    queued = admin(
        "--as", "olha", "broadcast", "--audience", "all", "--text", "Water is off", "--no-wait"
    )

    broadcast_id = int(queued.stdout.strip())
    assert "queued for 2 recipients" in queued.stderr
    status = json.loads(admin("delivery", "status", str(broadcast_id), "--json").stdout)
    assert status["total"] == 2 and status["kind"] == "announcement"
    assert status["remaining"] + status["sent"] == 2
    audit = admin("audit", "--json").stdout
    assert "broadcast.send" in audit and "olha" in audit


def test_broadcast_to_nobody_returns_at_once_and_the_list_shows_it(admin):
    queued = admin("broadcast", "--audience", "district:center", "--text", "Hello")

    assert "queued for 0 recipients" in queued.stderr
    listing = json.loads(admin("delivery", "status", "--json").stdout)
    assert [p["audience"] for p in listing] == ["district:center"]
    assert "district: Center" in admin("delivery", "status").stdout  # words, not the code


def test_broadcast_refuses_bad_input_with_one_line_each(admin, tmp_path):
    unknown = admin("broadcast", "--audience", "everybody", "--text", "Hi", expect=2)
    assert unknown.stderr.startswith("spilno-admin: unknown audience 'everybody'")
    empty = admin("broadcast", "--audience", "all", "--text", "  ", expect=2)
    assert "--text is empty" in empty.stderr
    missing = admin(
        "broadcast",
        "--audience",
        "all",
        "--text",
        "Hi",
        "--image",
        str(tmp_path / "no.png"),
        expect=2,
    )
    assert "cannot read" in missing.stderr
    nothing = admin("delivery", "status", "999", expect=1)
    assert "there is no push with id 999" in nothing.stderr
