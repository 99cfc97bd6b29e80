"""Officials run a participatory budget with `spilno-admin` on SQLite and PostgreSQL: create it
from YAML (line-numbered errors, nothing created), review proposals, compare both counting
rules before publishing, results in every format, milestones."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.pb import service as pbs
from core.pb.ports import PBS
from tests.cli import cli_runner, in_db
from tests.dialogs import verify_phone
from tests.examples import example_yaml, soon, write_example


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    run = cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha", mode=cli_mode)

    def out_and_err(*args: str, expect: int = 0) -> tuple[str, str]:
        done = run(*args, expect=expect)
        return done.stdout, done.stderr

    return out_and_err


def test_a_bad_pb_file_names_its_line_and_creates_nothing(admin, tmp_path: Path):
    text = example_yaml("pb.yaml", start=soon())
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("rotok: 400000", "atlantis: 400000"), encoding="utf-8")
    _out, err = admin("pb", "create", "--file", str(bad), expect=2)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "rotok: 400000" in row)
    assert err.startswith(f"spilno-admin: {bad}:{line}: budgets.districts.atlantis: ")
    assert "atlantis is not one of the city's districts" in err
    swapped = text.replace("results: ", "results_at: ")
    bad.write_text(swapped, encoding="utf-8")
    admin("pb", "create", "--file", str(bad), expect=2)
    out, _err = admin("campaign", "list", "--json")
    assert json.loads(out) == []


def test_a_pb_from_file_through_review_to_both_rules_side_by_side(admin, database_url, tmp_path):
    example = write_example(tmp_path, "pb.yaml")
    pb = json.loads(admin("pb", "create", "--file", str(example), "--json")[0])
    assert pb["phase"] == "submission" and pb["rule"] == "greedy"
    assert [p["pot"] for p in pb["pots"]] == ["city", "center", "zarichchia", "rotok"]
    assert pb["eligible"] == ["verified"]
    admin("campaign", "open", str(pb["id"]))  # proposals open now, ahead of the file's date

    async def propose(uow, now):
        ids = []
        costs = (("a", 700_000), ("b", 650_000), ("c", 600_000), ("d", 800_000), ("e", 50))
        for name, cost in costs:
            citizen, _new = await citizens.resolve_citizen(uow, IdentityRef("test", name), now)
            await verify_phone(uow, citizen, now)
            project = await pbs.propose_project(
                uow,
                pb_id=pb["id"],
                citizen_id=citizen.id,
                pot="city",
                title=f"Проєкт {name}",
                description="Опис",
                cost=cost,
                photo_ref=None,
                now=now,
            )
            ids.append(project.id)
        return ids

    a, b, c, d, e = in_db(database_url, propose)
    waiting = json.loads(
        admin("pb", "projects", str(pb["id"]), "--status", "submitted", "--json")[0]
    )
    assert [p["id"] for p in waiting] == [a, b, c, d, e]
    admin("pb", "review", str(a), "--accept")
    out, _err = admin("pb", "review", str(b), "--accept", "--cost", "700000")
    assert "700,000" in out.replace("\xa0", " ")
    admin("pb", "review", str(c), "--accept")
    admin("pb", "review", str(d), "--accept")
    admin("pb", "review", str(e), "--reject", "--reason", "Це не під силу бюджету")
    admin("pb", "review", str(e), "--accept", "--reject", expect=2)
    admin("pb", "review", str(e), "--reject", expect=2)
    admin("pb", "review", "999999", "--accept", expect=1)
    table, _err = admin("pb", "projects", str(pb["id"]))
    assert "rejected" in table and "Проєкт b" in table

    async def ballots(uow, now):
        # Residents' submitted ballots (the voting phase is days away on the real clock).
        repo = uow.repository(PBS)
        for i, chosen in enumerate(([a, b, c], [a, b, c], [a, b, c], [d], [d])):
            citizen, _new = await citizens.resolve_citizen(uow, IdentityRef("test", f"v{i}"), now)
            ballot_id = await repo.lock_ballot(pb["id"], citizen.id, "city", now)
            for project_id in chosen:
                await repo.select_project(ballot_id, project_id, now)
            await repo.submit(ballot_id, now, None)

    in_db(database_url, ballots)
    compared = json.loads(
        admin("campaign", "results", str(pb["id"]), "--compare-rules", "--format", "json")[0]
    )
    city = compared["pots"][0]
    winners = {
        rule: {p["id"] for p in city["projects"] if p["winner"][rule]}
        for rule in ("greedy", "equal-shares")
    }
    # Greedy spends the whole 2M on the majority's three projects; the Method of Equal Shares
    # gives the two voters of d their share of the money.
    assert winners["greedy"] == {a, b, c}
    assert winners["equal-shares"] == {c, d}
    assert city["spent"] == {"greedy": 2_000_000, "equal-shares": 1_400_000}
    side_by_side, _err = admin("campaign", "results", str(pb["id"]), "--compare-rules")
    assert "Method of Equal Shares" in side_by_side and "greedy" in side_by_side
    rows = list(
        csv.DictReader(
            io.StringIO(admin("campaign", "results", str(pb["id"]), "--format", "csv")[0])
        )
    )
    assert {(int(r["project_id"]), r["greedy"], r["equal_shares"]) for r in rows} == {
        (a, "True", "False"),
        (b, "True", "False"),
        (c, "True", "True"),
        (d, "False", "True"),
    }
    admin(
        "campaign",
        "results",
        str(pb["id"]),
        "--format",
        "png",
        "--output",
        str(tmp_path / "pb.png"),
    )
    assert (tmp_path / "pb.png").read_bytes().startswith(b"\x89PNG")
    _out, err = admin(
        "pb", "milestone", str(a), "--status", "in_progress", "--text", "Почали", expect=1
    )
    assert "did not win" in err
    out, _err = admin("audit", "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert {"pb.create", "pb.accept", "pb.reject"} <= set(actions)


def test_compare_rules_is_for_kinds_counted_by_a_rule(admin, tmp_path):
    example = write_example(tmp_path, "contest.yaml")
    contest = json.loads(admin("contest", "create", "--file", str(example), "--json")[0])
    _out, err = admin("campaign", "results", str(contest["id"]), "--compare-rules", expect=2)
    assert "one way of counting" in err
