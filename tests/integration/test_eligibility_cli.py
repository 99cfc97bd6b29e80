"""`--eligible`, `eligible:` in campaign files, and `campaign results --by`, as officials run
them (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from core.citizens import home_district as homes
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.polls import service as polls
from tests.cli import cli_runner, in_db
from tests.dialogs import verify_phone
from tests.examples import example_yaml, soon


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    """The shared runner as (stdout, stderr), acting as official olha."""
    run = cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha", mode=cli_mode)

    def outputs(*args: str, expect: int = 0) -> tuple[str, str]:
        done = run(*args, expect=expect)
        return done.stdout, done.stderr

    return outputs


def vote(database_url, poll_id, ballots):
    """(name, home district or None, verified, option label): residents vote from elsewhere."""

    async def work(uow, now):
        for name, district, verified, label in ballots:
            citizen, _ = await citizens.resolve_citizen(uow, IdentityRef("test", name), now)
            if district:
                await homes.set_home_district(uow, citizen, district, now)
            if verified:
                await verify_phone(uow, citizen, now)
            poll = await polls.get_poll(uow, poll_id)
            option = next(o.id for o in poll.options if o.label == label)
            await polls.toggle_choice(
                uow, poll_id=poll_id, citizen_id=citizen.id, option_id=option, now=now
            )

    in_db(database_url, work)


def test_poll_create_stores_combined_eligibility_and_show_and_list_say_it(admin):
    out, _err = admin(
        "poll", "create", "--question", "Park?", "--option", "Yes", "--option", "No",
        "--eligible", "verified", "--eligible", "district:zarichchia,rotok", "--json",
    )  # fmt: skip
    created = json.loads(out)
    assert created["eligible"] == ["verified", "district:zarichchia,rotok"]
    shown, _err = admin("campaign", "show", str(created["id"]))
    assert "Who may take part: verified residents of: Zarichchia, Rotok" in shown
    listed, _err = admin("campaign", "list")
    assert "verified residents" in listed
    assert json.loads(admin("campaign", "list", "--json")[0])[0]["eligible"] == created["eligible"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("district:atlantis", "--eligible: unknown district 'atlantis'; districts: center,"),
        ("district:city", "--eligible: unknown district 'city'"),
        ("district:", "name at least one district"),
        ("everyone-please", "use verified and/or district:CODE,CODE"),
    ],
)
def test_bad_eligibility_is_one_line_exit_2_and_creates_nothing(admin, value, message):
    _out, err = admin(
        "poll", "create", "--question", "Q?", "--option", "A", "--option", "B",
        "--eligible", value, expect=2,
    )  # fmt: skip
    assert err.startswith("spilno-admin: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert json.loads(admin("campaign", "list", "--json")[0]) == []


def test_idea_calls_take_eligible_too(admin):
    out, _err = admin(
        "idea-call", "create", "--title", "Ideas for Rotok", "--closes", "2099-01-01T10:00",
        "--eligible", "district:rotok", "--json",
    )  # fmt: skip
    assert json.loads(out)["eligible"] == ["district:rotok"]


@pytest.mark.parametrize("kind", ["consultation", "contest"])
def test_campaign_files_take_eligible_and_name_the_line_of_a_bad_one(admin, tmp_path, kind):
    text = example_yaml(f"{kind}.yaml", start=soon())
    good = tmp_path / "good.yaml"
    good.write_text(text + "eligible: [verified, 'district:hayok']\n", encoding="utf-8")
    out, _err = admin(kind, "create", "--file", str(good), "--json")
    shown = json.loads(admin("campaign", "show", str(json.loads(out)["id"]), "--json")[0])
    assert shown["eligible"] == ["verified", "district:hayok"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(text + "eligible: district:moon\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    _out, err = admin(kind, "create", "--file", str(bad), expect=2)
    assert err.strip() == (
        f"spilno-admin: {bad}:{line}: eligible: unknown district 'moon'; "
        "districts: center, zarichchia, rotok, hayok, pishchanyi"
    )


def test_results_by_district_and_by_verification_in_every_format(admin, database_url, tmp_path):
    out, _err = admin(
        "poll", "create", "--question", "Bridge?", "--option", "Yes", "--option", "No"
    )
    poll_id = int(out)
    admin("campaign", "open", str(poll_id))
    vote(
        database_url,
        poll_id,
        [
            ("a", "zarichchia", True, "Yes"),
            ("b", "zarichchia", False, "No"),
            ("c", "rotok", False, "Yes"),
            ("d", None, False, "No"),
        ],
    )
    data = json.loads(
        admin("campaign", "results", str(poll_id), "--by", "district", "--format", "json")[0]
    )
    groups = {g["group"]: g for g in data["groups"]}
    assert data["by"] == "district" and data["total"]["voters"] == 4
    assert [o["votes"] for o in groups["zarichchia"]["options"]] == [1, 1]
    assert groups[None]["label"] == "not set" and groups[None]["voters"] == 1
    assert groups["hayok"]["voters"] == 0

    rows = list(
        csv.reader(
            io.StringIO(
                admin("campaign", "results", str(poll_id), "--by", "district", "--format", "csv")[0]
            )
        )
    )
    assert rows[0] == ["district", "voters", "option_id", "option", "votes", "percent"]
    not_set = [r for r in rows if r[0] == "not_set"]
    assert [(r[1], r[3], r[4], r[5]) for r in not_set] == [
        ("1", "Yes", "0", "0.0"),
        ("1", "No", "1", "100.0"),
    ]
    assert rows[-1][0] == "total"

    table, _err = admin("campaign", "results", str(poll_id), "--by", "district")
    assert "Zarichchia" in table and "not set" in table and "Whole city" in table

    by_level = json.loads(
        admin("campaign", "results", str(poll_id), "--by", "verification", "--format", "json")[0]
    )
    assert {g["group"]: g["voters"] for g in by_level["groups"]} == {"phone": 1, "none": 3}

    admin(
        "campaign",
        "results",
        str(poll_id),
        "--by",
        "district",
        "--format",
        "png",
        "--output",
        str(tmp_path / "d.png"),
    )
    charts = sorted(p.name for p in tmp_path.glob("d-*.png"))
    assert len(charts) == 6 and (tmp_path / "d-1.png").read_bytes().startswith(b"\x89PNG")

    _out, err = admin("campaign", "results", str(poll_id), "--by", "street", expect=2)
    assert "--by must be one of: district, verification" in err


def test_by_is_refused_for_a_kind_without_a_breakdown(admin):
    out, _err = admin("idea-call", "create", "--title", "Ideas", "--closes", "2099-01-01T10:00")
    _out, err = admin("campaign", "results", out.strip(), "--by", "district", expect=2)
    assert err.strip() == (
        f"spilno-admin: campaign {out.strip()} is idea call: it has no tally to break down"
        " (--by works for polls, contests and consultations)"
    )
