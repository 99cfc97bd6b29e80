"""Merging two citizens on SQLite and PostgreSQL: every registry rule, and a merge racing with
votes from both messengers (issue 16)."""

from __future__ import annotations

import asyncio
import itertools

from sqlalchemy import func, insert, select

from bot.dialogs import Dialogs
from bot.ui import Incoming, IncomingKind, encode_payload
from core.audit.tables import AuditRow
from core.campaigns import service as campaigns
from core.citizens import service as citizens
from core.citizens import verification
from core.citizens.merge import merge_citizens
from core.citizens.model import IdentityRef, PhoneProof
from core.citizens.tables import IdentityRow
from core.consultations.tables import ConsultationResponseRow
from core.contests import service as contests
from core.contests.tables import ContestEntryRow, ContestVoteRow
from core.delivery.tables import BroadcastRow, SubscriptionRow
from core.ideas.tables import IdeaCommentRow, IdeaRow, IdeaSupportRow
from core.polls import service as polls
from core.polls.tables import BallotRow
from core.scheduling.jobs import sweep_campaigns, sweep_phases
from tests.integration.test_consultations_contests_storage import (
    answer_all,
    enter,
    in_uow,
    open_consultation,
    start_contest,
)

_updates = itertools.count(1)


async def person(app, ref: IdentityRef) -> int:
    async with app.uow_factory() as uow:
        citizen, _new = await citizens.resolve_citizen(uow, ref, app.clock())
        await uow.commit()
    return citizen.id


async def open_poll(app, question="Which park first?"):
    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow, question=question, options=["North", "South"], actor="m", now=app.clock()
        )
        await campaigns.open_campaign(uow, poll.id, actor="m", now=app.clock())
        await uow.commit()
    return poll


async def vote(app, poll, citizen_id, option_index):
    await in_uow(
        app,
        lambda uow: polls.toggle_choice(
            uow,
            poll_id=poll.id,
            citizen_id=citizen_id,
            option_id=poll.options[option_index].id,
            now=app.clock(),
        ),
    )


async def rows(app, stmt):
    async with app.uow_factory() as uow:
        return (await uow.citizens._session.execute(stmt)).all()  # type: ignore[attr-defined]


async def test_every_rule_of_the_registry(app, clock):
    older = await person(app, IdentityRef("telegram", "1"))
    clock.advance(minutes=1)
    younger = await person(app, IdentityRef("viber", "v1"))
    third = await person(app, IdentityRef("telegram", "3"))

    # Polls: both voted in one (the younger first), only the younger in another.
    both, only = await open_poll(app), await open_poll(app, "Which street?")
    await vote(app, both, younger, 0)
    clock.advance(minutes=1)
    await vote(app, both, older, 1)
    await vote(app, only, younger, 1)

    # Ideas: both supported the third person's idea; the younger commented.
    now = app.clock()
    async with app.uow_factory() as uow:
        session = uow.citizens._session  # type: ignore[attr-defined]
        idea_id = (
            await session.execute(
                insert(IdeaRow)
                .values(
                    code="ID-2026-0001",
                    author_id=third,
                    title="Trees",
                    description="More trees",
                    topic="ecology",
                    district="center",
                    status="published",
                    supports=2,
                    created_at=now,
                    updated_at=now,
                )
                .returning(IdeaRow.id)
            )
        ).scalar_one()
        for citizen in (older, younger):
            await session.execute(
                insert(IdeaSupportRow).values(idea_id=idea_id, citizen_id=citizen, created_at=now)
            )
            await session.execute(
                insert(SubscriptionRow).values(citizen_id=citizen, kind="topic", code="ecology")
            )
        await session.execute(
            insert(IdeaCommentRow).values(
                idea_id=idea_id, author_id=younger, text="Yes!", created_at=now
            )
        )
        await uow.commit()

    # Consultation: the older left a draft, the younger submitted.
    consultation = await open_consultation(app)
    await answer_all(app, consultation, older, submit=False)
    await answer_all(app, consultation, younger)

    # Contest: both entered ("entry 1" each); in voting, three votes of two allowed.
    contest = await start_contest(app, premoderation=False, votes_per_resident=2, winners=1)
    clock.advance(minutes=5)
    await sweep_campaigns(app.uow_factory, clock)
    own = [await enter(app, contest, c, f"Entry {c}") for c in (older, younger)]
    others = [
        await enter(app, contest, await person(app, IdentityRef("t", str(i)))) for i in range(3)
    ]
    clock.advance(days=1, hours=1)
    await sweep_phases(app.uow_factory, clock)
    for voter, entry in ((younger, others[1]), (older, others[0]), (younger, others[2])):
        clock.advance(seconds=1)
        await in_uow(
            app,
            lambda uow, v=voter, e=entry: contests.toggle_vote(
                uow, entry_id=e.id, citizen_id=v, now=app.clock()
            ),
        )

    async with app.uow_factory() as uow:
        outcome = await merge_citizens(
            uow, younger, older, actor="telegram:1", reason="test", now=app.clock()
        )
        await uow.commit()
    assert outcome.survivor.id == older

    assert await rows(app, select(func.count()).select_from(BallotRow)) == [(2,)]
    async with app.uow_factory() as uow:
        assert await uow.ballots.choices(both.id, older) == {both.options[0].id}  # first cast
        assert await uow.ballots.choices(only.id, older) == {only.options[1].id}
    assert [v.campaign_id for v in outcome.report.voided_ballots] == [both.id]

    assert await rows(app, select(IdeaRow.supports).where(IdeaRow.id == idea_id)) == [(1,)]
    assert await rows(app, select(IdeaSupportRow.citizen_id)) == [(older,)]
    assert await rows(app, select(IdeaCommentRow.author_id)) == [(older,)]
    assert await rows(app, select(SubscriptionRow.citizen_id)) == [(older,)]

    responses = await rows(
        app, select(ConsultationResponseRow.citizen_id, ConsultationResponseRow.submitted_at)
    )
    assert len(responses) == 1 and responses[0][0] == older and responses[0][1] is not None

    entries = await rows(
        app,
        select(ContestEntryRow.author_seq)
        .where(ContestEntryRow.id.in_([e.id for e in own]))
        .order_by(ContestEntryRow.author_seq),
    )
    assert entries == [(1,), (2,)]  # both entries kept, numbered apart
    votes = await rows(app, select(ContestVoteRow.entry_id, ContestVoteRow.citizen_id))
    assert sorted(votes) == sorted([(others[1].id, older), (others[0].id, older)])

    assert await rows(app, select(func.count()).select_from(IdentityRow)) == [
        (6,)
    ]  # nobody lost a messenger
    async with app.uow_factory() as uow:
        assert await uow.residents.get(younger) is None
        viber = await uow.citizens.get_by_identity(IdentityRef("viber", "v1"))
    assert viber is not None and viber.id == older


