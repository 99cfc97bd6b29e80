"""Open data for contests and consultations, on SQLite and PostgreSQL: every change of a
contest vote issues a new receipt and only the last is exported; consultations export their
answers (free text only when the consultation makes it public); the recount agrees."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.consultations import service as consultations
from core.contests import service as contests
from core.kernel.errors import InvalidTransitionError
from core.trust import open_data
from tests.integration.test_consultations_contests_storage import (
    EXAMPLES,
    KYIV,
    answer_all,
    in_uow,
    new_citizen,
    open_consultation,
    voting_contest,
)

ROOT = Path(__file__).resolve().parents[2]


async def export_to(app, campaign_id: int, folder: Path) -> Path:
    async with app.uow_factory() as uow:
        (item,), _head = await open_data.export_campaigns(
            uow, [campaign_id], actor="m", now=app.clock()
        )
        await uow.commit()
    target = folder / item.directory
    target.mkdir(parents=True)
    for name, data in item.files.items():
        (target / name).write_bytes(data)
    return target


def recount(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", str(ROOT / "tools" / "recount.py"), str(folder)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_contest_receipts_change_with_each_vote_and_the_recount_agrees(app, clock, tmp_path):
    contest, _authors, entries = await voting_contest(app, clock, votes_per_resident=2)
    voter = await new_citizen(app, "voter")
    other = await new_citizen(app, "other")
    seen = []
    for entry in (entries[0], entries[1], entries[0]):  # vote, vote, take one back

        async def tap(uow, entry=entry):
            await contests.toggle_vote(uow, entry_id=entry.id, citizen_id=voter, now=app.clock())
            return await contests.my_receipt(uow, contest.id, voter)

        seen.append(await in_uow(app, tap))
    assert len(set(seen)) == 3 and all(len(r) == 8 for r in seen)
    await in_uow(
        app,
        lambda uow: contests.toggle_vote(
            uow, entry_id=entries[1].id, citizen_id=other, now=app.clock()
        ),
    )
    folder = await export_to(app, contest.id, tmp_path)
    rows = list(csv.DictReader((folder / "ballots.csv").open(encoding="utf-8")))
    assert sorted((r["choices"], r["receipt"] == seen[-1]) for r in rows) == [
        (str(entries[1].id), False),
        (str(entries[1].id), True),
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tallies"] == {"voters": 2, "counts": {str(entries[1].id): 2}}
    checked = recount(folder)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.startswith(f"campaign-{contest.id}: ok — 2 ballots")


async def test_consultation_answers_recount_and_texts_only_when_public(app, tmp_path):
    consultation = await open_consultation(app)
    for name, visits in (("a", 1), ("b", 2)):
        await answer_all(app, consultation, await new_citizen(app, name), visits=visits)
    await answer_all(app, consultation, await new_citizen(app, "draft"), submit=False)
    folder = await export_to(app, consultation.id, tmp_path / "private")
    rows = list(csv.DictReader((folder / "answers.csv").open(encoding="utf-8")))
    assert len({r["response"] for r in rows}) == 2  # the draft is not counted
    assert {r["text"] for r in rows} == {""}
    checked = recount(folder)
    assert checked.returncode == 0, checked.stdout
    campaign = json.loads((folder / "campaign.json").read_text())
    assert campaign["results"]["submissions"] == 2 and campaign["texts_public"] is False

    # Only before it opens may the city make the texts public (residents are told).
    async with app.uow_factory() as uow:
        with pytest.raises(InvalidTransitionError):
            await consultations.set_texts_public(
                uow, consultation.id, True, actor="m", now=app.clock()
            )
    async with app.engine.begin() as conn:  # as if it had been set before opening
        await conn.execute(text("UPDATE consultations SET texts_public = true"))
    folder = await export_to(app, consultation.id, tmp_path / "public")
    rows = list(csv.DictReader((folder / "answers.csv").open(encoding="utf-8")))
    assert "Більше лавок" in {r["text"] for r in rows}
    assert recount(folder).returncode == 0


async def test_receipts_false_in_a_contest_file_means_no_receipts(app, clock, tmp_path):
    from core.contests.plan import parse_contest

    text = (EXAMPLES / "contest.yaml").read_text().replace("receipts: true", "receipts: false")
    assert parse_contest(text, tz=KYIV).receipts is False
    contest, _authors, entries = await voting_contest(app, clock, receipts=False)
    voter = await new_citizen(app, "voter")

    async def tap(uow):
        await contests.toggle_vote(uow, entry_id=entries[0].id, citizen_id=voter, now=app.clock())
        return await contests.my_receipt(uow, contest.id, voter)

    assert await in_uow(app, tap) is None
    folder = await export_to(app, contest.id, tmp_path)
    (row,) = csv.DictReader((folder / "ballots.csv").open(encoding="utf-8"))
    assert row["receipt"] == "" and row["choices"] == str(entries[0].id)
    assert json.loads((folder / "campaign.json").read_text())["receipts"] is False
