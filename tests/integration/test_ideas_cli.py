"""`spilno-admin idea-call …` and `spilno-admin ideas …` on SQLite and PostgreSQL."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.bootstrap import bootstrap
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.delivery.tables import BroadcastRow
from core.ideas import service as ideas
from core.ideas.model import NewIdea, ReportReason, ReportTarget
from tests.cli import cli_runner
from tests.databases import run_blocking
from tests.examples import future_year

ADMIN = str(Path(sys.executable).with_name("spilno-admin"))
YEAR = future_year()  # literal dates stay ahead of the real clock the CLI runs on


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, mode=cli_mode)


def seed(app, titles: list[str], *, reports: int = 0) -> list[str]:
    """Residents submit ideas (pending) from another event loop, as the bot process would."""

    async def go() -> list[str]:
        fresh = bootstrap(app.settings)
        codes = []
        try:
            async with fresh.uow_factory() as uow:
                author, _ = await citizens.resolve_citizen(
                    uow, IdentityRef("telegram", "author"), fresh.clock()
                )
                for title in titles:
                    idea = await ideas.submit_idea(
                        uow,
                        NewIdea(author.id, title, "Опис", "greenery", "center"),
                        now=fresh.clock(),
                        policy=ideas.IdeaPolicy(premoderation=reports == 0),
                    )
                    codes.append(idea.code)
                for i in range(reports):
                    reporter, _ = await citizens.resolve_citizen(
                        uow, IdentityRef("telegram", f"r{i}"), fresh.clock()
                    )
                    await ideas.report_item(
                        uow,
                        target=ReportTarget.IDEA,
                        item_id=idea.id,
                        citizen_id=reporter.id,
                        reason=ReportReason.SPAM,
                        now=fresh.clock(),
                    )
                await uow.commit()
        finally:
            await fresh.aclose()
        return codes

    return run_blocking(go())


def broadcasts(app, kind: str) -> int:
    async def go() -> int:
        fresh = bootstrap(app.settings)
        try:
            async with fresh.engine.connect() as conn:
                query = select(func.count()).where(BroadcastRow.kind == kind)
                return (await conn.execute(query)).scalar_one()
        finally:
            await fresh.aclose()

    return run_blocking(go())


def test_idea_call_create_prints_its_id_and_json_on_request(admin):
    created = admin(
        "idea-call", "create", "--title", "Ideas for the park", "--closes", f"{YEAR}-01-08T09:00"
    )
    call_id = int(created.stdout.strip())
    assert "campaign open" in created.stderr
    data = json.loads(
        admin(
            "idea-call",
            "create",
            "--title",
            "Transport ideas",
            "--opens",
            f"{YEAR}-01-01T09:00",
            "--closes",
            f"{YEAR}-01-08T09:00",
            "--threshold",
            "50",
            "--json",
        ).stdout
    )
    assert data["id"] == call_id + 1
    assert (data["kind"], data["status"], data["support_threshold"]) == (
        "idea_call",
        "scheduled",
        50,
    )
    listing = json.loads(admin("campaign", "list", "--json").stdout)
    assert {c["kind"] for c in listing} == {"idea_call"}


def test_moderation_queue_approve_reject_and_answer_are_audited_and_notify(admin, app):
    good, bad = seed(app, ["Лавки в парку", "Купуйте вікна"])
    pending = json.loads(admin("ideas", "list", "--status", "pending", "--json").stdout)
    assert [i["code"] for i in pending] == [bad, good]
    assert f"{good} is published" in admin("--as", "olha", "ideas", "approve", good).stdout
    admin("--as", "olha", "ideas", "reject", bad, "--reason", "Реклама")
    answered = admin(
        "--as", "ivan", "ideas", "answer", good, "--status", "accepted", "--text", "Зробимо."
    )
    assert "accepted" in answered.stdout
    shown = json.loads(admin("ideas", "show", good, "--json").stdout)
    assert (shown["status"], shown["official_status"], shown["answer"]) == (
        "published",
        "accepted",
        "Зробимо.",
    )
    assert json.loads(admin("ideas", "list", "--status", "pending", "--json").stdout) == []
    audit = {(e["actor"], e["action"]) for e in json.loads(admin("audit", "--json").stdout)}
    assert {("olha", "idea.approve"), ("olha", "idea.reject"), ("ivan", "idea.answer")} <= audit
    assert [broadcasts(app, k) for k in ("idea.approved", "idea.rejected", "idea.answered")] == [
        1,
        1,
        1,
    ]


def test_refused_and_unknown_ideas_get_one_line_and_a_non_zero_exit(admin, app):
    (code,) = seed(app, ["Лавки"])
    missing = admin("ideas", "approve", "ID-2026-9999", expect=1)
    assert missing.stderr.strip() == "spilno-admin: there is no idea ID-2026-9999"
    refused = admin("ideas", "answer", code, "--status", "accepted", "--text", "x", expect=1)
    assert "is pending" in refused.stderr and "Traceback" not in refused.stderr
    empty = admin("ideas", "reject", code, "--reason", "  ", expect=2)
    assert empty.stderr.strip() == "spilno-admin: --reason is empty"
    admin("ideas", "answer", code, "--status", "maybe", "--text", "x", expect=2)


def test_export_hides_authors_behind_a_pseudonym_unless_asked(admin, app):
    codes = seed(app, ["Лавки", "Фонтан"])
    rows = list(csv.DictReader(io.StringIO(admin("ideas", "export", "--format", "csv").stdout)))
    assert [r["code"] for r in rows] == list(reversed(codes))
    assert {r["status"] for r in rows} == {"pending"}
    assert all(r["author"].startswith("a-") for r in rows)
    with_authors = json.loads(admin("ideas", "export", "--format", "json", "--with-authors").stdout)
    assert {r["author"] for r in with_authors} == {"telegram:author"}  # reachable, not our row id
    exports = [
        e for e in json.loads(admin("audit", "--json").stdout) if e["action"] == "ideas.export"
    ]
    assert [e["after"]["with_authors"] for e in exports] == [True, False]


def test_a_reported_idea_is_listed_and_restored(admin, app):
    (code,) = seed(app, ["Спам"], reports=3)
    reported = json.loads(admin("ideas", "reports", "--json").stdout)
    assert [(r["target"], r["idea"], r["reports"], r["hidden"]) for r in reported] == [
        ("idea", code, 3, True)
    ]
    assert [
        i["code"] for i in json.loads(admin("ideas", "list", "--status", "hidden", "--json").stdout)
    ] == [code]
    admin("--as", "olha", "ideas", "restore", code)
    assert json.loads(admin("ideas", "show", code, "--json").stdout)["hidden"] is False
    admin("ideas", "restore", code, expect=1)


def test_the_installed_script_lists_ideas(database_url, tmp_path, app):
    (code,) = seed(app, ["Лавки"])  # numbered in the real clock's year
    assert re.fullmatch(r"ID-\d{4}-0001", code)
    env = {**os.environ, "SPILNO_DATABASE_URL": database_url, "SPILNO_DEFAULT_LOCALE": "en"}
    done = subprocess.run(
        [ADMIN, "ideas", "list"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert code in done.stdout
