"""`spilno-admin residents stats | show` on SQLite and PostgreSQL: counts and one resident,
a masked phone at most, words in English and Ukrainian, one-line errors with exit 2."""

from __future__ import annotations

import json

import pytest

from core.bootstrap import bootstrap
from core.campaigns import service as campaigns
from core.citizens import service as citizens
from core.citizens.merge import merge_citizens
from core.citizens.model import IdentityRef, PhoneProof
from core.citizens.verification import verify_phone
from core.config import Settings
from core.polls import service as polls
from tests.databases import run_blocking
from tests.integration.test_admin_cli import admin  # noqa: F401 - the fixture

KEY = "residents-cli-test-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch):
    monkeypatch.setenv("SPILNO_SECRET_KEY", KEY)


def seed(database_url: str) -> None:
    """Olena: Telegram + Viber, verified, voted once; Petro: Viber only; Ira: Telegram only."""

    async def go() -> None:
        app = bootstrap(Settings(database_url=database_url, secret_key=KEY, _env_file=None))
        now = app.clock()
        try:
            async with app.uow_factory() as uow:
                ids = {}
                for ref in ("telegram:1", "viber:o1", "viber:p2", "telegram:3"):
                    citizen, _ = await citizens.resolve_citizen(uow, IdentityRef.parse(ref), now)
                    ids[ref] = citizen
                await verify_phone(
                    uow, ids["telegram:1"], "380501234567", now, proof=PhoneProof.OWN
                )
                await merge_citizens(
                    uow, ids["telegram:1"].id, ids["viber:o1"].id, actor="t", reason="t", now=now
                )
                poll = await polls.create_poll(
                    uow, question="Which park?", options=["A", "B"], actor="m", now=now
                )
                await campaigns.open_campaign(uow, poll.id, actor="m", now=now)
                await polls.toggle_choice(
                    uow,
                    poll_id=poll.id,
                    citizen_id=ids["telegram:1"].id,
                    option_id=poll.options[0].id,
                    now=now,
                )
                await uow.commit()
        finally:
            await app.aclose()

    run_blocking(go())


def test_stats_count_platforms_levels_links_and_districts(admin, database_url):  # noqa: F811
    seed(database_url)
    data = json.loads(admin("residents", "stats", "--json").stdout)
    assert data["total"] == 3
    assert data["by_platform"] == {"telegram": 2, "viber": 2}
    assert data["by_level"] == {"none": 2, "phone": 1}
    assert data["linked"] == 1
    assert data["by_district"] == {"not_set": 3}
    table = admin("residents", "stats").stdout
    assert "In two or more messengers (linked)" in table and "home district not set" in table


def test_show_gives_the_masked_phone_identities_and_participation(admin, database_url):  # noqa: F811
    seed(database_url)
    data = json.loads(admin("residents", "show", "viber:o1", "--json").stdout)
    assert data["phone"] == "+380 •• ••• •• 67"
    assert data["level"] == "phone"
    assert sorted(data["identities"]) == ["telegram:1", "viber:o1"]
    assert data["participation"] == {"ballots": 1}
    text = admin("residents", "show", "telegram:1").stdout
    assert "verified by phone" in text and "poll ballots: 1" in text
    assert "501234567" not in text + json.dumps(data)


def test_show_in_ukrainian(admin, database_url, monkeypatch):  # noqa: F811
    seed(database_url)
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "uk")
    text = admin("residents", "show", "telegram:1").stdout
    assert "підтверджено телефоном" in text and "голоси в опитуваннях: 1" in text


@pytest.mark.parametrize(
    ("identity", "words"),
    [("telegram:999", "there is no resident telegram:999"), ("olena", "is not an identity")],
)
def test_unknown_or_malformed_identity_is_one_line_exit_2(admin, identity, words):  # noqa: F811
    done = admin("residents", "show", identity, expect=2)
    assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1
