"""`--format json` exports: one JSON array, null for what is missing, authors as the city can
reach them (issue 14). On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest

from admin_cli.app import run_cli
from core.bootstrap import bootstrap
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.config import Settings
from core.consultations import service as consultations
from core.ideas import service as ideas
from core.ideas.model import NewIdea
from tests.databases import run_blocking
from tests.examples import write_example


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPILNO_DATABASE_URL", database_url)
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "en")

    def run(*args: str) -> str:
        capsys.readouterr()
        code = run_cli(["--as", "olha", *args])
        out, err = capsys.readouterr()
        assert code == 0, (out, err)
        return out

    return run


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

    async def answer(uow, now):
        consultation = await consultations.get_consultation(uow, consultation_id)
        q = {question.key: question.id for question in consultation.questions}
        for name in ("a", "b"):
            citizen, _new = await citizens.resolve_citizen(uow, IdentityRef("test", name), now)
            args = {"consultation_id": consultation_id, "citizen_id": citizen.id, "now": now}
            await consultations.choose_option(uow, question_id=q["visits"], value=0, **args)
            await consultations.choose_option(uow, question_id=q["priorities"], value=1, **args)
            await consultations.next_question(uow, question_id=q["priorities"], **args)
            await consultations.choose_option(uow, question_id=q["satisfaction"], value=4, **args)
            await consultations.answer_text(
                uow, question_id=q["ideas"], text=f"Ідея {name}", **args
            )
            await consultations.submit(uow, **args)

    in_db(database_url, answer)

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
