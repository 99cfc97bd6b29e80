"""My data and forget me (issue 17), on SQLite and PostgreSQL: a forgotten resident's votes in
closed campaigns stay (anonymous) so no published result changes, votes in open ones are
withdrawn, texts read "deleted by the author", personal rows go, and writing again starts a
new resident. Officials do the same from the CLI, audit-logged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from core.bootstrap import bootstrap
from core.campaigns import results
from core.citizens import export, forget, subscriptions
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.config import Settings
from core.ideas import service as ideas
from core.ideas.model import NewIdea
from core.polls import service as polls
from core.storage.participation import CITIZEN_REFERENCES, OnForget
from core.storage.resident_data import FORGET_PLAN
from tests.cli import cli_runner
from tests.databases import run_blocking

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    monkeypatch.setenv("SPILNO_IDEAS_PREMODERATION", "false")
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha", mode=cli_mode)


def in_db(database_url: str, work, *, premoderation: bool = False):
    async def go():
        settings = Settings(
            database_url=database_url, ideas_premoderation=premoderation, _env_file=None
        )
        app = bootstrap(settings)
        try:
            async with app.uow_factory() as uow:
                result = await work(uow, app.clock())
                await uow.commit()
            return result
        finally:
            await app.aclose()

    return run_blocking(go())


def test_every_anonymized_table_has_a_forget_plan():
    """A new table that keeps rows on forget must say whether they are participation in a
    campaign (withdrawn while it is open) or content (words replaced)."""
    kept = {ref.table for ref in CITIZEN_REFERENCES if ref.on_forget == OnForget.ANONYMIZE}
    assert kept == set(FORGET_PLAN)


def city(admin, database_url):
    """Residents 101 (to be forgotten) and 102 vote in a poll that closes and one still open;
    101 also writes an idea and a comment, supports 102's idea and follows a topic."""

    def poll(question):
        poll_id = int(
            admin("poll", "create", "--question", question, "--option", "A", "--option", "B").stdout
        )
        admin("campaign", "open", str(poll_id))
        shown = json.loads(admin("campaign", "show", str(poll_id), "--json").stdout)
        return poll_id, [o["id"] for o in shown["options"]]

    closed_id, closed_options = poll("Closed?")
    open_id, open_options = poll("Open?")

    async def work(uow, now):
        people = {}
        for external_id in ("101", "102"):
            citizen, _new = await citizens.resolve_citizen(
                uow, IdentityRef("telegram", external_id), now
            )
            people[external_id] = citizen
        for person in people.values():
            for poll_id, options in ((closed_id, closed_options), (open_id, open_options)):
                await polls.cast_vote(
                    uow, poll_id=poll_id, citizen_id=person.id,
                    option_ids=frozenset({options[0]}), now=now,
                )  # fmt: skip
        mine = await ideas.submit_idea(
            uow, NewIdea(people["101"].id, "Лавки в парку", "Більше лавок.", "greenery", "center"),
            now=now,
        )  # fmt: skip
        theirs = await ideas.submit_idea(
            uow, NewIdea(people["102"].id, "Велодоріжка", "Уздовж річки.", "transport", "center"),
            now=now,
        )  # fmt: skip
        await ideas.support_idea(uow, idea_id=theirs.id, citizen_id=people["101"].id, now=now)
        await ideas.add_comment(
            uow, idea_id=theirs.id, citizen_id=people["101"].id, text="Так!", now=now
        )
        await subscriptions.toggle(uow, people["101"], "topic", "transport")
        return people["101"].id, mine.id, theirs.id

    forgotten_id, my_idea, their_idea = in_db(database_url, work)
    admin("campaign", "close", str(closed_id))
    return forgotten_id, closed_id, open_id, my_idea, their_idea


def tallies(database_url, *poll_ids):
    async def work(uow, now):
        out = []
        for poll_id in poll_ids:
            r = await results.poll_results(uow, poll_id, now=now, for_official=True)
            out.append((r.voters, [o.votes for o in r.options]))
        return out

    return in_db(database_url, work)


def count(database_url, sql: str) -> int:
    async def work(uow, now):
        return (await uow.resident_data._session.execute(text(sql))).scalar_one()

    return in_db(database_url, work)


