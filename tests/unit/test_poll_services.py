from datetime import timedelta

import pytest

from core.campaigns import results
from core.campaigns import service as campaigns
from core.campaigns.model import CampaignStatus, ResultsVisibility
from core.kernel.errors import (
    CampaignClosedError,
    CampaignNotOpenError,
    InvalidTransitionError,
    ResultsHiddenError,
    TooManyChoicesError,
)
from core.polls import service as polls
from core.scheduling.jobs import sweep_campaigns
from tests.databases import SqliteUnitOfWorkFactory
from tests.fakes.clock import FakeClock
from tests.fakes.resident import registered


@pytest.fixture
def uow_factory(sqlite_uow: SqliteUnitOfWorkFactory) -> SqliteUnitOfWorkFactory:
    return sqlite_uow


async def create_open_poll(factory, clock, **kwargs):
    async with factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Where?",
            options=["Park", "River", "Square"],
            actor="mayor",
            now=clock(),
            **kwargs,
        )
        await campaigns.open_campaign(uow, poll.id, actor="mayor", now=clock())
        await uow.commit()
    return poll


async def test_a_new_poll_without_opening_time_is_a_draft_and_audited(uow_factory):
    clock = FakeClock()
    async with uow_factory() as uow:
        poll = await polls.create_poll(
            uow, question="Q?", options=["A", "B"], actor="mayor", now=clock()
        )
        await uow.commit()
    assert poll.campaign.status == CampaignStatus.DRAFT
    async with uow_factory() as uow:
        trail = list(reversed(await uow.audit.list()))
    assert [(e.actor, e.action) for e in trail] == [("mayor", "poll.create")]


async def test_changing_a_vote_replaces_it_rather_than_adding_one(uow_factory):
    clock = FakeClock()
    poll = await create_open_poll(uow_factory, clock)
    park, river, _square = (o.id for o in poll.options)
    async with uow_factory() as uow:
        voter = await registered(uow, "voter-7", clock())
        await polls.toggle_choice(
            uow, poll_id=poll.id, citizen_id=voter, option_id=park, now=clock()
        )
        await polls.toggle_choice(
            uow, poll_id=poll.id, citizen_id=voter, option_id=river, now=clock()
        )
        outcome = await results.poll_results(uow, poll.id, now=clock())
    assert outcome.voters == 1
    assert {r.label: r.votes for r in outcome.options} == {"Park": 0, "River": 1, "Square": 0}


async def test_multiple_choice_enforces_the_maximum_and_tapping_again_removes(uow_factory):
    clock = FakeClock()
    poll = await create_open_poll(uow_factory, clock, max_choices=2)
    a, b, c = (o.id for o in poll.options)
    async with uow_factory() as uow:
        voter = await registered(uow, "voter-1", clock())
        await uow.commit()

    async def tap(option_id):
        async with uow_factory() as uow:
            outcome = await polls.toggle_choice(
                uow, poll_id=poll.id, citizen_id=voter, option_id=option_id, now=clock()
            )
            await uow.commit()
        return outcome.chosen

    await tap(a)
    assert await tap(b) == frozenset({a, b})
    with pytest.raises(TooManyChoicesError):
        await tap(c)
    assert await tap(a) == frozenset({b}), "the refused tap changed nothing"


async def test_voting_after_the_closing_time_is_refused_even_before_the_sweep(uow_factory):
    clock = FakeClock()
    poll = await create_open_poll(uow_factory, clock, closes_at=clock() + timedelta(hours=1))
    clock.advance(hours=1)
    async with uow_factory() as uow:
        with pytest.raises(CampaignClosedError):
            await polls.cast_vote(
                uow,
                poll_id=poll.id,
                citizen_id=1,
                option_ids=frozenset({poll.options[0].id}),
                now=clock(),
            )


async def test_voting_in_a_draft_is_refused(uow_factory):
    clock = FakeClock()
    async with uow_factory() as uow:
        poll = await polls.create_poll(
            uow, question="Q?", options=["A", "B"], actor="m", now=clock()
        )
        with pytest.raises(CampaignNotOpenError):
            await polls.toggle_choice(
                uow, poll_id=poll.id, citizen_id=1, option_id=poll.options[0].id, now=clock()
            )


async def test_sweeps_open_and_close_on_time_and_are_idempotent(uow_factory):
    clock = FakeClock()
    async with uow_factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Q?",
            options=["A", "B"],
            actor="m",
            now=clock(),
            opens_at=clock() + timedelta(hours=1),
            closes_at=clock() + timedelta(hours=2),
        )
        await uow.commit()
    assert poll.campaign.status == CampaignStatus.SCHEDULED
    assert await sweep_campaigns(uow_factory, clock) == ([], [])
    clock.advance(hours=1)
    assert await sweep_campaigns(uow_factory, clock) == ([poll.id], [])
    assert await sweep_campaigns(uow_factory, clock) == ([], [])
    clock.advance(hours=1)
    assert await sweep_campaigns(uow_factory, clock) == ([], [poll.id])
    async with uow_factory() as uow:
        closed = await uow.campaigns.get(poll.id)
    assert closed is not None and closed.status == CampaignStatus.CLOSED


async def test_transitions_refuse_the_wrong_starting_status(uow_factory):
    clock = FakeClock()
    poll = await create_open_poll(uow_factory, clock)
    async with uow_factory() as uow:
        with pytest.raises(InvalidTransitionError):
            await campaigns.open_campaign(uow, poll.id, actor="m", now=clock())
        await campaigns.close_campaign(uow, poll.id, actor="m", now=clock())
        with pytest.raises(InvalidTransitionError):
            await campaigns.close_campaign(uow, poll.id, actor="m", now=clock())


async def test_residents_see_after_close_results_only_after_close_officials_always(uow_factory):
    clock = FakeClock()
    poll = await create_open_poll(uow_factory, clock, visibility=ResultsVisibility.AFTER_CLOSE)
    async with uow_factory() as uow:
        with pytest.raises(ResultsHiddenError):
            await results.poll_results(uow, poll.id, now=clock())
        assert (
            await results.poll_results(uow, poll.id, now=clock(), for_official=True)
        ).voters == 0
        await campaigns.close_campaign(uow, poll.id, actor="m", now=clock())
        assert (await results.poll_results(uow, poll.id, now=clock())).voters == 0
