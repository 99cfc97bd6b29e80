"""`campaign results ID --by district|verification` for contests and consultations in every
format, and its refusal for kinds without a tally, as officials run it (SQLite and PostgreSQL).
Polls: test_eligibility_cli.py."""

from __future__ import annotations

import csv
import io
import json

import pytest

from core.citizens import home_district as homes
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.consultations import service as consultations
from core.contests import service as contests
from tests.cli import cli_runner, in_db
from tests.dialogs import verify_phone
from tests.examples import write_example
from tests.integration.test_petitions_cli import file as file_petitions


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    """The shared runner as (stdout, stderr), acting as official olha."""
    run = cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olha", mode=cli_mode)

    def outputs(*args: str, expect: int = 0) -> tuple[str, str]:
        done = run(*args, expect=expect)
        return done.stdout, done.stderr

    return outputs


async def someone(uow, now, name, district=None, verified=False):
    citizen, _new = await citizens.resolve_citizen(uow, IdentityRef("test", name), now)
    if district:
        await homes.set_home_district(uow, citizen, district, now)
    if verified:
        await verify_phone(uow, citizen, now)
    return citizen


def contest_with_votes(admin, database_url, tmp_path) -> int:
    """Entries “Сад” and “Лавки” (no premoderation); Zarichchia votes Сад twice, Rotok Лавки,
    one resident without a district Сад: the city 3 for Сад, 1 for Лавки."""
    example = write_example(tmp_path, "contest.yaml")
    example.write_text(
        example.read_text(encoding="utf-8").replace("premoderation: true", "premoderation: false"),
        encoding="utf-8",
    )
    contest_id = json.loads(admin("contest", "create", "--file", str(example), "--json")[0])["id"]
    admin("campaign", "open", str(contest_id))

    async def work(uow, now):
        entries = []
        for name, title in (("a1", "Сад"), ("a2", "Лавки")):
            author = await someone(uow, now, name)
            entries.append(
                await contests.submit_entry(
                    uow,
                    contest_id=contest_id,
                    citizen_id=author.id,
                    title=title,
                    description="Опис",
                    photo_ref=None,
                    now=now,
                )
            )
        contest = await contests.get_contest(uow, contest_id)
        # The scheduler's sweep, run at the file's voting time: the contest moves to voting.
        await contests.advance_phases(uow, contest.voting_opens_at)
        garden, benches = entries
        for name, district, verified, entry in (
            ("z1", "zarichchia", True, garden),
            ("z2", "zarichchia", False, garden),
            ("r1", "rotok", False, benches),
            ("n1", None, False, garden),
        ):
            voter = await someone(uow, now, name, district, verified)
            await contests.toggle_vote(uow, entry_id=entry.id, citizen_id=voter.id, now=now)

    in_db(database_url, work)
    return contest_id


def test_a_contests_votes_by_district_and_verification_in_every_format(
    admin, database_url, tmp_path
):
    contest_id = str(contest_with_votes(admin, database_url, tmp_path))
    data = json.loads(
        admin("campaign", "results", contest_id, "--by", "district", "--format", "json")[0]
    )
    assert (data["kind"], data["by"], data["total"]["voters"]) == ("contest", "district", 4)
    groups = {g["group"]: g for g in data["groups"]}
    assert list(groups) == ["center", "zarichchia", "rotok", "hayok", "pishchanyi", None]
    assert groups["zarichchia"]["voters"] == 2
    assert [(e["title"], e["votes"], e["percent"]) for e in groups["zarichchia"]["entries"]] == [
        ("Сад", 2, 100.0),
        ("Лавки", 0, 0.0),
    ]
    assert (groups[None]["label"], groups[None]["voters"]) == ("not set", 1)
    assert [(e["title"], e["votes"], e["winner"]) for e in data["total"]["entries"]] == [
        ("Сад", 3, True),
        ("Лавки", 1, True),  # the example's top 3 win
    ]

    rows = list(csv.reader(io.StringIO(
        admin("campaign", "results", contest_id, "--by", "district", "--format", "csv")[0]
    )))  # fmt: skip
    assert rows[0] == ["district", "voters", "entry_id", "title", "votes", "percent"]
    assert [(r[0], r[1], r[3], r[4]) for r in rows if r[0] in ("rotok", "not_set", "total")] == [
        ("rotok", "1", "Сад", "0"),
        ("rotok", "1", "Лавки", "1"),
        ("not_set", "1", "Сад", "1"),
        ("not_set", "1", "Лавки", "0"),
        ("total", "4", "Сад", "3"),
        ("total", "4", "Лавки", "1"),
    ]

    table, err = admin("campaign", "results", contest_id, "--by", "district")
    assert "Zarichchia" in table and "not set" in table and "Whole city" in table
    assert "2 (100.0%)" in table and "3 (75.0%)" in table
    assert "Audit log head:" in err

    by_level = json.loads(
        admin("campaign", "results", contest_id, "--by", "verification", "--format", "json")[0]
    )
    assert {g["group"]: g["voters"] for g in by_level["groups"]} == {"phone": 1, "none": 3}
    assert [g["label"] for g in by_level["groups"]] == ["verified (phone)", "not verified"]

    admin("campaign", "results", contest_id, "--by", "district", "--format", "png",
          "--output", str(tmp_path / "c.png"))  # fmt: skip
    charts = sorted(tmp_path.glob("c-*.png"))
    assert len(charts) == 6 and all(c.read_bytes().startswith(b"\x89PNG") for c in charts)

    admin(
        "campaign", "results", contest_id, "--by", "district", "--output", str(tmp_path / "c.json")
    )
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8")) == data


