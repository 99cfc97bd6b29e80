"""The audit log is a hash chain (issue 17): `audit verify` passes on an honest log, names the
first entry changed, deleted, inserted or moved in the database, finds a published head, and
two processes appending at once still form one chain. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from core.audit import service as audit
from core.bootstrap import bootstrap
from core.config import Settings
from core.scheduling.jobs import anchor_audit_head
from tests.cli import cli_runner
from tests.databases import run_blocking
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha", mode=cli_mode)


def sql(database_url: str, *statements: str) -> list:
    async def go():
        app = bootstrap(Settings(database_url=database_url, _env_file=None))
        try:
            async with app.engine.begin() as conn:
                results = [await conn.execute(text(s)) for s in statements]
                return [r.all() if r.returns_rows else None for r in results]
        finally:
            await app.aclose()

    return run_blocking(go())


def record(database_url: str, count: int, actor: str = "olha") -> list[str]:
    async def go():
        app = bootstrap(Settings(database_url=database_url, _env_file=None))
        heads = []
        try:
            for i in range(count):
                async with app.uow_factory() as uow:
                    heads.append(
                        await audit.record(
                            uow,
                            actor=actor,
                            action="poll.create",
                            object_type="campaign",
                            object_id=i + 1,
                            now=app.clock(),
                            before=None,
                            after={"question": f"Питання {i}?", "options": ["Так", "Ні"]},
                        )
                    )
                    await uow.commit()
        finally:
            await app.aclose()
        return heads

    return run_blocking(go())


def test_an_honest_log_verifies_and_results_print_its_head(admin, database_url):
    empty = admin("audit", "verify")
    assert empty.stdout.startswith("ok: 0 entries, head " + "0" * 64)
    heads = record(database_url, 5)
    ok = admin("audit", "verify")
    assert ok.stdout.strip() == f"ok: 5 entries, head {heads[-1]}"
    report = json.loads(admin("audit", "verify", "--json").stdout)
    assert report == {
        "ok": True,
        "entries": 5,
        "head": heads[-1],
        "problem": None,
        "seq": None,
        "head_seq": None,
    }
    # An earlier published head is still in the log.
    found = admin("audit", "verify", "--head", heads[1].upper())
    assert f"{heads[1]} is the head after entry 2" in found.stdout
    missing = admin("audit", "verify", "--head", "ab" * 32, expect=1)
    assert "does not contain" in missing.stderr
    bad = admin("audit", "verify", "--head", "xyz", expect=2)
    assert "64 hexadecimal" in bad.stderr
    # The listing still works and now sits beside verify.
    assert len(json.loads(admin("audit", "--json", "--limit", "3").stdout)) == 3

    created = admin("poll", "create", "--question", "Q?", "--option", "A", "--option", "B")
    poll_id = created.stdout.strip()
    results = admin("campaign", "results", poll_id, "--format", "json")
    json.loads(results.stdout)  # stdout stays machine-readable
    head_line = [x for x in results.stderr.splitlines() if x.startswith("Audit log head: ")]
    assert head_line
    assert admin("audit", "verify").stdout.strip().endswith(head_line[0].split()[-1])


def test_an_sql_update_of_one_entry_is_caught(admin, database_url):
    record(database_url, 6)
    sql(database_url, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    broken = admin("audit", "verify", expect=1)
    assert "audit entry 3 was changed" in broken.stderr
    assert "the 2 entries before it are intact" in broken.stderr
    report = json.loads(admin("audit", "verify", "--json", expect=1).stdout)
    assert report["ok"] is False and report["problem"] == "changed" and report["seq"] == 3


def test_a_changed_json_field_is_caught(admin, database_url):
    record(database_url, 3)
    sql(
        database_url,
        'UPDATE audit_log SET after = \'{"question": "Інше?", "options": ["Так", "Ні"]}\''
        " WHERE seq = 2",
    )
    report = json.loads(admin("audit", "verify", "--json", expect=1).stdout)
    assert (report["problem"], report["seq"]) == ("changed", 2)


def test_deleted_moved_and_appended_entries_are_caught(admin, database_url):
    record(database_url, 6)
    sql(database_url, "DELETE FROM audit_log WHERE seq = 4")
    report = json.loads(admin("audit", "verify", "--json", expect=1).stdout)
    assert (report["problem"], report["seq"]) == ("deleted", 4)
    # Renumbered to hide the gap: entry 5 now claims to be 4.
    sql(database_url, "UPDATE audit_log SET seq = seq - 1 WHERE seq > 4")
    report = json.loads(admin("audit", "verify", "--json", expect=1).stdout)
    assert (report["problem"], report["seq"]) == ("deleted", 4)


def test_swapped_entries_are_reported_as_moved(admin, database_url):
    record(database_url, 6)
    sql(
        database_url,
        "UPDATE audit_log SET seq = 100 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 5",
        "UPDATE audit_log SET seq = 5 WHERE seq = 100",
    )
    report = json.loads(admin("audit", "verify", "--json", expect=1).stdout)
    assert (report["problem"], report["seq"]) == ("reordered", 2)
    assert "entry 2 was moved" in admin("audit", "verify", expect=1).stderr


def test_the_tail_cut_off_is_caught(admin, database_url):
    record(database_url, 4)
    sql(database_url, "DELETE FROM audit_log WHERE seq = 4")
    report = json.loads(admin("audit", "verify", "--json", expect=1).stdout)
    assert (report["problem"], report["seq"]) == ("deleted", 4)


def test_two_processes_appending_at_once_form_one_chain(admin, database_url):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    per_process = 40
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.audit_appender", database_url, name,
             str(per_process)],
            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
        )
        for name in ("writer-a", "writer-b")
    ]  # fmt: skip
    for child in children:
        _out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err
    ok = admin("audit", "verify")
    assert ok.stdout.startswith(f"ok: {2 * per_process} entries")
    rows = sql(database_url, "SELECT actor, seq FROM audit_log ORDER BY seq")[0]
    assert [seq for _actor, seq in rows] == list(range(1, 2 * per_process + 1))
    assert {actor for actor, _seq in rows} == {"writer-a", "writer-b"}


async def test_existing_entries_get_a_chain_when_upgrading(app):
    """A database filled by the previous release (0011): its entries are chained in order."""
    from alembic import command

    from core.storage.migrate import alembic_config, upgrade

    def downgrade(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0011_eligibility")

    async with app.engine.begin() as conn:
        await conn.run_sync(downgrade)
        now = app.clock()
        for i in range(3):
            await conn.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, object_type, object_id, "
                    "before, after) VALUES (:at, 'olha', 'poll.create', 'campaign', :id, "
                    "NULL, :after)"
                ),
                {"at": now + timedelta(seconds=i), "id": str(i), "after": json.dumps({"n": i})},
            )
    await upgrade(app.engine)
    async with app.uow_factory() as uow:
        result = await audit.verify(uow)
        assert result.ok and result.entries == 3
        await audit.record(
            uow, actor="olha", action="x", object_type="t", object_id=1, now=app.clock()
        )
        await uow.commit()
    async with app.uow_factory() as uow:
        result = await audit.verify(uow)
        assert result.ok and result.entries == 4


@pytest.fixture
def telegram(monkeypatch) -> Iterator[FakeTelegramAPI]:
    api = FakeTelegramAPI()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(api.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    monkeypatch.setenv("SPILNO_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("SPILNO_TELEGRAM_API_URL", api.base_url)
    yield api
    asyncio.run_coroutine_threadsafe(api.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_anchor_queues_the_head_for_the_channel_and_is_audited(admin, database_url, telegram):
    heads = record(database_url, 2)
    telegram.add_channel("city_news", -100777, title="City news")
    done = admin("audit", "anchor", "--telegram", "@city_news")
    assert heads[-1] in done.stdout and "@city_news" in done.stdout
    (row,) = sql(
        database_url,
        "SELECT o.external_id, o.status, b.kind, b.payloads FROM outbox o "
        "JOIN broadcasts b ON b.id = o.broadcast_id",
    )[0]
    external_id, status, kind, payloads = row
    assert (external_id, status, kind) == ("-100777", "pending", "audit.anchor")
    payloads = json.loads(payloads) if isinstance(payloads, str) else payloads
    assert heads[-1] in payloads["uk"]["text"] and heads[-1] in payloads["en"]["text"]
    (entry,) = json.loads(admin("audit", "--json", "--limit", "1").stdout)
    assert entry["action"] == "audit.anchor" and entry["after"]["head"] == heads[-1]
    assert admin("audit", "verify").stdout.startswith("ok: 3 entries")
    # The channel's hidden identity is nobody a broadcast to `all` reaches.
    bad = admin("audit", "anchor", "--telegram", "not a channel!", expect=2)
    assert "@username" in bad.stderr


async def test_the_daily_anchor_posts_once_per_day(app, clock):
    await anchor_audit_head(app.uow_factory, clock, "@city_news")
    await anchor_audit_head(app.uow_factory, clock, "@city_news")  # a second scheduler
    async with app.uow_factory() as uow:
        assert (await audit.verify(uow)).entries == 1  # one audit.anchor entry
    clock.advance(days=1)
    assert await anchor_audit_head(app.uow_factory, clock, "@city_news")
    async with app.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT external_id FROM outbox"))).all()
    assert [r[0] for r in rows] == ["@city_news", "@city_news"]
