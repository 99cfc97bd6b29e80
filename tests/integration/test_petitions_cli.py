"""`spilno-admin petitions …` on SQLite and PostgreSQL: the moderation queue, approve and
reject on legal grounds, under consideration and overdue, the answer; bad input exits 2."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from core.citizens import home_district as homes
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.petitions import service as petitions
from core.petitions.model import NewPetition, PetitionPolicy
from core.petitions.tables import PetitionRow
from tests.cli import cli_runner, in_db
from tests.dialogs import verify_phone


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    monkeypatch.setenv("SPILNO_PETITION_THRESHOLD", "2")
    monkeypatch.setenv("SPILNO_PETITION_DAYS", "30")
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, mode=cli_mode)


def file(database_url: str, titles: list[str]) -> list[int]:
    """A verified resident files petitions in chat (from another event loop, as the bot)."""

    async def work(uow, now):
        author, _new = await citizens.resolve_citizen(uow, IdentityRef("telegram", "a"), now)
        await verify_phone(uow, author, now)
        await homes.set_home_district(uow, author, "center", now)
        ids = []
        for title in titles:
            petition = await petitions.file_petition(
                uow,
                NewPetition(author.id, "Міська рада", title, "Прошу зробити.", "roads"),
                now=now,
                policy=PetitionPolicy(),
            )
            ids.append(petition.id)
        return ids

    return in_db(database_url, work)


def sign(database_url: str, petition_id: int, name: str) -> None:
    async def work(uow, now):
        signer, _new = await citizens.resolve_citizen(uow, IdentityRef("telegram", name), now)
        await verify_phone(uow, signer, now)
        await homes.set_home_district(uow, signer, "rotok", now)
        await petitions.sign_petition(uow, petition_id=petition_id, citizen_id=signer.id, now=now)

    in_db(database_url, work)


def test_moderate_then_answer_a_petition_that_reached_its_threshold(admin, database_url):
    good, bad = file(database_url, ["Ліхтарі на Надроссі", "Заборонити все"])
    pending = json.loads(admin("petitions", "list", "--status", "pending", "--json").stdout)
    assert [p["id"] for p in pending] == [bad, good]
    approved = admin("--as", "olha", "petitions", "approve", str(good))
    assert f"Petition {good} is published: 2 signatures needed" in approved.stdout
    rejected = admin(
        "--as",
        "olha",
        "petitions",
        "reject",
        str(bad),
        "--reason",
        "no_demand",
        "--note",
        "Що саме?",
    )
    assert "no demand the city could answer" in rejected.stdout
    # The author signed when it opened; one more reaches the threshold of 2.
    sign(database_url, good, "neighbour")
    waiting = json.loads(
        admin("petitions", "list", "--status", "threshold_reached", "--json").stdout
    )
    assert [(p["id"], p["signatures"], p["overdue"]) for p in waiting] == [(good, 2, False)]
    assert json.loads(admin("petitions", "list", "--overdue", "--json").stdout) == []
    table = admin("petitions", "list").stdout
    assert "under consideration" in table and "answer due" in table
    answered = admin(
        "--as",
        "ivan",
        "petitions",
        "answer",
        str(good),
        "--decision",
        "supported",
        "--text",
        "Встановимо навесні.",
    )
    assert f"Petition {good} is answered: supported." in answered.stdout
    shown = json.loads(admin("petitions", "show", str(good), "--json").stdout)
    assert (shown["status"], shown["decision"], shown["answer"]) == (
        "answered",
        "supported",
        "Встановимо навесні.",
    )
    audit = {(e["actor"], e["action"]) for e in json.loads(admin("audit", "--json").stdout)}
    assert {
        ("olha", "petition.approve"),
        ("olha", "petition.reject"),
        ("system", "petition.threshold_reached"),
        ("ivan", "petition.answer"),
    } <= audit
    results = admin("campaign", "results", str(good), "--format", "json").stdout
    assert json.loads(results)["signatures"] == 2


def test_a_petition_past_its_answer_term_is_listed_as_overdue(admin, database_url):
    (petition_id,) = file(database_url, ["Ліхтарі на Надроссі"])
    admin("petitions", "approve", str(petition_id))
    sign(database_url, petition_id, "neighbour")

    async def backdate(uow, now):  # reached three weeks ago: ten working days have passed
        found = await petitions.get_petition(uow, petition_id)
        assert found.answer_due_at is not None
        await uow.citizens._session.execute(  # type: ignore[attr-defined]
            update(PetitionRow)
            .where(PetitionRow.id == petition_id)
            .values(answer_due_at=now - timedelta(days=7))
        )

    in_db(database_url, backdate)
    overdue = json.loads(admin("petitions", "list", "--overdue", "--json").stdout)
    assert [(p["id"], p["overdue"]) for p in overdue] == [(petition_id, True)]
    assert "overdue" in admin("petitions", "list", "--overdue").stdout


def test_bad_input_is_one_line_and_exit_2_and_wrong_states_are_refused(admin, database_url):
    (petition_id,) = file(database_url, ["Ліхтарі на Надроссі"])
    reason = admin("petitions", "reject", str(petition_id), "--reason", "boring", expect=2)
    assert "outside_competence" in reason.stderr  # the legal reasons to choose from
    admin("petitions", "answer", str(petition_id), "--decision", "maybe", "--text", "x", expect=2)
    admin("petitions", "approve", "abc", expect=2)
    admin("petitions", "approve", "99999999999999999999", expect=2)
    admin("petitions", "list", "--status", "lost", expect=2)
    early = admin(
        "petitions", "answer", str(petition_id), "--decision", "supported", "--text", "x", expect=1
    )
    assert "pending moderation; it cannot become answered" in early.stderr
    assert (
        "there is no campaign with id 424242"
        in admin("petitions", "approve", "424242", expect=1).stderr
    )
    opened = admin("campaign", "open", str(petition_id), expect=1)
    assert "by its own kind's commands" in opened.stderr
    empty = admin(
        "petitions", "answer", str(petition_id), "--decision", "supported", "--text", " ", expect=2
    )
    assert len(empty.stderr.strip().splitlines()) == 1
