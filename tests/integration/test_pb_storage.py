"""Participatory budgets on SQLite and PostgreSQL: the whole run through the sweeps, two taps
at once that would overflow a knapsack ballot, and two residents' ballots merging into one
person's (the ballot submitted first stands)."""

from __future__ import annotations

import asyncio
import contextlib

from core.citizens.merge import merge_citizens
from core.kernel.unit_of_work import ConflictError
from core.pb import service as pbs
from core.pb.model import CITY_POT, OverBudgetError, PbPhase, Progress
from core.pb.ports import PBS
from tests.pb import create, pots, proposed, resident, to_phase, vote


async def test_a_pb_runs_to_winners_and_a_milestone(app):
    factory, clock = app.uow_factory, app.clock
    pb = await create(factory, clock, pots=pots(city=1_000, rotok=300))
    author = await resident(factory, clock, "author", district="rotok")
    voters = [await resident(factory, clock, f"v{i}", district="rotok") for i in range(3)]
    await to_phase(factory, clock, pb, 0.1)
    a = await proposed(factory, clock, pb, author, "A", 600)
    b = await proposed(factory, clock, pb, author, "B", 500)
    c = await proposed(factory, clock, pb, author, "C", 300)
    local = await proposed(factory, clock, pb, author, "Local", 300, pot="rotok")
    await to_phase(factory, clock, pb, 2.5)
    await vote(factory, clock, voters[0], a, c)
    await vote(factory, clock, voters[1], b, c)
    await vote(factory, clock, voters[2], b)
    await vote(factory, clock, voters[2], local)
    await to_phase(factory, clock, pb, 4.5)
    async with factory() as uow:
        outcome = await pbs.results(uow, pb.id, now=clock())
        city, district = outcome.pots
        assert [(r.project.id, r.votes) for r in city.ranked] == [
            (c.id, 2),
            (b.id, 2),
            (a.id, 1),
        ]  # a tie: the cheaper first
        assert {w.project.id for w in outcome.winners()} == {b.id, c.id, local.id}
        assert outcome.voters == 3 and district.voters == 1
        assert (await pbs.get_pb(uow, pb.id)).phase == PbPhase.IMPLEMENTATION
        await pbs.add_milestone(
            uow, b.id, status=Progress.DONE, text="Готово", image=None, actor="m", now=clock()
        )
        await uow.commit()
    async with factory() as uow:
        assert [m.text for m in await pbs.milestones(uow, b.id)] == ["Готово"]
        assert (await pbs.get_project(uow, b.id)).progress == Progress.DONE


async def test_taps_at_once_that_would_overflow_the_budget_leave_a_valid_ballot(app):
    factory, clock = app.uow_factory, app.clock
    pb = await create(factory, clock, pots=pots(city=1_000))
    author, voter = await resident(factory, clock, "a"), await resident(factory, clock, "v")
    await to_phase(factory, clock, pb, 0.1)
    projects = [await proposed(factory, clock, pb, author, f"P{i}", 400) for i in range(6)]
    await to_phase(factory, clock, pb, 2.5)

    async def tap(project_id: int) -> str:
        try:
            async with factory() as uow:
                await pbs.choose(uow, project_id=project_id, citizen_id=voter, now=clock())
                await uow.commit()
            return "added"
        except OverBudgetError:
            return "over"
        except ConflictError:  # the first insert of the ballot row raced on SQLite
            return "retry"

    outcomes = await asyncio.gather(*(tap(p.id) for p in projects))
    async with factory() as uow:
        ballot = await pbs.ballot(uow, pb.id, voter, CITY_POT)
    assert ballot.total <= 1_000, outcomes
    assert len(ballot.chosen) == outcomes.count("added") == 2, outcomes


async def test_merging_two_residents_keeps_the_ballot_submitted_first(app):
    factory, clock = app.uow_factory, app.clock
    pb = await create(factory, clock, pots=pots(city=1_000))
    author = await resident(factory, clock, "a")
    older, newer = await resident(factory, clock, "older"), await resident(factory, clock, "newer")
    await to_phase(factory, clock, pb, 0.1)
    first = await proposed(factory, clock, pb, author, "First", 400)
    second = await proposed(factory, clock, pb, author, "Second", 400)
    await to_phase(factory, clock, pb, 2.5)
    await vote(factory, clock, newer, first)  # submitted first, by the one merged away
    clock.advance(minutes=5)
    await vote(factory, clock, older, second)
    async with factory() as uow:
        outcome = await merge_citizens(uow, older, newer, actor="test", reason="test", now=clock())
        await uow.commit()
    assert outcome is not None
    async with factory() as uow:
        ballot = await pbs.ballot(uow, pb.id, older, CITY_POT)
        assert ballot.cast == {first.id}
        assert await uow.repository(pbs.PBS).voters(pb.id) == 1
        with contextlib.suppress(Exception):
            await uow.rollback()


async def test_upgrading_a_database_with_pb_ballots_adds_receipts(app):
    """0016_pb_receipts only adds a column: a ballot submitted before it still counts, without
    a receipt, and its voter gets one on the next submission."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from core.storage.migrate import alembic_config, current_revision, head_revision, upgrade

    factory, clock = app.uow_factory, app.clock
    pb = await create(factory, clock, pots=pots(city=1_000))
    author, voter = await resident(factory, clock, "author"), await resident(factory, clock, "v")
    await to_phase(factory, clock, pb, 0.1)
    a = await proposed(factory, clock, pb, author, "A", 600)
    await to_phase(factory, clock, pb, 2.5)
    await vote(factory, clock, voter, a)
    previous = ScriptDirectory.from_config(alembic_config()).get_revision("0016_pb_receipts")

    def downgrade(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, previous.down_revision)

    async with app.engine.begin() as conn:
        await conn.run_sync(downgrade)
    await upgrade(app.engine)
    assert await current_revision(app.engine) == head_revision()
    async with factory() as uow:
        before = await pbs.ballot(uow, pb.id, voter, CITY_POT)
        assert await uow.repository(PBS).tally(pb.id) == {a.id: 1}
    assert before.submitted and before.cast == {a.id} and before.receipt is None
    await vote(factory, clock, voter, a)
    async with factory() as uow:
        assert (await pbs.ballot(uow, pb.id, voter, CITY_POT)).receipt is not None
