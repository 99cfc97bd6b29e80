"""Contests' and consultations' results per group of participants, and the district line in
their results pushes, on a real database (SQLite and PostgreSQL). Polls: test_eligibility_storage.
"""

from __future__ import annotations

from core.campaigns import service as campaigns
from core.campaigns.breakdown import Breakdown
from core.consultations import service as consultations
from core.contests import service as contests
from core.scheduling.jobs import sweep_campaigns, sweep_phases
from tests.integration.test_consultations_contests_storage import (
    enter,
    in_uow,
    open_consultation,
    start_contest,
    vote,
)
from tests.integration.test_eligibility_storage import voter
from tests.integration.test_outbox import claim_all


async def voted_contest(app, clock):
    """Entries A, B, C; Zarichchia's two voters give A, B and A; Rotok's B; one without a
    district A and C: the city's 6 votes are A 3 (50%), B 2, C 1; Zarichchia's A 2 of 3."""
    contest = await start_contest(
        app, premoderation=False, votes_per_resident=2, winners=1, send_results=True
    )
    clock.advance(minutes=5)
    await sweep_campaigns(app.uow_factory, clock)
    authors = [await voter(app, f"author{i}") for i in range(3)]
    a, b, c = [await enter(app, contest, x, t) for x, t in zip(authors, "ABC", strict=True)]
    clock.advance(days=1, hours=1)
    await sweep_phases(app.uow_factory, clock)
    ballots = {
        "z1": ("zarichchia", True, [a, b]),
        "z2": ("zarichchia", False, [a]),
        "r1": ("rotok", True, [b]),
        "n1": (None, False, [a, c]),
    }
    ids = {}
    for name, (district, verified, entries) in ballots.items():
        ids[name] = await voter(app, name, district=district, verified=verified)
        for entry in entries:
            await vote(app, entry.id, ids[name])
    await voter(app, "h1", district="hayok")  # lives in Hayok, took no part
    return contest, (a, b, c), ids


async def test_a_contests_votes_break_down_by_home_district_and_by_verification(app, clock):
    contest, (a, b, c), _ids = await voted_contest(app, clock)
    async with app.uow_factory() as uow:
        raw = await uow.contests.tally_by(contest.id, Breakdown.DISTRICT)
        by_district = await contests.results_by(uow, contest.id, Breakdown.DISTRICT)
        by_level = await contests.results_by(uow, contest.id, Breakdown.VERIFICATION)
        whole = await contests.results(uow, contest.id, now=app.clock(), for_official=True)
    assert raw == {
        "zarichchia": ({a.id: 2, b.id: 1}, 2),
        "rotok": ({b.id: 1}, 1),
        None: ({a.id: 1, c.id: 1}, 1),
    }
    groups = {g.key: g for g in by_district.groups}
    assert list(groups) == ["center", "zarichchia", "rotok", "hayok", "pishchanyi", None]
    assert [(r.entry.title, r.votes, r.percent) for r in groups["zarichchia"].results.ranked] == [
        ("A", 2, 66.7),
        ("B", 1, 33.3),
        ("C", 0, 0.0),
    ]
    assert groups["zarichchia"].counted == 2
    assert (groups["hayok"].counted, [r.votes for r in groups["hayok"].results.ranked]) == (
        0,
        [0, 0, 0],
    )
    # The whole city is the contest's own results, winners and all.
    assert by_district.whole == whole
    assert [(r.entry.title, r.votes, r.winner) for r in whole.ranked] == [
        ("A", 3, True),
        ("B", 2, False),
        ("C", 1, False),
    ]
    levels = {g.key: {r.entry.title: r.votes for r in g.results.ranked} for g in by_level.groups}
    assert levels == {"phone": {"A": 1, "B": 2, "C": 0}, "none": {"A": 2, "B": 0, "C": 1}}
    assert [g.counted for g in by_level.groups] == [2, 2]


async def answer(app, consultation, name, *, district=None, verified=False, visits, priorities):
    """One resident's submitted response: `visits` (single), `priorities` (multiple)."""
    citizen = await voter(app, name, district=district, verified=verified)
    q = {question.key: question.id for question in consultation.questions}
    mine = {"consultation_id": consultation.id, "citizen_id": citizen, "now": app.clock()}

    async def choose(key: str, value: int):
        await in_uow(app, consultations.choose_option, question_id=q[key], value=value, **mine)

    await choose("visits", visits)
    if visits != 0:
        await in_uow(
            app, consultations.answer_text, question_id=q["why_not"], text="Далеко", **mine
        )
    for value in priorities:
        await choose("priorities", value)
    await in_uow(app, consultations.next_question, question_id=q["priorities"], **mine)
    await choose("satisfaction", 4 if district == "zarichchia" else 2)
    await in_uow(app, consultations.submit, **mine)
    return citizen


async def answered_consultation(app):
    """Visits: Zarichchia 2× weekly (0), 1× monthly (1); Rotok monthly; no district monthly.
    The city: monthly leads with 3 of 5 (60%); Zarichchia 1 of 3 (33.3%) monthly."""
    consultation = await open_consultation(app)
    ids = {
        "z1": await answer(app, consultation, "z1", district="zarichchia", verified=True,
                           visits=0, priorities=[0, 1]),
        "z2": await answer(app, consultation, "z2", district="zarichchia", visits=0,
                           priorities=[1]),
        "z3": await answer(app, consultation, "z3", district="zarichchia", visits=1,
                           priorities=[1]),
        "r1": await answer(app, consultation, "r1", district="rotok", visits=1, priorities=[2]),
        "n1": await answer(app, consultation, "n1", visits=1, priorities=[0]),
    }  # fmt: skip
    return consultation, ids


