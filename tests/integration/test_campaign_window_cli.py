"""Campaigns whose window has passed: refused at create, explained, edited or deleted (issue 14).

`spilno-admin` as officials run it, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from core.polls import service as polls
from tests.cli import cli_runner, in_db
from tests.examples import example_yaml, soon, write_example

POLL = ("poll", "create", "--question", "Park?", "--option", "Yes", "--option", "No")


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha", mode=cli_mode)


def count_rows(database_url: str, table: str, campaign_column: str, campaign_id: int) -> int:
    async def work(uow, _now):
        session = uow._session  # a test peeks at the tables the cascade must empty
        query = text(f"SELECT count(*) FROM {table} WHERE {campaign_column} = :id")
        return (await session.execute(query, {"id": campaign_id})).scalar_one()

    return in_db(database_url, work)


def campaign_ids(admin) -> list[int]:
    return [c["id"] for c in json.loads(admin("campaign", "list", "--json").stdout)]


def past_file(tmp_path: Path, name: str) -> Path:
    """An example file moved into 2020: the whole window has passed."""
    return write_example(tmp_path, name, start=date(2020, 12, 1))


@pytest.mark.parametrize(
    "command",
    [
        [*POLL, "--opens", "2020-01-01T09:00", "--closes", "2020-02-01T09:00"],
        [*POLL, "--closes", "2020-02-01T09:00"],  # a draft that could never open
        ["idea-call", "create", "--title", "Benches", "--closes", "2020-02-01T09:00"],
        ["consultation", "create", "--file", "{tmp}/consultation.yaml"],
        ["contest", "create", "--file", "{tmp}/contest.yaml"],
    ],
    ids=["poll", "poll-draft", "idea-call", "consultation", "contest"],
)
def test_a_closing_time_in_the_past_is_refused_at_create(admin, tmp_path, command):
    past_file(tmp_path, "consultation.yaml")
    past_file(tmp_path, "contest.yaml")

    done = admin(*[part.format(tmp=tmp_path) for part in command], expect=2)

    assert done.stderr.startswith("spilno-admin: the closing time ")
    assert "has already passed; choose a later one" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert campaign_ids(admin) == []


@pytest.mark.parametrize(
    ("audience", "message"),
    [
        ("org:999", "audience 'org:999': there is no organization with that id"),
        ("participants:999", "audience 'participants:999': there is no campaign with that id"),
        ("event:999", "audience 'event:999': there is no event with that id"),
        ("topic:mars", "unknown topic 'mars'"),
        ("district:atlantis", "unknown district 'atlantis'"),
    ],
)
def test_an_audience_naming_nothing_is_refused(admin, audience, message):
    created = admin(*POLL, "--audience", audience, expect=2)
    announced = admin("broadcast", "--audience", audience, "--text", "Hello", expect=2)

    for done in (created, announced):
        assert done.stderr.startswith(f"spilno-admin: {message}")
        assert len(done.stderr.strip().splitlines()) == 1
    assert campaign_ids(admin) == []
    assert json.loads(admin("delivery", "status", "--json").stdout) == []


def test_an_audience_naming_an_existing_campaign_is_accepted(admin):
    first = int(admin(*POLL).stdout)
    second = json.loads(admin(*POLL, "--audience", f"participants:{first}", "--json").stdout)
    assert second["audience"] == f"participants:{first}"


def draft_closed_in_2020(database_url: str) -> int:
    """A draft saved before past windows were refused: its closing time is long gone."""

    async def work(uow, _now):
        poll = await polls.create_poll(
            uow,
            question="Old?",
            options=["A", "B"],
            actor="olha",
            now=datetime(2020, 1, 1, tzinfo=UTC),
            closes_at=datetime(2020, 2, 1, tzinfo=UTC),
        )
        return poll.id

    return in_db(database_url, work)


def test_a_draft_past_its_closing_says_why_and_is_fixed_with_edit(admin, database_url):
    poll_id = draft_closed_in_2020(database_url)

    refused = admin("campaign", "open", str(poll_id), expect=1)
    assert "its closing time has already passed" in refused.stderr
    assert f"spilno-admin campaign edit {poll_id} --closes" in refused.stderr
    assert f"spilno-admin campaign delete {poll_id}" in refused.stderr

    still_past = admin("campaign", "edit", str(poll_id), "--opens", "2099-01-01T09:00", expect=2)
    assert "has already passed" in still_past.stderr
    edited = admin("campaign", "edit", str(poll_id), "--closes", "2099-02-01T09:00")
    assert f"Campaign {poll_id} is draft" in edited.stdout
    assert "1 February 2099, 09:00" in edited.stdout
    admin("campaign", "open", str(poll_id))

    shown = json.loads(admin("campaign", "show", str(poll_id), "--json").stdout)
    assert shown["status"] == "open"
    assert shown["closes_at"] == "2099-02-01T07:00:00+00:00"  # 09:00 Kyiv
    audit = json.loads(admin("audit", "--json").stdout)
    edit = next(e for e in audit if e["action"] == "campaign.edit")
    assert edit["actor"] == "olha"
    assert edit["before"]["closes_at"] == "2020-02-01T00:00:00+00:00"
    assert edit["after"]["closes_at"] == "2099-02-01T07:00:00+00:00"


def test_edit_with_an_opening_time_schedules_a_draft_and_refuses_bad_windows(admin):
    poll_id = int(admin(*POLL).stdout)
    admin("campaign", "edit", str(poll_id), expect=2)
    backwards = admin(
        "campaign",
        "edit",
        str(poll_id),
        "--opens",
        "2099-03-01",
        "--closes",
        "2099-02-01",
        expect=2,
    )
    assert "--closes must be later than --opens" in backwards.stderr

    admin("campaign", "edit", str(poll_id), "--opens", "2099-01-01T09:00")

    shown = json.loads(admin("campaign", "show", str(poll_id), "--json").stdout)
    assert (shown["status"], shown["opens_at"]) == ("scheduled", "2099-01-01T07:00:00+00:00")
    admin("campaign", "open", str(poll_id))
    refused = admin("campaign", "edit", str(poll_id), "--closes", "2099-05-01", expect=1)
    assert "only drafts and scheduled campaigns can be edited" in refused.stderr
    missing = admin("campaign", "edit", "999", "--closes", "2099-05-01", expect=1)
    assert "there is no campaign with id 999" in missing.stderr


def test_deleting_drafts_removes_what_they_own_and_is_audited(admin, database_url, tmp_path):
    poll_id = int(admin(*POLL).stdout)
    call_id = int(
        admin("idea-call", "create", "--title", "Benches", "--closes", "2099-01-01").stdout
    )
    example = example_yaml("consultation.yaml", start=soon())
    draft = re.sub(r"^opens: .*\n", "", example, count=1, flags=re.MULTILINE)
    assert draft != example
    (tmp_path / "draft.yaml").write_text(draft, "utf-8")
    consultation_id = int(admin("consultation", "create", "--file", "draft.yaml").stdout)
    assert count_rows(database_url, "poll_options", "campaign_id", poll_id) == 2
    assert count_rows(database_url, "consultation_questions", "campaign_id", consultation_id) > 0

    for campaign_id in (poll_id, call_id, consultation_id):
        done = admin("campaign", "delete", str(campaign_id))
        assert f"Draft {campaign_id}" in done.stdout and "is deleted" in done.stdout

    assert campaign_ids(admin) == []
    for table, column, campaign_id in (
        ("polls", "campaign_id", poll_id),
        ("poll_options", "campaign_id", poll_id),
        ("idea_calls", "campaign_id", call_id),
        ("consultations", "campaign_id", consultation_id),
        ("consultation_questions", "campaign_id", consultation_id),
    ):
        assert count_rows(database_url, table, column, campaign_id) == 0, table
    audit = json.loads(admin("audit", "--json").stdout)
    deleted = [e for e in audit if e["action"] == "campaign.delete"]
    assert {e["object"] for e in deleted} == {
        f"campaign:{i}" for i in (poll_id, call_id, consultation_id)
    }
    assert {e["before"]["kind"] for e in deleted} == {"poll", "idea_call", "consultation"}


def test_only_drafts_can_be_deleted(admin):
    poll_id = int(admin(*POLL).stdout)
    admin("campaign", "open", str(poll_id))

    refused = admin("campaign", "delete", str(poll_id), expect=1)

    assert refused.stderr == (
        f"spilno-admin: campaign {poll_id} is open; only drafts can be deleted (close it instead)\n"
    )
    assert campaign_ids(admin) == [poll_id]
    admin("campaign", "delete", "999", expect=1)
