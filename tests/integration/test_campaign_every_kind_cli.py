"""`spilno-admin campaign list/show/results` work for a campaign of every registered kind, on
SQLite and PostgreSQL. `campaign show` of a petition once crashed (KeyError 'kind'): the
header now comes from the campaign itself, whatever the kind's details carry. A new kind in
core/campaigns/registry.py fails this test until it has a campaign here."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from core.campaigns.model import CampaignStatus
from core.campaigns.registry import KINDS
from core.citizens import home_district as homes
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.demo.polls import seed_demo_city
from core.kernel.unit_of_work import UnitOfWork
from core.petitions import service as petitions
from core.petitions.model import NewPetition, PetitionPolicy
from tests.cli import cli_runner, in_db
from tests.dialogs import verify_phone
from tests.examples import write_example

# What a kind without results may answer instead of them (one line, not a traceback).
NO_RESULTS = "it has no results to show"


async def _seed(uow: UnitOfWork, now: datetime) -> int:
    """The demo city (polls, an idea call, a consultation, a contest) and a petition."""
    assert await seed_demo_city(uow, now)
    resident, _new = await citizens.resolve_citizen(uow, IdentityRef("telegram", "4242"), now)
    await verify_phone(uow, resident, now)
    await homes.set_home_district(uow, resident, "center", now)
    petition = await petitions.file_petition(
        uow,
        NewPetition(resident.id, "Міська рада", "Ліхтарі на [Надроссі]", "Прошу.", "roads"),
        now=now,
        policy=PetitionPolicy(),
    )
    await petitions.approve_petition(uow, petition.id, actor="olha", now=now)
    return petition.id


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha", mode=cli_mode)


@pytest.fixture
def any_exit(admin):
    """`spilno-admin ARGS` as olha whatever its exit code: (code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        done = admin(*args, expect=None)
        return done.returncode, done.stdout, done.stderr

    return run


@pytest.fixture
def every_kind(admin, database_url, tmp_path: Path) -> list[dict[str, object]]:
    """One campaign (at least) of every registered kind, as `campaign list --json` shows them."""
    in_db(database_url, _seed)
    admin("pb", "create", "--file", str(write_example(tmp_path, "pb.yaml")))
    found = json.loads(admin("campaign", "list", "--json").stdout)
    assert {c["kind"] for c in found} == {spec.kind.value for spec in KINDS}
    return found


def test_campaign_list_shows_every_kind(admin, every_kind):
    table = admin("campaign", "list").stdout
    for campaign in every_kind:
        assert str(campaign["id"]) in table
    for status in CampaignStatus:  # a filter by any status works for every kind too
        admin("campaign", "list", "--status", status.value, "--json")


def test_campaign_show_works_for_every_kind(admin, every_kind):
    for campaign in every_kind:
        shown = admin("campaign", "show", str(campaign["id"])).stdout
        assert shown.startswith(f"#{campaign['id']} "), shown
        assert "Kind: " in shown and "Status: " in shown and "Who may take part: " in shown
        assert not re.search(r"\d{4}-\d\d-\d\dT", shown), shown  # moments in words, not ISO
        data = json.loads(admin("campaign", "show", str(campaign["id"]), "--json").stdout)
        assert data["id"] == campaign["id"] and data["kind"] == campaign["kind"], data


def test_a_public_budget_shows_when_its_results_are_announced(admin, every_kind):
    (pb,) = [c for c in every_kind if c["kind"] == "pb"]
    data = json.loads(admin("campaign", "show", str(pb["id"]), "--json").stdout)
    shown = admin("campaign", "show", str(pb["id"])).stdout
    (line,) = [row for row in shown.splitlines() if row.startswith("Results: ")]
    assert line != f"Results: {data['results']}" and line[-5:-3].isdigit(), line


def test_a_petition_shows_its_campaign_status_and_its_own(admin, every_kind):
    (petition,) = [c for c in every_kind if c["kind"] == "petition"]
    shown = admin("campaign", "show", str(petition["id"])).stdout
    # The title's brackets are text, not Rich markup.
    assert shown.splitlines()[0] == f"#{petition['id']} Ліхтарі на [Надроссі]"
    assert "Kind: petition" in shown
    assert f"Status: {petition['status']}" in shown  # the campaign's status, in words
    assert "Addressee: Міська рада" in shown and "Petition status: " in shown


def test_campaign_results_works_or_says_why_not_for_every_kind(any_exit, every_kind):
    answered = set()
    for campaign in every_kind:
        for fmt in ("table", "json", "csv"):
            code, out, err = any_exit("campaign", "results", str(campaign["id"]), "--format", fmt)
            if code == 0:
                assert out.strip(), (campaign, fmt)
                answered.add(campaign["kind"])
            else:
                assert code == 1 and NO_RESULTS in err, (campaign, code, err)
                assert len(err.strip().splitlines()) == 1
    assert {"poll", "petition"} <= answered
