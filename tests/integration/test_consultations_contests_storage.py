"""Consultations and contests on SQLite and PostgreSQL: answers kept across units of work,
one submission and one vote per entry under concurrency, limits, phases by sweep."""

import asyncio
import contextlib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.campaigns import service as campaigns
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.consultations import service as consultations
from core.consultations.plan import parse_consultation
from core.contests import service as contests
from core.contests.model import ContestPhase
from core.contests.plan import parse_contest
from core.kernel.errors import (
    AlreadySubmittedError,
    EntryLimitError,
    OwnEntryError,
    VoteLimitError,
    WrongPhaseError,
)
from core.kernel.unit_of_work import ConflictError
from core.scheduling.jobs import sweep_campaigns, sweep_phases

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KYIV = ZoneInfo("Europe/Kyiv")


async def new_citizen(app, name: str) -> int:
    async with app.uow_factory() as uow:
        citizen, _new = await citizens.resolve_citizen(uow, IdentityRef("test", name), app.clock())
        await uow.commit()
    return citizen.id


async def open_consultation(app):
    plan = parse_consultation((EXAMPLES / "consultation.yaml").read_text(), tz=KYIV)
    plan = replace(plan, opens_at=None, closes_at=app.clock() + timedelta(days=3))
    async with app.uow_factory() as uow:
        consultation = await consultations.create_consultation(
            uow, plan, actor="m", now=app.clock()
        )
        await campaigns.open_campaign(uow, consultation.id, actor="m", now=app.clock())
        await uow.commit()
    return consultation


async def in_uow(app, work, *args, **kwargs):
    """`work(uow, *args, **kwargs)` in a unit of work of its own, committed."""
    async with app.uow_factory() as uow:
        result = await work(uow, *args, **kwargs)
        await uow.commit()
    return result


async def answer_all(app, consultation, citizen: int, *, visits: int = 1, submit: bool = True):
    q = {question.key: question.id for question in consultation.questions}
    mine = {"consultation_id": consultation.id, "citizen_id": citizen, "now": app.clock()}

    async def choose(key: str, value: int):
        return await in_uow(
            app, consultations.choose_option, question_id=q[key], value=value, **mine
        )

    async def write(key: str, text: str):
        return await in_uow(app, consultations.answer_text, question_id=q[key], text=text, **mine)

    await choose("visits", visits)
    if visits != 0:
        await write("why_not", "Немає освітлення")
    await choose("priorities", 0)
    await in_uow(app, consultations.next_question, question_id=q["priorities"], **mine)
    await choose("satisfaction", 3)
    progress = await write("ideas", "Більше лавок")
    assert progress.current is None  # the summary
    if submit:
        await in_uow(app, consultations.submit, **mine)


async def test_partial_answers_survive_and_resume_lands_on_the_same_question(app):
    consultation = await open_consultation(app)
    citizen = await new_citizen(app, "a")
    first, second = consultation.questions[0], consultation.questions[1]
    await in_uow(
        app,
        consultations.choose_option,
        consultation_id=consultation.id,
        citizen_id=citizen,
        question_id=first.id,
        value=2,
        now=app.clock(),
    )
    progress = await in_uow(
        app, lambda uow: consultations.resume(uow, consultation.id, citizen, app.clock())
    )
    assert progress.current == second
    assert progress.position == (2, 5)
    assert progress.answers[first.id].value == 2


async def test_results_count_submitted_answers_only_with_distributions_and_texts(app):
    consultation = await open_consultation(app)
    await answer_all(app, consultation, await new_citizen(app, "a"), visits=1)
    await answer_all(app, consultation, await new_citizen(app, "b"), visits=0)
    await answer_all(app, consultation, await new_citizen(app, "c"), submit=False)
    outcome = await in_uow(
        app,
        lambda uow: consultations.results(uow, consultation.id, now=app.clock(), for_official=True),
    )
    assert outcome.submissions == 2
    visits, why_not, priorities, satisfaction, ideas = outcome.questions
    assert [c.count for c in visits.choices] == [1, 1, 0, 0]
    assert why_not.respondents == 1  # the weekly visitor skipped it
    assert priorities.choices[0].count == 2 and priorities.choices[0].percent == 100.0
    assert satisfaction.average == 3.0
    assert ideas.respondents == 2
    texts = await in_uow(
        app, lambda uow: _collect(consultations.export_texts(uow, consultation.id, batch=2))
    )
    assert sorted(t.text for t in texts) == ["Більше лавок", "Більше лавок", "Немає освітлення"]


async def _collect(stream):
    return [item async for item in stream]