async def test_a_merge_racing_with_votes_from_both_messengers_keeps_one_ballot(app, clock):
    """Both identities vote again and again while the Viber one confirms the merge: whatever
    the interleaving, the person ends with one ballot, on the survivor."""
    dialogs = Dialogs(app.uow_factory, clock=clock, default_locale="en")
    telegram, viber = IdentityRef("telegram", "100"), IdentityRef("viber", "v100")

    async def send(ref, kind, **fields):
        return await dialogs.handle(Incoming(ref, kind, update_id=str(next(_updates)), **fields))

    for ref in (telegram, viber):
        await send(ref, IncomingKind.COMMAND, text="start")
        await send(ref, IncomingKind.BUTTON, payload="setlang:en")
        clock.advance(seconds=1)
    poll = await open_poll(app)
    # Each messenger has voted before the merge.
    for ref, option in ((viber, 0), (telegram, 1)):
        await send(
            ref,
            IncomingKind.BUTTON,
            payload=encode_payload("vote", poll.id, poll.options[option].id),
        )
    # The Viber account proves it is the same person with Telegram's link code.
    shown = await send(telegram, IncomingKind.BUTTON, payload="linkcode")
    code = "\n".join(r.text for r in shown).split("link code: ", 1)[1].split()[0]
    await send(viber, IncomingKind.BUTTON, payload="linkenter")
    asked = await send(viber, IncomingKind.TEXT, text=code)
    assert "Link it with this one?" in "\n".join(r.text for r in asked)

    async def votes(ref, option):
        for _ in range(6):
            payload = encode_payload("vote", poll.id, poll.options[option].id)
            await send(ref, IncomingKind.BUTTON, payload=payload)

    async def confirm():
        await asyncio.sleep(0.005)
        return await send(viber, IncomingKind.BUTTON, payload="linkyes")

    _, _, confirmed, _ = await asyncio.gather(
        votes(telegram, 0), votes(viber, 1), confirm(), votes(telegram, 1)
    )
    assert "accounts are now one" in "\n".join(r.text for r in confirmed)
    async with app.uow_factory() as uow:
        a = await uow.citizens.get_by_identity(telegram)
        b = await uow.citizens.get_by_identity(viber)
    assert a.id == b.id
    ballots = await rows(app, select(BallotRow.citizen_id).where(BallotRow.campaign_id == poll.id))
    assert ballots == [(a.id,)]

    # From now on, a vote from either messenger changes that one ballot.
    await votes(viber, 0)
    await votes(telegram, 1)
    ballots = await rows(app, select(BallotRow.citizen_id).where(BallotRow.campaign_id == poll.id))
    assert ballots == [(a.id,)]


async def test_a_proven_owner_takes_a_number_claimed_elsewhere_in_one_transaction(app):
    """The number moves under its unique constraint (cleared first, then set), the claimer is
    no longer verified, the audit entry and the notice commit with it."""
    claimer = await person(app, IdentityRef("viber", "claimer"))
    owner_id = await person(app, IdentityRef("telegram", "200"))
    async with app.uow_factory() as uow:
        claimed = await uow.residents.get(claimer)
        outcome = await verification.verify_phone(
            uow, claimed, "+380671112233", app.clock(), proof=PhoneProof.CLAIMED
        )
        assert isinstance(outcome, verification.PhoneVerified)
        await uow.commit()
    async with app.uow_factory() as uow:
        owner = await uow.residents.get(owner_id)
        asked = await verification.verify_phone(
            uow, owner, "380671112233", app.clock(), proof=PhoneProof.OWN
        )
        assert isinstance(asked, verification.SamePersonElsewhere) and asked.unproven_holder
        await verification.reassign_phone(
            uow,
            owner,
            claimer,
            asked.phone_hash,
            asked.masked,
            actor="telegram:200",
            now=app.clock(),
        )
        await uow.commit()
    async with app.uow_factory() as uow:
        moved_to, left = await uow.residents.get(owner_id), await uow.residents.get(claimer)
        assert await uow.residents.owner_of_phone(asked.phone_hash) == owner_id
    assert moved_to.verified and moved_to.phone_masked == asked.masked
    assert not left.verified and left.phone_masked is None
    async with app.engine.connect() as conn:
        audited = (
            await conn.execute(
                select(func.count())
                .select_from(AuditRow)
                .where(AuditRow.action == "citizens.phone_reassigned")
            )
        ).scalar_one()
        notices = (
            await conn.execute(
                select(func.count())
                .select_from(BroadcastRow)
                .where(BroadcastRow.kind == "citizens.phone_reassigned")
            )
        ).scalar_one()
    assert (audited, notices) == (1, 1)
