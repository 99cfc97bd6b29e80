"""A participatory budget's open data, on SQLite and PostgreSQL: one Pabulib file per pot that
pabutools' own parser reads back, and tools/recount.py recounting the votes and the winners by
the published rule (greedy or the Method of Equal Shares) — and refusing a tampered file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from pabutools.election import parse_pabulib

from core.pb import service as pbs
from core.pb.model import CITY_POT, PbRule
from tests.integration.test_open_data_kinds import export_to, recount
from tests.pb import create, pots, proposed, resident, to_phase, vote


async def test_pb_ballots_export_as_pabulib_and_the_recount_agrees(app, tmp_path):
    factory, clock = app.uow_factory, app.clock
    pb = await create(factory, clock, pots=pots(city=1_000, rotok=300), rule=PbRule.GREEDY)
    author = await resident(factory, clock, "author", district="rotok")
    voters = [await resident(factory, clock, f"v{i}", district="rotok") for i in range(3)]
    await to_phase(factory, clock, pb, 0.1)
    a = await proposed(factory, clock, pb, author, "A; з крапкою з комою", 600)
    b = await proposed(factory, clock, pb, author, "B", 500)
    c = await proposed(factory, clock, pb, author, "C", 300)
    local = await proposed(factory, clock, pb, author, "Local", 300, pot="rotok")
    await to_phase(factory, clock, pb, 2.5)
    await vote(factory, clock, voters[0], a, c)
    await vote(factory, clock, voters[1], b, c)
    await vote(factory, clock, voters[2], b)
    await vote(factory, clock, voters[2], local)
    await to_phase(factory, clock, pb, 4.5)

    folder = await export_to(app, pb.id, tmp_path)
    instance, profile = parse_pabulib(str(folder / "pot-city.pb"))
    assert instance.budget_limit == 1_000
    assert {p.name: p.cost for p in instance} == {str(a.id): 600, str(b.id): 500, str(c.id): 300}
    assert sorted(sorted(p.name for p in ballot) for ballot in profile) == sorted(
        [sorted([str(a.id), str(c.id)]), sorted([str(b.id), str(c.id)]), [str(b.id)]]
    )
    info = json.loads((folder / "campaign.json").read_text())
    assert info["results"]["pots"]["city"]["winners"] == sorted([b.id, c.id])

    done = recount(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "city: 3 ballots" in done.stdout and "rotok: 1 ballots" in done.stdout

    # A published winner the votes do not bear out is caught.
    publish_winners(folder, "city", [a.id])
    done = recount(folder)
    assert done.returncode == 1 and "greedy winners" in done.stdout


def publish_winners(folder: Path, pot: str, winners: list[int]) -> None:
    """Rewrite campaign.json's winners of `pot`, with a manifest that matches it (a forger
    who controls the whole export)."""
    info = json.loads((folder / "campaign.json").read_text())
    info["results"]["pots"][pot]["winners"] = winners
    (folder / "campaign.json").write_text(json.dumps(info))
    manifest = json.loads((folder / "manifest.json").read_text())
    data = (folder / "campaign.json").read_bytes()
    manifest["files"]["campaign.json"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("rule", list(PbRule))
async def test_the_recount_checks_the_winners_by_the_rule_the_pb_published(app, tmp_path, rule):
    """Six voters want the two dearer projects, four the two cheaper ones: greedy gives the
    majority the whole budget, equal shares gives the minority its proportional part. The
    recount agrees with the published winners and refuses the other rule's."""
    factory, clock = app.uow_factory, app.clock
    pb = await create(factory, clock, pots=pots(city=100), rule=rule)
    author = await resident(factory, clock, "author")
    voters = [await resident(factory, clock, f"v{i}") for i in range(10)]
    await to_phase(factory, clock, pb, 0.1)
    a = await proposed(factory, clock, pb, author, "A", 50)
    b = await proposed(factory, clock, pb, author, "B", 50)
    c = await proposed(factory, clock, pb, author, "C", 40)
    d = await proposed(factory, clock, pb, author, "D", 40)
    await to_phase(factory, clock, pb, 2.5)
    for voter in voters[:6]:
        await vote(factory, clock, voter, a, b)
    for voter in voters[6:]:
        await vote(factory, clock, voter, c, d)
    await to_phase(factory, clock, pb, 4.5)

    folder = await export_to(app, pb.id, tmp_path)
    by_rule = {PbRule.GREEDY: sorted([a.id, b.id]), PbRule.EQUAL_SHARES: sorted([a.id, c.id])}
    info = json.loads((folder / "campaign.json").read_text())
    assert info["results"]["rule"] == rule.value
    assert info["results"]["pots"]["city"]["winners"] == by_rule[rule]
    done = recount(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "city: 10 ballots" in done.stdout

    other = next(r for r in PbRule if r != rule)
    publish_winners(folder, "city", by_rule[other])
    done = recount(folder)
    assert done.returncode == 1, done.stdout
    assert f"{rule.value} winners" in done.stdout and "campaign.json says" in done.stdout


@pytest.mark.parametrize("receipts", [True, False])
async def test_each_ballot_row_carries_its_final_receipt(app, tmp_path, receipts):
    factory, clock = app.uow_factory, app.clock
    pb = await create(factory, clock, pots=pots(city=1_000), receipts=receipts)
    author = await resident(factory, clock, "author")
    voters = [await resident(factory, clock, f"v{i}") for i in range(2)]
    await to_phase(factory, clock, pb, 0.1)
    a = await proposed(factory, clock, pb, author, "A", 600)
    b = await proposed(factory, clock, pb, author, "B", 300)
    await to_phase(factory, clock, pb, 2.5)
    await vote(factory, clock, voters[0], a)
    first = await receipt_of(app, pb.id, voters[0])
    await vote(factory, clock, voters[0], a, b)  # submitted again: a new code
    await vote(factory, clock, voters[1], b)
    finals = {await receipt_of(app, pb.id, v) for v in voters}
    await to_phase(factory, clock, pb, 4.5)

    folder = await export_to(app, pb.id, tmp_path)
    text = (folder / "pot-city.pb").read_text()
    _instance, profile = parse_pabulib(str(folder / "pot-city.pb"))
    if receipts:
        assert first not in finals and None not in finals
        by_receipt = {ballot.meta["receipt"]: {p.name for p in ballot} for ballot in profile}
        assert set(by_receipt) == finals  # the replaced ballot's code is gone
        assert by_receipt[await receipt_of(app, pb.id, voters[0])] == {str(a.id), str(b.id)}
    else:
        assert finals == {None} and "receipt" not in text
    done = recount(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((folder / "campaign.json").read_text())["receipts"] is receipts


async def receipt_of(app, pb_id: int, citizen_id: int) -> str | None:
    async with app.uow_factory() as uow:
        return (await pbs.ballot(uow, pb_id, citizen_id, CITY_POT)).receipt
