"""Open data and the independent recount (issue 17): an official exports a closed poll, the
recount (standard library only, run isolated from another folder) reproduces the tally, a
resident finds their receipt in ballots.csv, and one changed row fails the recount. On SQLite
and PostgreSQL."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.bootstrap import bootstrap
from core.campaigns.receipts import is_receipt
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.config import Settings
from core.polls import service as polls
from core.trust import receipts as receipts_service
from tests.cli import cli_runner
from tests.databases import run_blocking

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha", mode=cli_mode)


def in_db(database_url: str, work):
    async def go():
        app = bootstrap(Settings(database_url=database_url, _env_file=None))
        try:
            async with app.uow_factory() as uow:
                result = await work(uow, app.clock())
                await uow.commit()
            return result
        finally:
            await app.aclose()

    return run_blocking(go())


def recount(directory: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """On "another machine": a copy of the script alone, isolated (-I: no site, no PYTHONPATH,
    no current folder on the path), run from a folder with nothing of Spilno in it."""
    script = cwd / "recount.py"
    shutil.copy(ROOT / "tools" / "recount.py", script)
    return subprocess.run(
        [sys.executable, "-I", str(script), str(directory)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def vote(database_url: str, poll_id: int, votes: dict[str, list[int]]) -> dict[str, str | None]:
    """Each resident (telegram id → option ids) votes; returns their last receipts."""

    async def work(uow, now):
        out = {}
        for external_id, option_ids in votes.items():
            citizen, _new = await citizens.resolve_citizen(
                uow, IdentityRef("telegram", external_id), now
            )
            outcome = await polls.cast_vote(
                uow, poll_id=poll_id, citizen_id=citizen.id, option_ids=frozenset(option_ids),
                now=now,
            )  # fmt: skip
            out[external_id] = outcome.receipt
        return out

    return in_db(database_url, work)


def poll_with_votes(admin, database_url, *extra: str) -> tuple[int, dict, dict[str, str | None]]:
    poll_id = int(
        admin(
            "poll", "create", "--question", "Де поставити лавки?", "--option", "Парк",
            "--option", "Набережна", "--option", "Площа", "--multiple", "2", *extra,
        ).stdout
    )  # fmt: skip
    shown = json.loads(admin("campaign", "show", str(poll_id), "--json").stdout)
    ids = [o["id"] for o in shown["options"]]
    admin("campaign", "open", str(poll_id))
    first = vote(database_url, poll_id, {"101": [ids[0]], "102": [ids[0], ids[1]], "103": [ids[2]]})
    # 103 changes their mind: a new receipt, and only that one is exported.
    second = vote(database_url, poll_id, {"103": [ids[1]]})
    assert second["103"] != first["103"] or "off" in extra
    admin("campaign", "close", str(poll_id))
    return poll_id, {"ids": ids, "first": first}, first | second


def test_a_closed_poll_exports_and_recounts_on_another_machine(admin, database_url, tmp_path):
    poll_id, info, receipts = poll_with_votes(admin, database_url)
    ids = info["ids"]
    out = tmp_path / "export"
    done = admin("open-data", "export", "--campaign", str(poll_id), "--output", str(out))
    assert "1 campaign exported" in done.stdout
    head = done.stderr.split("Audit log head: ")[1].split()[0]
    folder = out / f"campaign-{poll_id}"
    assert sorted(p.name for p in folder.iterdir()) == [
        "ballots.csv",
        "campaign.json",
        "manifest.json",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["version"] == 1 and manifest["audit_head"] == head
    assert manifest["tallies"] == {
        "voters": 3,
        "counts": {str(ids[0]): 2, str(ids[1]): 2},
    }
    campaign = json.loads((folder / "campaign.json").read_text())
    assert campaign["results"]["counts"] == manifest["tallies"]["counts"]
    assert [o["id"] for o in campaign["options"]] == ids
    rows = list(csv.DictReader((folder / "ballots.csv").open(encoding="utf-8")))
    assert [list(r) for r in rows[:1]] == [
        ["ballot", "choices", "district", "verification", "cast_hour", "receipt"]
    ]
    # Each resident finds their (final) receipt, and their choices beside it.
    by_receipt = {r["receipt"]: r for r in rows}
    assert by_receipt[receipts["102"]]["choices"] == f"{ids[0]};{ids[1]}"
    assert by_receipt[receipts["103"]]["choices"] == str(ids[1])
    assert info["first"]["103"] not in by_receipt  # the replaced ballot's code is gone
    assert all(r["verification"] == "none" and r["cast_hour"].endswith(":00Z") for r in rows)
    # Pseudonyms: not the ids, and another campaign's export would not link them.
    assert all(len(r["ballot"]) == 12 for r in rows)

    (tmp_path / "elsewhere").mkdir()
    checked = recount(out, tmp_path / "elsewhere")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == (
        f"campaign-{poll_id}: ok — 3 ballots; {ids[0]}: 2, {ids[1]}: 2"
    )
    assert admin("audit", "verify", "--head", head).returncode == 0

    # One changed ballot: the hash no longer matches, and with the manifest "fixed" as well,
    # the tally no longer does.
    text = (folder / "ballots.csv").read_text(encoding="utf-8")
    row = next(r for r in rows if r["choices"] == str(ids[1]))
    forged = text.replace(f"{row['ballot']},{ids[1]},", f"{row['ballot']},{ids[2]},", 1)
    assert forged != text
    (folder / "ballots.csv").write_text(forged, encoding="utf-8")
    failed = recount(out, tmp_path / "elsewhere")
    assert failed.returncode == 1
    assert "MISMATCH — ballots.csv does not match its SHA-256" in failed.stdout
    manifest["files"]["ballots.csv"]["sha256"] = hashlib.sha256(forged.encode()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    failed = recount(out, tmp_path / "elsewhere")
    assert failed.returncode == 1
    assert "votes per choice differ from manifest.json" in failed.stdout


def test_receipts_off_and_all_campaigns(admin, database_url, tmp_path):
    poll_id, _info, receipts = poll_with_votes(admin, database_url, "--receipts", "off")
    assert set(receipts.values()) == {None}
    other_id = int(
        admin("poll", "create", "--question", "Q?", "--option", "A", "--option", "B").stdout
    )
    out = tmp_path / "all"
    admin("open-data", "export", "--all", "--output", str(out))
    rows = list(csv.DictReader((out / f"campaign-{poll_id}" / "ballots.csv").open()))
    assert len(rows) == 3 and {r["receipt"] for r in rows} == {""}
    (tmp_path / "elsewhere").mkdir()
    checked = recount(out, tmp_path / "elsewhere")
    assert checked.returncode == 0, checked.stdout
    assert f"campaign-{other_id}: ok — 0 ballots; no votes" in checked.stdout
    assert len(checked.stdout.strip().splitlines()) == 2
    bad = admin("open-data", "export", "--output", str(out), expect=2)
    assert "--campaign" in bad.stderr
    admin("open-data", "export", "--campaign", "999", "--output", str(out), expect=1)


def test_my_receipts_lists_the_final_codes(admin, database_url):
    poll_id, _info, receipts = poll_with_votes(admin, database_url)

    async def mine(uow, now):
        citizen, _new = await citizens.resolve_citizen(uow, IdentityRef("telegram", "103"), now)
        return await receipts_service.my_receipts(uow, citizen.id)

    (found,) = in_db(database_url, mine)
    assert (found.campaign_id, found.receipt) == (poll_id, receipts["103"])
    assert found.title == "Де поставити лавки?"
    assert len(found.receipt) == 8 and is_receipt(found.receipt)


def test_the_ideas_export_pseudonym_is_keyed(admin, database_url):
    """`a-` + sha256("spilno-author:{id}") was reversible by enumerating ids."""
    from core.ideas import service as ideas
    from core.ideas.model import NewIdea

    async def submit(uow, now):
        author, _new = await citizens.resolve_citizen(uow, IdentityRef("telegram", "12345"), now)
        await ideas.submit_idea(
            uow, NewIdea(author.id, "Лавки", "Більше лавок.", "greenery", "center"), now=now
        )
        return author.id

    author_id = in_db(database_url, submit)
    (row,) = json.loads(admin("ideas", "export", "--format", "json").stdout)
    unsalted = "a-" + hashlib.sha256(f"spilno-author:{author_id}".encode()).hexdigest()[:10]
    assert row["author"].startswith("a-") and row["author"] != unsalted
    (again,) = json.loads(admin("ideas", "export", "--format", "json").stdout)
    assert again["author"] == row["author"]  # stable: one author's ideas still group


def test_a_consultation_makes_its_texts_public_before_it_opens(admin, tmp_path):
    from tests.examples import write_example

    consultation_id = admin(
        "consultation", "create", "--file", str(write_example(tmp_path, "consultation.yaml"))
    ).stdout.strip()
    done = admin("consultation", "texts-public", consultation_id, "on")
    assert "will be in its open data" in done.stdout
    entries = json.loads(admin("audit", "--json", "--limit", "1").stdout)
    assert entries[0]["action"] == "consultation.texts_public"
    assert entries[0]["after"] == {"texts_public": True}
    admin("campaign", "open", consultation_id)
    late = admin("consultation", "texts-public", consultation_id, "off", expect=1)
    assert late.stderr.startswith("spilno-admin: ")
    bad = admin("consultation", "texts-public", consultation_id, "maybe", expect=2)
    assert "must be one of: on, off" in bad.stderr