def test_forget_keeps_closed_results_and_withdraws_open_votes(admin, database_url, tmp_path):
    forgotten_id, closed_id, open_id, my_idea, their_idea = city(admin, database_url)
    assert tallies(database_url, closed_id, open_id) == [(2, [2, 0]), (2, [2, 0])]
    out = tmp_path / "before"
    admin("open-data", "export", "--campaign", str(closed_id), "--output", str(out))
    before = (out / f"campaign-{closed_id}" / "ballots.csv").read_text()

    async def verified(uow, now):  # as phone verification leaves it (issue 16)
        await uow.resident_data._session.execute(
            text(
                "UPDATE citizens SET phone_hash = 'h' || id, phone_masked = '+380 •• ••• •• 67' "
                f"WHERE id = {forgotten_id}"
            )
        )

    in_db(database_url, verified)

    # The resident's own copy first.
    async def mine(uow, now):
        return await export.export_resident(uow, forgotten_id, now=now)

    document = in_db(database_url, mine)
    sections = {s["key"]: s for s in document["sections"]}
    assert {"citizen", "identities", "ballots", "ideas", "idea_comments", "idea_supports",
            "subscriptions"} <= set(sections)  # fmt: skip
    assert sections["identities"]["rows"][0]["external_id"] == "101"
    (settings,) = sections["citizen"]["rows"]
    assert settings["phone_masked"] == "+380 •• ••• •• 67" and "phone_hash" not in settings
    assert {b["campaign"] for b in sections["ballots"]["rows"]} == {"Closed?", "Open?"}
    assert all(len(b["receipt"]) == 8 and b["choices"] for b in sections["ballots"]["rows"])

    async def go(uow, now):
        return await forget.forget_citizen(uow, forgotten_id, now=now, locale="uk")

    counts = in_db(database_url, go)
    assert counts.withdrawn["ballots"] == 1 and counts.anonymized["ballots"] == 1
    assert counts.deleted["identities"] == 1 and counts.deleted["subscriptions"] == 1

    # Closed: unchanged, to the row (the pseudonym of the kept ballot stays the same).
    assert tallies(database_url, closed_id, open_id) == [(2, [2, 0]), (1, [1, 0])]
    admin("open-data", "export", "--campaign", str(closed_id), "--output", str(tmp_path / "after"))
    after = (tmp_path / "after" / f"campaign-{closed_id}" / "ballots.csv").read_text()
    assert after == before

    async def look(uow, now):
        mine = await ideas.get_idea(uow, my_idea)
        theirs = await ideas.get_idea(uow, their_idea)
        found = await citizens.find_citizen(uow, IdentityRef("telegram", "101"))
        return mine, theirs, found

    my, their, found = in_db(database_url, look)
    assert my.title == "видалено автором" and my.description == "видалено автором"
    assert their.supports == 0  # the support was withdrawn (the idea is in no closed call)
    assert found is None
    assert count(database_url, f"SELECT count(*) FROM citizens WHERE id = {forgotten_id}") == 0
    assert count(database_url, "SELECT count(*) FROM citizens WHERE phone_hash IS NOT NULL") == 0
    assert (
        count(database_url, "SELECT count(*) FROM idea_comments WHERE text = 'видалено автором'")
        == 1
    )

    async def again(uow, now):
        return await citizens.resolve_citizen(uow, IdentityRef("telegram", "101"), now)

    citizen, is_new = in_db(database_url, again)
    assert is_new and citizen.id != forgotten_id
    entries = json.loads(admin("audit", "--json", "--limit", "50").stdout)
    (entry,) = [e for e in entries if e["action"] == "resident.forget"]
    assert entry["object"] == "resident:-" and "101" not in json.dumps(entry)
    assert admin("audit", "verify").returncode == 0


def test_officials_export_and_forget_from_the_cli(admin, database_url, tmp_path):
    city(admin, database_url)
    target = tmp_path / "letter.json"
    done = admin("residents", "export", "telegram:102", "--output", str(target))
    assert str(target) in done.stdout
    document = json.loads(target.read_text())
    assert document["title"] == "Everything Spilno holds about you"
    refused = admin("residents", "forget", "telegram:102", expect=1, stdin="n\n")
    assert "Nothing was deleted" in refused.stderr
    assert count(database_url, "SELECT count(*) FROM identities WHERE external_id = '102'") == 1
    done = admin("residents", "forget", "telegram:102", "--yes", "--json")
    report = json.loads(done.stdout)
    assert report["deleted"]["identities"] == 1 and report["withdrawn"]["ballots"] == 1
    assert count(database_url, "SELECT count(*) FROM identities WHERE external_id = '102'") == 0
    missing = admin("residents", "forget", "telegram:102", "--yes", expect=1)
    assert "no resident has the identity telegram:102" in missing.stderr
    bad = admin("residents", "export", "12345", "--output", str(target), expect=1)
    assert "telegram:ID" in bad.stderr
    actions = [e["action"] for e in json.loads(admin("audit", "--json").stdout)]
    assert actions.count("resident.forget") == 1 and actions.count("resident.export") == 1