async def test_concurrent_submits_by_one_citizen_record_one_submission(app):
    consultation = await open_consultation(app)
    citizen = await new_citizen(app, "a")
    await answer_all(app, consultation, citizen, submit=False)

    async def submit() -> str:
        try:
            await in_uow(
                app,
                consultations.submit,
                consultation_id=consultation.id,
                citizen_id=citizen,
                now=app.clock(),
            )
            return "ok"
        except (AlreadySubmittedError, ConflictError):
            return "refused"

    outcomes = await asyncio.gather(*(submit() for _ in range(5)))
    assert outcomes.count("ok") == 1
    async with app.uow_factory() as uow:
        assert (await uow.consultations.tally(consultation.id))[1] == 1


async def start_contest(app, **changes):
    plan = parse_contest((EXAMPLES / "contest.yaml").read_text(), tz=KYIV)
    now = app.clock()
    plan = replace(
        plan,
        submissions_open_at=now + timedelta(minutes=5),
        submissions_close_at=now + timedelta(days=1),
        voting_opens_at=now + timedelta(days=1, hours=1),
        voting_close_at=now + timedelta(days=2),
        **changes,
    )
    async with app.uow_factory() as uow:
        contest = await contests.create_contest(uow, plan, actor="m", now=now)
        await uow.commit()
    return contest


async def enter(app, contest, citizen, title="Ідея"):
    return await in_uow(
        app,
        contests.submit_entry,
        contest_id=contest.id,
        citizen_id=citizen,
        title=title,
        description="Опис",
        photo_ref=None,
        now=app.clock(),
    )


async def vote(app, entry_id, citizen):
    return await in_uow(
        app, contests.toggle_vote, entry_id=entry_id, citizen_id=citizen, now=app.clock()
    )


async def test_contest_phases_advance_by_sweep_once_and_winners_are_ranked(app, clock):
    contest = await start_contest(app, premoderation=False, votes_per_resident=2, winners=1)
    clock.advance(minutes=5)
    await sweep_campaigns(app.uow_factory, clock)
    authors = [await new_citizen(app, f"author{i}") for i in range(2)]
    entries = [await enter(app, contest, a, f"Ідея {i}") for i, a in enumerate(authors)]
    with pytest.raises(WrongPhaseError):
        await vote(app, entries[0].id, authors[1])
    clock.advance(days=1, hours=1)
    first, second = await asyncio.gather(
        sweep_phases(app.uow_factory, clock), sweep_phases(app.uow_factory, clock)
    )
    assert sorted(first[0] + second[0]) == [contest.id]
    with pytest.raises(WrongPhaseError):
        await enter(app, contest, await new_citizen(app, "late"))
    voters = [await new_citizen(app, f"v{i}") for i in range(3)]
    for v in voters:
        await vote(app, entries[1].id, v)
    clock.advance(days=1)
    await sweep_campaigns(app.uow_factory, clock)
    async with app.uow_factory() as uow:
        finished = await contests.get_contest(uow, contest.id)
        outcome = await contests.results(uow, contest.id, now=app.clock())
        actions = [e.action for e in await uow.audit.list()]
    assert finished.phase == ContestPhase.FINISHED
    assert [(r.entry.id, r.votes, r.winner) for r in outcome.ranked] == [
        (entries[1].id, 3, True),
        (entries[0].id, 0, False),
    ]
    assert actions.count("contest.phase") == 2
    assert not any(await sweep_phases(app.uow_factory, clock))  # nothing left for any kind


async def voting_contest(app, clock, **changes):
    contest = await start_contest(app, premoderation=False, **changes)
    clock.advance(minutes=5)
    await sweep_campaigns(app.uow_factory, clock)
    authors = [await new_citizen(app, f"author{i}") for i in range(4)]
    entries = [await enter(app, contest, a, f"Ідея {i}") for i, a in enumerate(authors)]
    clock.advance(days=1, hours=1)
    await sweep_phases(app.uow_factory, clock)
    return contest, authors, entries


async def test_concurrent_votes_never_exceed_the_limit_nor_count_twice(app, clock):
    contest, _authors, entries = await voting_contest(app, clock, votes_per_resident=2)
    voter = await new_citizen(app, "voter")

    async def tap(entry_id: int) -> None:
        for _attempt in range(5):
            try:
                await vote(app, entry_id, voter)
                return
            except ConflictError:
                await asyncio.sleep(0.01)
            except VoteLimitError:
                return

    await asyncio.gather(*(tap(e.id) for e in entries))
    async with app.uow_factory() as uow:
        assert len(await uow.contests.my_votes(contest.id, voter)) == 2
        assert sum((await uow.contests.tally(contest.id)).values()) == 2


