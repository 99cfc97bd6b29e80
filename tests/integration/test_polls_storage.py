"""Polls on a real database (SQLite and PostgreSQL): one person, one vote, under concurrency."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import insert

from bot.dialogs import Dialogs
from bot.ui import Incoming, IncomingKind, encode_payload
from core.campaigns import results
from core.campaigns import service as campaigns
from core.campaigns.model import CampaignStatus
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.kernel.unit_of_work import ConflictError
from core.polls import service as polls
from core.polls.tables import BallotRow
from core.scheduling.jobs import sweep_campaigns
from core.storage.db import create_session_factory


async def open_poll(app, **kwargs):
    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Which park first?",
            options=["North", "South", "East"],
            actor="mayor",
            now=app.clock(),
            **kwargs,
        )
        await campaigns.open_campaign(uow, poll.id, actor="mayor", now=app.clock())
        await uow.commit()
    return poll


async def new_citizen(app, name: str) -> int:
    async with app.uow_factory() as uow:
        citizen, _ = await citizens.resolve_citizen(uow, IdentityRef("test", name), app.clock())
        await uow.commit()
    return citizen.id


async def tally(app, poll_id):
    async with app.uow_factory() as uow:
        return await results.poll_results(uow, poll_id, now=app.clock(), for_official=True)


async def test_a_vote_is_stored_changed_and_counted_once(app):
    poll = await open_poll(app)
    citizen = await new_citizen(app, "a")
    north, south, _ = (o.id for o in poll.options)
    for option in (north, south):
        async with app.uow_factory() as uow:
            await polls.toggle_choice(
                uow, poll_id=poll.id, citizen_id=citizen, option_id=option, now=app.clock()
            )
            await uow.commit()
    outcome = await tally(app, poll.id)
    assert outcome.voters == 1
    assert [r.votes for r in outcome.options] == [0, 1, 0]


async def test_the_database_itself_refuses_a_second_ballot(app):
    poll = await open_poll(app)
    citizen = await new_citizen(app, "a")
    session_factory = create_session_factory(app.engine)
    row = {
        "campaign_id": poll.id,
        "citizen_id": citizen,
        "created_at": app.clock(),
        "updated_at": app.clock(),
    }
    async with session_factory() as session:
        await session.execute(insert(BallotRow).values(**row))
        await session.commit()
    with pytest.raises(Exception, match=r"(?i)unique"):
        async with session_factory() as session:
            await session.execute(insert(BallotRow).values(**row))
            await session.commit()


async def test_a_concurrent_double_tap_counts_one_vote(app):
    poll = await open_poll(app)
    citizen = await new_citizen(app, "a")

    async def tap(option_id: int) -> None:
        for _attempt in range(5):
            try:
                async with app.uow_factory() as uow:
                    await polls.toggle_choice(
                        uow,
                        poll_id=poll.id,
                        citizen_id=citizen,
                        option_id=option_id,
                        now=app.clock(),
                    )
                    await uow.commit()
                return
            except ConflictError:
                await asyncio.sleep(0.01)

    await asyncio.gather(*(tap(poll.options[i % 3].id) for i in range(12)))
    outcome = await tally(app, poll.id)
    assert outcome.voters == 1
    assert sum(r.votes for r in outcome.options) == 1


async def test_concurrent_taps_never_exceed_the_multiple_choice_maximum(app):
    poll = await open_poll(app, max_choices=2)
    citizen = await new_citizen(app, "a")

    async def tap(option_id: int) -> None:
        try:
            async with app.uow_factory() as uow:
                await polls.toggle_choice(
                    uow, poll_id=poll.id, citizen_id=citizen, option_id=option_id, now=app.clock()
                )
                await uow.commit()
        except Exception:  # the refused third choice
            pass

    await asyncio.gather(*(tap(o.id) for o in poll.options))
    async with app.uow_factory() as uow:
        assert len(await polls.my_choices(uow, poll.id, citizen)) <= 2


async def test_a_redelivered_update_is_processed_once_even_concurrently(app):
    poll = await open_poll(app)
    dialogs = Dialogs(app.uow_factory, clock=app.clock, default_locale="en")
    identity = IdentityRef("telegram", "777")
    await dialogs.handle(Incoming(identity, IncomingKind.COMMAND, text="start", update_id="1"))
    await dialogs.handle(
        Incoming(
            identity, IncomingKind.BUTTON, payload=encode_payload("setlang", "en"), update_id="2"
        )
    )
    vote = Incoming(
        identity,
        IncomingKind.BUTTON,
        payload=encode_payload("vote", poll.id, poll.options[0].id),
        update_id="3",
    )
    answers = await asyncio.gather(*(dialogs.handle(vote) for _ in range(5)))
    assert sum(1 for a in answers if a) == 1
    assert (await tally(app, poll.id)).voters == 1


async def test_a_new_residents_simultaneous_first_messages_create_one_citizen(app):
    dialogs = Dialogs(app.uow_factory, clock=app.clock, default_locale="uk")
    identity = IdentityRef("viber", "new-person")
    await asyncio.gather(
        *(
            dialogs.handle(Incoming(identity, IncomingKind.TEXT, text="hi", update_id=str(i)))
            for i in range(4)
        )
    )
    async with app.uow_factory() as uow:
        assert await uow.citizens.get_by_identity(identity) is not None


async def test_scheduled_poll_opens_and_closes_by_sweep_once(app, clock):
    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Q?",
            options=["A", "B"],
            actor="m",
            now=clock(),
            opens_at=clock() + timedelta(minutes=10),
            closes_at=clock() + timedelta(hours=1),
        )
        await uow.commit()
    clock.advance(minutes=10)
    first, second = await asyncio.gather(
        sweep_campaigns(app.uow_factory, clock), sweep_campaigns(app.uow_factory, clock)
    )
    assert sorted(first[0] + second[0]) == [poll.id]
    clock.advance(hours=1)
    assert await sweep_campaigns(app.uow_factory, clock) == ([], [poll.id])
    async with app.uow_factory() as uow:
        assert (await uow.campaigns.get(poll.id)).status == CampaignStatus.CLOSED
        actions = [e.action for e in await uow.audit.list()]
    assert actions.count("campaign.open") == 1 and actions.count("campaign.close") == 1


async def test_unreachable_identity_is_reopted_in_by_any_message(app):
    dialogs = Dialogs(app.uow_factory, clock=app.clock, default_locale="uk")
    identity = IdentityRef("telegram", "42")
    await dialogs.handle(Incoming(identity, IncomingKind.COMMAND, text="start", update_id="1"))
    async with app.uow_factory() as uow:
        assert await citizens.mark_unreachable(uow, identity)
        await uow.commit()
    async with app.uow_factory() as uow:
        assert await uow.citizens.is_reachable(identity) is False
    await dialogs.handle(Incoming(identity, IncomingKind.TEXT, text="back", update_id="2"))
    async with app.uow_factory() as uow:
        assert await uow.citizens.is_reachable(identity) is True


async def test_claiming_an_update_also_finds_its_sender_once(app):
    ref = IdentityRef("telegram", "4242")
    now = app.clock()
    async with app.uow_factory() as uow:
        assert await uow.citizens.claim_update_and_find(ref, "u1", now) == (True, None)
        await uow.commit()
    citizen_id = await new_citizen(app, "ignored")  # someone else: must not be found for ref
    async with app.uow_factory() as uow:
        await citizens.register_unless_found(uow, ref, None, now)
        await citizens.mark_unreachable(uow, ref)
        await uow.commit()
    async with app.uow_factory() as uow:
        first, found = await uow.citizens.claim_update_and_find(ref, "u1", now)
        assert first is False  # a redelivery
        assert found is not None and found[0].id != citizen_id and found[1] is False
        first, found = await uow.citizens.claim_update_and_find(ref, "u2", now)
        assert first is True and found is not None and found[1] is False
        await uow.rollback()
    async with app.uow_factory() as uow:  # rolled back: "u2" was not remembered
        assert (await uow.citizens.claim_update_and_find(ref, "u2", now))[0] is True


async def test_replacing_choices_keeps_exactly_the_new_ones(app):
    poll = await open_poll(app, max_choices=3)
    citizen = await new_citizen(app, "a")
    north, south, east = (o.id for o in poll.options)
    for wanted in ({north}, {south, east}, {east, north}, set(), {south}):
        async with app.uow_factory() as uow:
            ballot = await uow.ballots.lock_ballot(poll.id, citizen, app.clock())
            await uow.ballots.replace_choices(ballot, poll.id, frozenset(wanted))
            await uow.commit()
        async with app.uow_factory() as uow:
            assert await polls.my_choices(uow, poll.id, citizen) == frozenset(wanted)
