"""Results by district and by verification, and the results push with each participant's own
district, on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from core.campaigns import results
from core.campaigns import service as campaigns
from core.campaigns.breakdown import Breakdown
from core.citizens import home_district as homes
from core.polls import service as polls
from tests.dialogs import verify_phone
from tests.integration.test_outbox import claim_all, resident


async def vote(app, citizen_id: int, poll_id: int, option_id: int) -> None:
    async with app.uow_factory() as uow:
        await polls.toggle_choice(
            uow, poll_id=poll_id, citizen_id=citizen_id, option_id=option_id, now=app.clock()
        )
        await uow.commit()


async def voter(app, name: str, *, district: str | None = None, verified: bool = False) -> int:
    citizen_id = await resident(app, name, locale="en")
    async with app.uow_factory() as uow:
        citizen = await uow.citizens.get(citizen_id)
        if district:
            await homes.set_home_district(uow, citizen, district, app.clock())
        if verified:
            await verify_phone(uow, citizen, app.clock())
        await uow.commit()
    return citizen_id


async def voted_poll(app):
    """Zarichchia 2×A 1×B, Rotok 1×B, no district 1×A: the city 60 % A, 40 % B."""
    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow, question="Square?", options=["Alpha", "Beta"], actor="m", now=app.clock()
        )
        await campaigns.open_campaign(uow, poll.id, actor="m", now=app.clock())
        await uow.commit()
    a, b = (o.id for o in poll.options)
    voters = {
        "z1": ("zarichchia", True, a),
        "z2": ("zarichchia", False, a),
        "z3": ("zarichchia", False, b),
        "r1": ("rotok", True, b),
        "n1": (None, False, a),
    }
    ids = {}
    for name, (district, verified, option) in voters.items():
        ids[name] = await voter(app, name, district=district, verified=verified)
        await vote(app, ids[name], poll.id, option)
    await voter(app, "h1", district="hayok")  # lives in Hayok, did not vote
    return poll, ids


async def test_the_tally_breaks_down_by_home_district_with_not_set_as_its_own_row(app):
    poll, _ids = await voted_poll(app)
    a, b = (o.id for o in poll.options)
    async with app.uow_factory() as uow:
        raw = await uow.ballots.tally_by(poll.id, Breakdown.DISTRICT)
        breakdown = await results.poll_results_by(uow, poll.id, Breakdown.DISTRICT, now=app.clock())
    assert raw == {"zarichchia": ({a: 2, b: 1}, 3), "rotok": ({b: 1}, 1), None: ({a: 1}, 1)}
    rows = {
        g.key: (g.results.voters, [o.percent for o in g.results.options]) for g in breakdown.groups
    }
    assert list(rows) == ["center", "zarichchia", "rotok", "hayok", "pishchanyi", None]
    assert rows["zarichchia"] == (3, [66.7, 33.3])
    assert rows["hayok"] == (0, [0.0, 0.0])  # a district nobody voted from is still a row
    assert rows[None] == (1, [100.0, 0.0])
    assert (breakdown.whole.voters, [o.percent for o in breakdown.whole.options]) == (
        5,
        [60.0, 40.0],
    )


async def test_the_tally_breaks_down_by_verification(app):
    poll, _ids = await voted_poll(app)
    async with app.uow_factory() as uow:
        breakdown = await results.poll_results_by(
            uow, poll.id, Breakdown.VERIFICATION, now=app.clock()
        )
    rows = {g.key: [o.votes for o in g.results.options] for g in breakdown.groups}
    assert rows == {"phone": [1, 1], "none": [2, 1]}


async def test_each_participant_gets_their_districts_result_next_to_the_citys(app):
    poll, _ids = await voted_poll(app)
    async with app.uow_factory() as uow:
        await uow.campaigns.set_delivery(poll.id, audience=None, reminders="", send_results=True)
        await campaigns.close_campaign(uow, poll.id, actor="m", now=app.clock())
        await uow.commit()
    claimed, payloads = await claim_all(app)
    texts = {m.external_id: payloads[m.broadcast_id]["en"]["text"] for m in claimed}
    assert set(texts) == {"z1", "z2", "z3", "r1", "n1"}  # participants only, each once
    assert "Your district, Zarichchia: 66.7% for “Alpha”; the whole city: 60%." in texts["z1"]
    assert texts["z1"] == texts["z2"] == texts["z3"]
    assert "Your district, Rotok: 0% for “Alpha”; the whole city: 60%." in texts["r1"]
    assert "Your district" not in texts["n1"] and "is closed" in texts["n1"]