async def test_own_entry_cannot_be_voted_and_a_vote_can_be_taken_back(app, clock):
    contest, authors, entries = await voting_contest(app, clock, votes_per_resident=1)
    with pytest.raises(OwnEntryError):
        await vote(app, entries[0].id, authors[0])
    for expected in (True, False, True):
        voted, _mine = await vote(app, entries[1].id, authors[0])
        assert voted is expected
    async with app.uow_factory() as uow:
        assert await uow.contests.tally(contest.id) == {entries[1].id: 1}


async def test_one_entry_per_resident_holds_under_concurrent_submits(app, clock):
    contest = await start_contest(app, entries_per_resident=1)
    clock.advance(minutes=5)
    await sweep_campaigns(app.uow_factory, clock)
    author = await new_citizen(app, "a")

    async def submit(i: int) -> None:
        # The refused second entry, or a lost race: either way nothing more is stored.
        with contextlib.suppress(EntryLimitError, ConflictError):
            await enter(app, contest, author, f"Ідея {i}")

    await asyncio.gather(*(submit(i) for i in range(4)))
    async with app.uow_factory() as uow:
        assert await uow.contests.count_entries(contest.id, author) == 1


async def test_a_closed_consultations_results_go_out_once(app, clock):
    consultation = await open_consultation(app)
    await answer_all(app, consultation, await new_citizen(app, "a"))
    clock.advance(days=3)
    await sweep_campaigns(app.uow_factory, clock)
    async with app.uow_factory() as uow:
        assert await uow.consultations.closed_unpublished() == []
    assert not any(await sweep_phases(app.uow_factory, clock))  # nothing left for any kind


async def telegram_citizen(app, external_id: str) -> int:
    async with app.uow_factory() as uow:
        citizen, _new = await citizens.resolve_citizen(
            uow, IdentityRef("telegram", external_id), app.clock()
        )
        await uow.commit()
    return citizen.id


async def pushes(app, kind: str) -> dict[str, set[int]]:
    """Recipients (citizen ids) of each broadcast of this kind, by audience text."""
    from sqlalchemy import select

    from core.delivery.tables import BroadcastRow, OutboxRow

    async with app.engine.connect() as conn:
        rows = await conn.execute(
            select(BroadcastRow.audience, OutboxRow.citizen_id)
            .join(OutboxRow, OutboxRow.broadcast_id == BroadcastRow.id, isouter=True)
            .where(BroadcastRow.kind == kind)
        )
        found: dict[str, set[int]] = {}
        for audience, citizen_id in rows:
            found.setdefault(audience, set()).update({citizen_id} - {None})
    return found


async def test_winners_reach_participants_and_subscribers_once_each(app, clock):
    contest = await start_contest(app, premoderation=False, votes_per_resident=1, winners=1)
    clock.advance(minutes=5)
    await sweep_campaigns(app.uow_factory, clock)
    authors = [await telegram_citizen(app, f"author{i}") for i in range(2)]
    entries = [await enter(app, contest, a, f"Ідея {i}") for i, a in enumerate(authors)]
    voter = await telegram_citizen(app, "voter")
    bystander = await telegram_citizen(app, "bystander")
    clock.advance(days=1, hours=1)
    await sweep_phases(app.uow_factory, clock)
    await vote(app, entries[0].id, voter)
    clock.advance(days=1)
    await sweep_campaigns(app.uow_factory, clock)
    await sweep_phases(app.uow_factory, clock)
    assert await pushes(app, "contest.winners") == {
        f"participants:{contest.id}": {*authors, voter},
        "all": {bystander},
    }


async def test_consultation_results_reach_those_who_submitted(app, clock):
    consultation = await open_consultation(app)
    submitted = await telegram_citizen(app, "s")
    halfway = await telegram_citizen(app, "h")
    await answer_all(app, consultation, submitted)
    await answer_all(app, consultation, halfway, submit=False)
    clock.advance(days=3)
    await sweep_campaigns(app.uow_factory, clock)
    assert await pushes(app, "consultation.results") == {
        f"participants:{consultation.id}": {submitted}
    }


async def test_a_files_optional_question_and_delivery_options_are_stored(app):
    consultation = await open_consultation(app)
    async with app.uow_factory() as uow:
        stored = await consultations.get_consultation(uow, consultation.id)
    assert [q.spec.required for q in stored.questions] == [True, True, True, True, False]
    assert (stored.campaign.reminders, stored.campaign.send_results) == ("24h,2h", True)
    assert stored.campaign.audience == "all"
