"""A participatory budget through its services on the SQLite template: proposals and review,
knapsack and approval ballots, district pots, phases by the sweep, winners announced, and a
milestone pushed to the project's voters and author."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.delivery.tables import BroadcastRow, OutboxRow
from core.kernel.errors import (
    CampaignClosedError,
    NotEligibleError,
    ResultsHiddenError,
    WrongPhaseError,
)
from core.pb import service as pbs
from core.pb.model import (
    CITY_POT,
    ChoiceLimitError,
    EmptyBallotError,
    OverBudgetError,
    PbPhase,
    PbRule,
    Progress,
    ProjectStatus,
    VotingStyle,
)
from core.pb.ports import PBS
from core.storage.db import create_session_factory
from tests.pb import create, pots, proposed, resident, to_phase, vote


async def broadcasts(factory, kind: str) -> list[tuple[list[int], dict]]:
    """(recipient citizen ids, payloads) of every broadcast of `kind`, oldest first."""
    async with create_session_factory(factory.engine)() as session:
        found = (
            await session.scalars(
                select(BroadcastRow).where(BroadcastRow.kind == kind).order_by(BroadcastRow.id)
            )
        ).all()
        out = []
        for b in found:
            rows = await session.scalars(select(OutboxRow).where(OutboxRow.broadcast_id == b.id))
            out.append((sorted({r.citizen_id for r in rows}), b.payloads))
        return out


async def test_a_pb_runs_from_proposals_to_a_knapsack_vote_winners_and_a_milestone(factory, clock):
    pb = await create(factory, clock, pots=pots(city=1_000), rule=PbRule.GREEDY)
    authors = [await resident(factory, clock, f"author{i}") for i in range(3)]
    voters = [await resident(factory, clock, f"voter{i}") for i in range(4)]
    await to_phase(factory, clock, pb, 0.1)

    park = await proposed(factory, clock, pb, authors[0], "Сквер", 600)
    lights = await proposed(factory, clock, pb, authors[1], "Ліхтарі", 500)
    bench = await proposed(factory, clock, pb, authors[2], "Лавки", 300, accept=False)
    async with factory() as uow:
        await pbs.review_project(
            uow, bench.id, accept=False, reason="Вже заплановано", actor="m", now=clock()
        )
        await uow.commit()
    assert [c for c, _p in await broadcasts(factory, "pb.reviewed")] == [
        [authors[0]],
        [authors[1]],
        [authors[2]],
    ]

    await to_phase(factory, clock, pb, 1.5)  # review
    async with factory() as uow:
        assert (await pbs.get_pb(uow, pb.id)).phase == PbPhase.REVIEW
        with pytest.raises(WrongPhaseError):
            await pbs.choose(uow, project_id=park.id, citizen_id=voters[0], now=clock())
    await to_phase(factory, clock, pb, 2.5)  # voting
    for voter in voters[:3]:
        await vote(factory, clock, voter, park)
    await vote(factory, clock, voters[3], lights)
    async with factory() as uow:
        with pytest.raises(OverBudgetError) as over:
            await pbs.choose(uow, project_id=lights.id, citizen_id=voters[0], now=clock())
        assert over.value.params["over"] == 100
        with pytest.raises(ResultsHiddenError):
            await pbs.results(uow, pb.id, now=clock())

    await to_phase(factory, clock, pb, 3.5)  # voting closed: results, not yet announced
    async with factory() as uow:
        assert (await pbs.get_pb(uow, pb.id)).phase == PbPhase.RESULTS
        with pytest.raises(CampaignClosedError):
            await pbs.choose(uow, project_id=lights.id, citizen_id=voters[0], now=clock())
    assert await broadcasts(factory, "pb.winners") == []

    await to_phase(factory, clock, pb, 4.5)  # announced
    async with factory() as uow:
        outcome = await pbs.results(uow, pb.id, now=clock())
        assert [w.project.id for w in outcome.winners()] == [park.id]
        assert (await pbs.get_project(uow, park.id)).selected is True
        assert (await pbs.get_project(uow, lights.id)).selected is False
    ((recipients, payloads),) = await broadcasts(factory, "pb.winners")
    assert sorted(recipients) == sorted([authors[0], authors[1], authors[2], *voters])
    assert "Сквер" in payloads["uk"]["text"] and "600" in payloads["uk"]["text"]

    async with factory() as uow:
        await pbs.add_milestone(
            uow,
            park.id,
            status=Progress.IN_PROGRESS,
            text="Почали роботи",
            image=b"\x89PNG..",
            actor="m",
            now=clock(),
        )
        await uow.commit()
    ((recipients, payloads),) = await broadcasts(factory, "pb.milestone")
    assert recipients == sorted([authors[0], *voters[:3]])
    assert "Почали роботи" in payloads["en"]["text"] and "image_b64" in payloads["en"]
    async with factory() as uow:
        history = await pbs.milestones(uow, park.id)
        assert [(m.status, m.text, m.has_image) for m in history] == [
            (Progress.IN_PROGRESS, "Почали роботи", True)
        ]
        assert (await pbs.get_project(uow, park.id)).progress == Progress.IN_PROGRESS


async def test_a_ballot_can_change_until_voting_closes_and_only_the_submitted_one_counts(
    factory, clock
):
    pb = await create(factory, clock, pots=pots(city=1_000))
    author, voter = await resident(factory, clock, "a"), await resident(factory, clock, "v")
    await to_phase(factory, clock, pb, 0.1)
    one = await proposed(factory, clock, pb, author, "One", 400)
    two = await proposed(factory, clock, pb, author, "Two", 400)
    await to_phase(factory, clock, pb, 2.5)
    async with factory() as uow:
        with pytest.raises(EmptyBallotError):
            await pbs.submit_ballot(uow, pb_id=pb.id, citizen_id=voter, pot=CITY_POT, now=clock())
    await vote(factory, clock, voter, one)
    async with factory() as uow:
        ballot = await pbs.choose(uow, project_id=two.id, citizen_id=voter, now=clock())
        ballot = await pbs.unchoose(uow, project_id=one.id, citizen_id=voter, now=clock())
        await uow.commit()
    assert ballot.chosen_ids == {two.id} and ballot.cast == {one.id}
    assert ballot.changed_since_submitted
    async with factory() as uow:
        outcome = await pbs.results(uow, pb.id, now=clock(), for_official=True)
        assert {r.project.id: r.votes for r in outcome.pots[0].ranked} == {one.id: 1, two.id: 0}
        ballot = await pbs.submit_ballot(
            uow, pb_id=pb.id, citizen_id=voter, pot=CITY_POT, now=clock()
        )
        await uow.commit()
    assert ballot.cast == {two.id} and not ballot.changed_since_submitted


async def test_approval_pots_limit_projects_and_district_pots_are_for_their_residents(
    factory, clock
):
    pb = await create(factory, clock, pots=pots(city=10_000, style=VotingStyle.APPROVAL, rotok=500))
    author = await resident(factory, clock, "a", district="rotok")
    neighbour = await resident(factory, clock, "n", district="rotok")
    elsewhere = await resident(factory, clock, "e", district="center")
    unverified = await resident(factory, clock, "u", verified=False)
    await to_phase(factory, clock, pb, 0.1)
    async with factory() as uow:
        with pytest.raises(NotEligibleError) as refused:
            await pbs.propose_project(
                uow,
                pb_id=pb.id,
                citizen_id=unverified,
                pot=CITY_POT,
                title="T",
                description="D",
                cost=10,
                photo_ref=None,
                now=clock(),
            )
        assert refused.value.reason == "not_verified"
        with pytest.raises(NotEligibleError) as refused:
            await pbs.propose_project(
                uow,
                pb_id=pb.id,
                citizen_id=elsewhere,
                pot="rotok",
                title="T",
                description="D",
                cost=10,
                photo_ref=None,
                now=clock(),
            )
        assert refused.value.reason == "wrong_district"
    city = [await proposed(factory, clock, pb, author, f"City {i}", 5_000) for i in range(4)]
    local = await proposed(factory, clock, pb, author, "Rotok", 100, pot="rotok")
    await to_phase(factory, clock, pb, 2.5)
    async with factory() as uow:
        for project in city[:3]:  # approval: cost does not matter, the count does
            await pbs.choose(uow, project_id=project.id, citizen_id=neighbour, now=clock())
        with pytest.raises(ChoiceLimitError):
            await pbs.choose(uow, project_id=city[3].id, citizen_id=neighbour, now=clock())
        await pbs.choose(uow, project_id=local.id, citizen_id=neighbour, now=clock())
        with pytest.raises(NotEligibleError):
            await pbs.choose(uow, project_id=local.id, citizen_id=elsewhere, now=clock())


async def test_review_sets_the_cost_on_the_ballot_and_is_closed_once_voting_opens(factory, clock):
    pb = await create(factory, clock)
    author = await resident(factory, clock, "a")
    await to_phase(factory, clock, pb, 0.1)
    project = await proposed(factory, clock, pb, author, "Сквер", 600_000, accept=False)
    async with factory() as uow:
        reviewed = await pbs.review_project(
            uow, project.id, accept=True, cost=750_000, actor="m", now=clock()
        )
        await uow.commit()
    assert (reviewed.status, reviewed.estimate, reviewed.cost) == (
        ProjectStatus.ACCEPTED,
        600_000,
        750_000,
    )
    ((_to, payloads),) = await broadcasts(factory, "pb.reviewed")
    assert "750 000 ₴" in payloads["uk"]["text"].replace("\xa0", " ")
    await to_phase(factory, clock, pb, 2.5)
    async with factory() as uow:
        with pytest.raises(Exception) as closed:
            await pbs.review_project(
                uow, project.id, accept=False, reason="x", actor="m", now=clock()
            )
        assert getattr(closed.value, "reason", "") == "pb_review_closed"


async def test_residents_read_the_published_winners_officials_get_both_rules_computed(
    factory, clock
):
    """A resident's results tap reads what was published (no Method of Equal Shares run per
    tap); officials still get both rules computed, to compare them."""
    pb = await create(factory, clock, pots=pots(city=1_000), rule=PbRule.GREEDY)
    author, voter = await resident(factory, clock, "author"), await resident(factory, clock, "v")
    await to_phase(factory, clock, pb, 0.1)
    park = await proposed(factory, clock, pb, author, "Сквер", 600)
    lights = await proposed(factory, clock, pb, author, "Ліхтарі", 500)
    await to_phase(factory, clock, pb, 2.5)
    await vote(factory, clock, voter, park)
    await to_phase(factory, clock, pb, 4.5)  # announced: park won
    async with factory() as uow:
        # What is stored is what residents are shown, whatever a recomputation would say.
        await uow.repository(PBS).set_selected(pb.id, [lights.id], clock())
        await uow.commit()
    async with factory() as uow:
        shown = await pbs.results(uow, pb.id, now=clock())
        computed = await pbs.results(uow, pb.id, now=clock(), for_official=True)
    assert [w.project.id for w in shown.winners()] == [lights.id]
    assert set(shown.pots[0].winners) == {PbRule.GREEDY}
    assert [w.project.id for w in computed.winners()] == [park.id]
    assert set(computed.pots[0].winners) == set(PbRule)