async def test_a_consultations_answers_break_down_per_question_and_option(app):
    consultation, _ids = await answered_consultation(app)
    q = {question.key: question.id for question in consultation.questions}
    async with app.uow_factory() as uow:
        raw = await uow.consultations.tally_by(consultation.id, Breakdown.DISTRICT)
        breakdown = await consultations.results_by(uow, consultation.id, Breakdown.DISTRICT)
        by_level = await consultations.results_by(uow, consultation.id, Breakdown.VERIFICATION)
        whole = await consultations.results(
            uow, consultation.id, now=app.clock(), for_official=True
        )
    rotok_rows, rotok_submitted = raw["rotok"]
    assert rotok_submitted == 1
    assert sorted(rotok_rows) == sorted(
        [(q["visits"], 1, 1), (q["why_not"], None, 1), (q["priorities"], 0b100, 1),
         (q["satisfaction"], 2, 1)]
    )  # fmt: skip
    assert set(raw) == {"zarichchia", "rotok", None}
    groups = {g.key: g for g in breakdown.groups}
    assert list(groups) == ["center", "zarichchia", "rotok", "hayok", "pishchanyi", None]
    zarichchia = {row.question.key: row for row in groups["zarichchia"].results.questions}
    assert groups["zarichchia"].counted == 3
    assert [(c.count, c.percent) for c in zarichchia["visits"].choices] == [
        (2, 66.7),
        (1, 33.3),
        (0, 0.0),
        (0, 0.0),
    ]
    # Multiple choice: each option's share of those who answered (they add up past 100%).
    assert [c.count for c in zarichchia["priorities"].choices] == [1, 3, 0, 0, 0]
    assert zarichchia["satisfaction"].average == 4.0
    assert zarichchia["why_not"].respondents == 1  # free text: how many answered
    assert groups["hayok"].counted == 0
    assert all(row.respondents == 0 for row in groups["hayok"].results.questions)
    assert breakdown.whole == whole and whole.submissions == 5
    assert [g.counted for g in by_level.groups] == [1, 4]


async def test_the_contests_winners_push_gives_each_participant_their_districts_line(app, clock):
    contest, _entries, _ids = await voted_contest(app, clock)
    clock.advance(days=1)
    await sweep_campaigns(app.uow_factory, clock)
    await sweep_phases(app.uow_factory, clock)
    await sweep_phases(app.uow_factory, clock)  # a repeated sweep sends nothing again
    async with app.uow_factory() as uow:
        assert (await contests.get_contest(uow, contest.id)).phase == "finished"
    claimed, payloads = await claim_all(app)
    texts: dict[str, list[str]] = {}
    for m in claimed:
        texts.setdefault(m.external_id, []).append(payloads[m.broadcast_id]["en"]["text"])
    # Participants (authors and voters) once each; Hayok's resident is a subscriber: no line.
    assert sorted(texts) == ["author0", "author1", "author2", "h1", "n1", "r1", "z1", "z2"]
    assert all(len(t) == 1 for t in texts.values())
    line = "Your district, Zarichchia: 66.7% for “A”; the whole city: 50%."
    assert texts["z1"][0].endswith("\n\n" + line) and texts["z2"] == texts["z1"]
    assert "Winners:\n1. A — 3 votes" in texts["z1"][0]
    assert "Your district, Rotok: 0% for “A”; the whole city: 50%." in texts["r1"][0]
    for name in ("n1", "author0", "h1"):
        assert "Your district" not in texts[name][0] and "is over" in texts[name][0]
    uk = {payloads[m.broadcast_id]["uk"]["text"] for m in claimed if m.external_id == "z1"}
    assert "Ваш район, Заріччя: 66,7% за «A»; усе місто: 50%." in uk.pop()


async def test_the_consultations_results_push_names_the_first_choice_question(app, clock):
    consultation, _ids = await answered_consultation(app)
    async with app.uow_factory() as uow:
        await uow.campaigns.set_delivery(
            consultation.id, audience=None, reminders="", send_results=True
        )
        await campaigns.close_campaign(uow, consultation.id, actor="m", now=app.clock())
        await uow.commit()
    await sweep_phases(app.uow_factory, clock)
    claimed, payloads = await claim_all(app)
    texts = {m.external_id: payloads[m.broadcast_id]["en"]["text"] for m in claimed}
    assert sorted(texts) == ["n1", "r1", "z1", "z2", "z3"]
    question = consultation.questions[0].text
    assert (
        f"On “{question}”, your district, Zarichchia: 33.3% for “Щомісяця”; the whole city: 60%."
        in texts["z1"]
    )
    assert texts["z1"] == texts["z2"] == texts["z3"]
    assert "your district, Rotok: 100% for “Щомісяця”" in texts["r1"]
    assert "your district" not in texts["n1"] and "5 residents took part." in texts["n1"]
    uk = next(payloads[m.broadcast_id]["uk"]["text"] for m in claimed if m.external_id == "z1")
    assert f"На питання «{question}» ваш район, Заріччя: 33,3% за «Щомісяця»; усе місто: 60%." in uk
