"""`--format json` exports: one JSON array, null for what is missing, authors as the city can
reach them (issue 14). On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from functools import partial

import pytest

from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.ideas import service as ideas
from core.ideas.model import NewIdea
from tests.cli import answer_example_consultation, cli_runner, in_db
from tests.examples import write_example


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    run = cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha", mode=cli_mode)
    return lambda *args: run(*args).stdout


def test_ideas_export_names_authors_by_messenger_identity_and_missing_values_are_null(
    admin, database_url
):
    async def submit(uow, now):
        author, _new = await citizens.resolve_citizen(uow, IdentityRef("telegram", "12345"), now)
        draft = NewIdea(author.id, "Лавки в парку", "Більше лавок.", "greenery", "center")
        return (await ideas.submit_idea(uow, draft, now=now)).code

    code = in_db(database_url, submit)

    (row,) = json.loads(admin("ideas", "export", "--format", "json", "--with-authors"))
    assert row["code"] == code and row["author"] == "telegram:12345"
    for missing in ("official_status", "answer", "published_at", "answered_at"):
        assert row[missing] is None, missing
    (anonymous,) = json.loads(admin("ideas", "export", "--format", "json"))
    assert anonymous["author"].startswith("a-")
    (csv_row,) = csv.DictReader(io.StringIO(admin("ideas", "export", "--with-authors")))
    assert csv_row["author"] == "telegram:12345" and csv_row["answer"] == ""


def test_free_text_answers_export_as_one_json_array(admin, database_url, tmp_path):
    example = write_example(tmp_path, "consultation.yaml")
    consultation_id = int(admin("consultation", "create", "--file", str(example)))
    assert (
        json.loads(admin("consultation", "export-text", str(consultation_id), "--format", "json"))
        == []
    )
    admin("campaign", "open", str(consultation_id))

    in_db(database_url, partial(answer_example_consultation, consultation_id=consultation_id))

    exported = json.loads(
        admin("consultation", "export-text", str(consultation_id), "--format", "json")
    )
    assert isinstance(exported, list)
    assert sorted(r["text"] for r in exported) == ["Ідея a", "Ідея b"]
    assert {r["question"] for r in exported} == {"ideas"}
    admin(
        "consultation",
        "export-text",
        str(consultation_id),
        "--format",
        "json",
        "--output",
        "t.json",
    )
    assert json.loads((tmp_path / "t.json").read_text("utf-8")) == exported