def test_a_consultations_answers_by_district_in_every_format(admin, database_url, tmp_path):
    example = write_example(tmp_path, "consultation.yaml")
    consultation_id = admin("consultation", "create", "--file", str(example))[0].strip()
    admin("campaign", "open", consultation_id)

    async def work(uow, now):
        consultation = await consultations.get_consultation(uow, int(consultation_id))
        q = {question.key: question.id for question in consultation.questions}
        for name, district, visits, priority, score in (
            ("z1", "zarichchia", 0, 1, 5),
            ("z2", "zarichchia", 1, 1, 3),
            ("h1", "hayok", 1, 0, 2),
            ("n1", None, 1, 4, 4),
        ):
            citizen = await someone(uow, now, name, district)
            mine = {"consultation_id": int(consultation_id), "citizen_id": citizen.id, "now": now}
            await consultations.choose_option(uow, question_id=q["visits"], value=visits, **mine)
            if visits:
                await consultations.answer_text(
                    uow, question_id=q["why_not"], text="Далеко", **mine
                )
            await consultations.choose_option(
                uow, question_id=q["priorities"], value=priority, **mine
            )
            await consultations.next_question(uow, question_id=q["priorities"], **mine)
            await consultations.choose_option(
                uow, question_id=q["satisfaction"], value=score, **mine
            )
            await consultations.submit(uow, **mine)

    in_db(database_url, work)
    data = json.loads(
        admin("campaign", "results", consultation_id, "--by", "district", "--format", "json")[0]
    )
    assert (data["kind"], data["total"]["submissions"]) == ("consultation", 4)
    groups = {g["group"]: g for g in data["groups"]}
    zarichchia = {q["key"]: q for q in groups["zarichchia"]["questions"]}
    assert groups["zarichchia"]["submissions"] == 2
    assert [c["count"] for c in zarichchia["visits"]["choices"]] == [1, 1, 0, 0]
    assert zarichchia["priorities"]["choices"][1] == {
        "label": "Лавки",
        "count": 2,
        "percent": 100.0,
    }
    assert zarichchia["satisfaction"]["average"] == 4.0
    assert zarichchia["why_not"]["answers"] == 1 and zarichchia["why_not"]["choices"] == []
    assert groups["center"]["submissions"] == 0 and groups[None]["submissions"] == 1

    rows = list(csv.reader(io.StringIO(
        admin("campaign", "results", consultation_id, "--by", "district", "--format", "csv")[0]
    )))  # fmt: skip
    assert rows[0] == [
        "district", "submissions", "question", "key", "type", "choice", "count", "percent"
    ]  # fmt: skip
    assert ["hayok", "1", "4", "satisfaction", "scale", "2", "1", "100.0"] in rows
    assert ["zarichchia", "2", "2", "why_not", "text", "", "1", ""] in rows
    assert ["total", "4", "3", "priorities", "multiple", "Лавки", "2", "50.0"] in rows

    table, _err = admin("campaign", "results", consultation_id, "--by", "district")
    assert "Submissions" in table and "Average" in table and "Whole city" in table
    assert "Лавки" in table and "2 (100.0%)" in table

    admin("campaign", "results", consultation_id, "--by", "verification", "--format", "png",
          "--output", str(tmp_path / "q.png"))  # fmt: skip
    # Each group's charts: verified, not verified × single, multiple, scale (text has none).
    assert len(sorted(tmp_path.glob("q-*.png"))) == 6


def test_kinds_without_a_tally_refuse_by_with_one_line(admin, database_url, tmp_path):
    pb = json.loads(
        admin("pb", "create", "--file", str(write_example(tmp_path, "pb.yaml")), "--json")[0]
    )["id"]
    (petition,) = file_petitions(database_url, ["Освітлення на вулиці Шевченка"])
    for campaign_id, kind in ((pb, "public budget"), (petition, "petition")):
        _out, err = admin("campaign", "results", str(campaign_id), "--by", "district", expect=2)
        assert err == (
            f"spilno-admin: campaign {campaign_id} is {kind}: it has no tally to break down"
            " (--by works for polls, contests and consultations)\n"
        )
    _out, err = admin("campaign", "results", "999999", "--by", "district", expect=1)
    assert len(err.strip().splitlines()) == 1
