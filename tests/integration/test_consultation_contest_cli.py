"""Officials run a consultation and a contest from YAML files to results, via `spilno-admin`."""

import csv
import io
import json
from functools import partial
from pathlib import Path

import pytest

from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.contests import service as contests
from tests.cli import answer_example_consultation, cli_runner, in_db
from tests.examples import example_yaml, soon, write_example


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    run = cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha", mode=cli_mode)

    def out_and_err(*args: str, expect: int = 0) -> tuple[str, str]:
        done = run(*args, expect=expect)
        return done.stdout, done.stderr

    return out_and_err


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_file_names_line_field_and_problem_and_creates_nothing(admin, tmp_path):
    text = example_yaml("consultation.yaml", start=soon())
    bad = write(tmp_path, "bad.yaml", text.replace("type: scale", "type: stars"))
    _out, err = admin("consultation", "create", "--file", str(bad), expect=2)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "type: scale" in row)
    assert err.startswith(f"spilno-admin: {bad}:{line}: questions[4].type: ")
    assert "'single', 'multiple', 'scale' or 'text'" in err
    typo = write(tmp_path, "typo.yaml", text.replace("max_length: 500", "max_lenght: 500"))
    _out, err = admin("consultation", "create", "--file", str(typo), expect=2)
    assert "questions[2].max_lenght: unknown field" in err
    out, _err = admin("campaign", "list", "--json")
    assert json.loads(out) == []


def test_a_consultation_from_file_to_results_in_every_format(admin, database_url, tmp_path):
    example = write_example(tmp_path, "consultation.yaml")
    out, _err = admin("consultation", "create", "--file", str(example))
    consultation_id = int(out.strip())
    admin("campaign", "open", str(consultation_id))

    in_db(database_url, partial(answer_example_consultation, consultation_id=consultation_id))
    shown, _err = admin("campaign", "show", str(consultation_id), "--json")
    assert json.loads(shown)["submissions"] == 2
    table, _err = admin("campaign", "results", str(consultation_id))
    assert "Лавки" in table and "100.0" in table
    data = json.loads(admin("campaign", "results", str(consultation_id), "--format", "json")[0])
    assert data["submissions"] == 2
    assert data["questions"][2]["choices"][1] == {"label": "Лавки", "count": 2, "percent": 100.0}
    rows = list(
        csv.reader(
            io.StringIO(admin("campaign", "results", str(consultation_id), "--format", "csv")[0])
        )
    )
    assert ["4", "satisfaction", "scale", "4", "2", "100.0"] in rows
    _out, err = admin(
        "campaign",
        "results",
        str(consultation_id),
        "--format",
        "png",
        "--output",
        str(tmp_path / "chart.png"),
    )
    charts = sorted(tmp_path.glob("chart-*.png"))
    assert len(charts) == 3  # single, multiple, scale; the free-text questions have none
    assert all(c.read_bytes().startswith(b"\x89PNG") for c in charts)
    exported, err = admin("consultation", "export-text", str(consultation_id))
    texts = [r[3] for r in csv.reader(io.StringIO(exported))][1:]
    assert sorted(texts) == ["Ідея a", "Ідея b"]
    assert "2 free-text answers exported" in err


def test_a_contest_with_premoderation_from_file_to_ranked_results(admin, database_url, tmp_path):
    example = write_example(tmp_path, "contest.yaml")
    out, _err = admin("contest", "create", "--file", str(example), "--json")
    contest = json.loads(out)
    assert contest["phase"] == "submissions" and contest["premoderation"] is True
    contest_id = contest["id"]

    admin("campaign", "open", str(contest_id))  # submissions open now, ahead of the file's date

    async def submit_two(uow, now):
        ids = []
        for name in ("a", "b"):
            citizen, _new = await citizens.resolve_citizen(uow, IdentityRef("test", name), now)
            entry = await contests.submit_entry(
                uow,
                contest_id=contest_id,
                citizen_id=citizen.id,
                title=f"Ідея {name}",
                description="Опис",
                photo_ref=None,
                now=now,
            )
            ids.append(entry.id)
        return ids

    first, second = in_db(database_url, submit_two)
    pending = json.loads(
        admin("contest", "entries", str(contest_id), "--status", "pending", "--json")[0]
    )
    assert [e["id"] for e in pending] == [first, second]
    admin("contest", "approve", str(first))
    admin("contest", "reject", str(second), "--reason", "Не стосується набережної")
    admin("contest", "approve", "999999", expect=1)
    _out, err = admin("contest", "reject", str(second), "--reason", "again", expect=1)
    assert f"entry {second} is rejected" in err
    entries = json.loads(admin("contest", "entries", str(contest_id), "--json")[0])
    assert [(e["status"], e["reject_reason"]) for e in entries] == [
        ("approved", None),
        ("rejected", "Не стосується набережної"),
    ]
    ranked = json.loads(admin("campaign", "results", str(contest_id), "--format", "json")[0])
    assert [(e["id"], e["votes"]) for e in ranked["entries"]] == [(first, 0)]
    admin(
        "campaign",
        "results",
        str(contest_id),
        "--format",
        "png",
        "--output",
        str(tmp_path / "contest.png"),
    )
    assert (tmp_path / "contest.png").read_bytes().startswith(b"\x89PNG")
    out, _err = admin("audit", "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert {"contest.create", "contest.approve", "contest.reject"} <= set(actions)
