"""Eligibility: who may take part, enforced by every kind's service (not only the dialogs);
the home district and its 30-day rule, audit-logged."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.campaigns import service as campaigns
from core.campaigns.eligibility import EVERYONE, Eligibility, Ineligible
from core.citizens import home_district as homes
from core.consultations import service as consultations
from core.consultations.plan import parse_consultation
from core.contests import service as contests
from core.contests.plan import parse_contest
from core.ideas import service as ideas
from core.ideas.model import NewIdea
from core.kernel.errors import (
    DistrictChangeTooSoonError,
    NotEligibleError,
    ValidationError,
)
from core.polls import service as polls
from tests.databases import SqliteUnitOfWorkFactory
from tests.dialogs import verify_phone
from tests.fakes.clock import FakeClock
from tests.fakes.resident import registered

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KYIV = ZoneInfo("Europe/Kyiv")
VERIFIED_IN_ZARICHCHIA = Eligibility(verified=True, districts=("zarichchia",))


@pytest.fixture
def factory(sqlite_uow: SqliteUnitOfWorkFactory) -> SqliteUnitOfWorkFactory:
    return sqlite_uow


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def resident(factory, clock, name, *, verified=False, district=None) -> int:
    async with factory() as uow:
        citizen_id = await registered(uow, name, clock())
        citizen = await uow.citizens.get(citizen_id)
        if verified:
            await verify_phone(uow, citizen, clock())
        if district:
            await homes.set_home_district(uow, citizen, district, clock())
        await uow.commit()
    return citizen_id


async def refusal(factory, action) -> NotEligibleError:
    async with factory() as uow:
        with pytest.raises(NotEligibleError) as caught:
            await action(uow)
    return caught.value


# --- the rule itself ----------------------------------------------------------------------


def test_the_rule_parses_combined_flags_in_the_citys_order_and_refuses_unknown_words():
    rule = Eligibility.parse(["district:zarichchia, rotok", "verified"])
    assert rule == Eligibility(verified=True, districts=("zarichchia", "rotok"))
    assert str(rule) == "verified; district:zarichchia,rotok"
    assert Eligibility.parse(rule.as_list()) == rule
    assert Eligibility.parse([]) == EVERYONE and not EVERYONE.restricted
    for bad, reason in [
        (["district:atlantis"], "eligible_unknown_district"),
        (["district:city"], "eligible_unknown_district"),  # the whole city is nobody's home
        (["district:"], "eligible_no_districts"),
        (["verifed"], "eligible_unknown"),
    ]:
        with pytest.raises(ValidationError) as caught:
            Eligibility.parse(bad)
        assert caught.value.reason == reason


# --- every kind of participation ----------------------------------------------------------


async def test_a_poll_vote_is_refused_for_each_reason_and_accepted_when_eligible(factory, clock):
    async with factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Де новий сквер?",
            options=["Тут", "Там"],
            actor="m",
            now=clock(),
            eligibility=VERIFIED_IN_ZARICHCHIA,
        )
        await campaigns.open_campaign(uow, poll.id, actor="m", now=clock())
        await uow.commit()
    option = poll.options[0].id
    cases = {
        Ineligible.NOT_VERIFIED: await resident(factory, clock, "a", district="zarichchia"),
        Ineligible.NO_DISTRICT: await resident(factory, clock, "b", verified=True),
        Ineligible.WRONG_DISTRICT: await resident(
            factory, clock, "c", verified=True, district="rotok"
        ),
    }
    for reason, citizen_id in cases.items():
        for vote in (
            lambda uow, c=citizen_id: polls.toggle_choice(
                uow, poll_id=poll.id, citizen_id=c, option_id=option, now=clock()
            ),
            lambda uow, c=citizen_id: polls.cast_vote(
                uow, poll_id=poll.id, citizen_id=c, option_ids=frozenset({option}), now=clock()
            ),
        ):
            error = await refusal(factory, vote)
            assert error.reason == reason
            assert error.params["campaign_id"] == poll.id
            assert error.params["districts"] == ("zarichchia",)
    eligible = await resident(factory, clock, "d", verified=True, district="zarichchia")
    async with factory() as uow:
        await polls.toggle_choice(
            uow, poll_id=poll.id, citizen_id=eligible, option_id=option, now=clock()
        )
        await uow.commit()
        counts, voters = await uow.ballots.tally(poll.id)
    # Only the eligible resident's vote was ever written.
    assert (counts, voters) == ({option: 1}, 1)


async def test_a_consultation_answer_is_refused_to_an_unverified_resident(factory, clock):
    plan = parse_consultation((EXAMPLES / "consultation.yaml").read_text(), tz=KYIV)
    async with factory() as uow:
        consultation = await consultations.create_consultation(
            uow, replace(plan, eligibility=Eligibility(verified=True)), actor="m", now=clock()
        )
        await campaigns.open_campaign(uow, consultation.id, actor="m", now=clock())
        await uow.commit()
    first = consultation.questions[0]
    citizen_id = await resident(factory, clock, "a")
    error = await refusal(
        factory,
        lambda uow: consultations.choose_option(
            uow,
            consultation_id=consultation.id,
            citizen_id=citizen_id,
            question_id=first.id,
            value=0,
            now=clock(),
        ),
    )
    assert (error.reason, error.params["kind"]) == ("not_verified", "consultation")
    error = await refusal(
        factory, lambda uow: consultations.resume(uow, consultation.id, citizen_id, clock())
    )
    assert error.reason == "not_verified"
    verified = await resident(factory, clock, "b", verified=True)
    async with factory() as uow:
        progress = await consultations.resume(uow, consultation.id, verified, clock())
    assert progress.current is not None


async def test_contest_entries_and_votes_are_refused_outside_the_districts(factory, clock):
    plan = parse_contest((EXAMPLES / "contest.yaml").read_text(), tz=KYIV)
    now = clock()
    plan = replace(
        plan,
        submissions_open_at=now + timedelta(minutes=1),
        submissions_close_at=now + timedelta(days=1),
        voting_opens_at=now + timedelta(days=1),
        voting_close_at=now + timedelta(days=2),
        premoderation=False,
        eligibility=Eligibility(districts=("rotok", "hayok")),
    )
    async with factory() as uow:
        contest = await contests.create_contest(uow, plan, actor="m", now=now)
        await campaigns.open_campaign(uow, contest.id, actor="m", now=now)
        await uow.commit()
    outsider = await resident(factory, clock, "out", district="center")
    nowhere = await resident(factory, clock, "nowhere")
    author = await resident(factory, clock, "author", district="hayok")

    def entry(citizen_id):
        return lambda uow: contests.submit_entry(
            uow,
            contest_id=contest.id,
            citizen_id=citizen_id,
            title="Ліхтарі",
            description="Гірлянди над водою",
            photo_ref=None,
            now=clock(),
        )

    assert (await refusal(factory, entry(outsider))).reason == "wrong_district"
    assert (await refusal(factory, entry(nowhere))).reason == "no_district"
    async with factory() as uow:
        submitted = await entry(author)(uow)
        await uow.commit()
    clock.advance(days=1)
    async with factory() as uow:
        await contests.advance_phases(uow, clock())
        await uow.commit()

    def vote(citizen_id):
        return lambda uow: contests.toggle_vote(
            uow, entry_id=submitted.id, citizen_id=citizen_id, now=clock()
        )

    error = await refusal(factory, vote(outsider))
    assert (error.reason, error.params["home_district"]) == ("wrong_district", "center")
    voter = await resident(factory, clock, "voter", district="rotok")
    async with factory() as uow:
        assert (await vote(voter)(uow))[0] is True


async def test_ideas_in_an_idea_call_are_proposed_and_supported_only_by_those_it_admits(
    factory, clock
):
    async with factory() as uow:
        call = await ideas.create_idea_call(
            uow,
            title="Ідеї для Заріччя",
            description="",
            actor="m",
            now=clock(),
            closes_at=clock() + timedelta(days=7),
            eligibility=Eligibility(districts=("zarichchia",)),
        )
        await campaigns.open_campaign(uow, call.id, actor="m", now=clock())
        await uow.commit()
    local = await resident(factory, clock, "local", district="zarichchia")
    visitor = await resident(factory, clock, "visitor", district="rotok")

    def propose(author_id):
        draft = NewIdea(
            author_id=author_id,
            title="Лавки на набережній",
            description="Поставити лавки вздовж набережної Заріччя, бо сісти ніде.",
            topic="greenery",
            district="zarichchia",
            call_id=call.id,
        )
        return lambda uow: ideas.submit_idea(uow, draft, now=clock())

    assert (await refusal(factory, propose(visitor))).reason == "wrong_district"
    async with factory() as uow:
        idea = await propose(local)(uow)
        await uow.commit()
    async with factory() as uow:
        await ideas.approve_idea(uow, idea.code, actor="m", now=clock())
        await uow.commit()
    error = await refusal(
        factory,
        lambda uow: ideas.support_idea(uow, idea_id=idea.id, citizen_id=visitor, now=clock()),
    )
    assert (error.reason, error.params["kind"]) == ("wrong_district", "idea_call")
    neighbour = await resident(factory, clock, "neighbour", district="zarichchia")
    async with factory() as uow:
        assert await ideas.support_idea(uow, idea_id=idea.id, citizen_id=neighbour, now=clock())


async def test_an_open_campaign_admits_everyone_without_reading_the_resident(factory, clock):
    async with factory() as uow:
        poll = await polls.create_poll(
            uow, question="Q?", options=["A", "B"], actor="m", now=clock()
        )
        await campaigns.open_campaign(uow, poll.id, actor="m", now=clock())
        await uow.commit()
    anyone = await resident(factory, clock, "anyone")
    async with factory() as uow:
        outcome = await polls.toggle_choice(
            uow, poll_id=poll.id, citizen_id=anyone, option_id=poll.options[0].id, now=clock()
        )
    assert outcome.chosen
    assert poll.campaign.eligibility == EVERYONE


async def test_the_rule_is_stored_with_the_campaign_and_in_the_audit_entry(factory, clock):
    async with factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Q?",
            options=["A", "B"],
            actor="m",
            now=clock(),
            eligibility=VERIFIED_IN_ZARICHCHIA,
        )
        await uow.commit()
    async with factory() as uow:
        stored = await campaigns.get_campaign(uow, poll.id)
        entry = (await uow.audit.list())[0]
    assert stored.eligibility == VERIFIED_IN_ZARICHCHIA
    assert entry.after["eligible"] == ["verified", "district:zarichchia"]


# --- the home district ---------------------------------------------------------------------


async def test_the_home_district_changes_at_most_once_in_30_days_and_each_change_is_audited(
    factory, clock
):
    citizen_id = await resident(factory, clock, "olena")
    async with factory() as uow:
        citizen = await uow.citizens.get(citizen_id)
        assert citizen.home_district is None
        assert await homes.set_home_district(uow, citizen, "rotok", clock())
        await uow.commit()
    clock.advance(days=29, hours=23)
    async with factory() as uow:
        citizen = await uow.citizens.get(citizen_id)
        with pytest.raises(DistrictChangeTooSoonError) as caught:
            await homes.set_home_district(uow, citizen, "hayok", clock())
        assert caught.value.params["next_change_at"] == citizen.home_district_set_at + timedelta(
            days=30
        )
        # The same district again changes nothing and is not refused.
        assert not await homes.set_home_district(uow, citizen, "rotok", clock())
    clock.advance(hours=1)
    async with factory() as uow:
        citizen = await uow.citizens.get(citizen_id)
        assert await homes.set_home_district(uow, citizen, "hayok", clock())
        await uow.commit()
    async with factory() as uow:
        citizen = await uow.citizens.get(citizen_id)
        trail = [e for e in await uow.audit.list() if e.action == "citizen.home_district"]
    assert (citizen.home_district, citizen.home_district_set_at) == ("hayok", clock())
    assert [(e.actor, e.before, e.after) for e in reversed(trail)] == [
        (f"citizen:{citizen_id}", {"home_district": None}, {"home_district": "rotok"}),
        (f"citizen:{citizen_id}", {"home_district": "rotok"}, {"home_district": "hayok"}),
    ]


async def test_a_stale_copy_of_the_resident_cannot_change_the_district_twice(factory, clock):
    citizen_id = await resident(factory, clock, "olena", district="rotok")
    clock.advance(days=31)
    async with factory() as uow:
        first = await uow.citizens.get(citizen_id)
        second = await uow.citizens.get(citizen_id)  # as a second quick tap would see it
        assert await homes.set_home_district(uow, first, "hayok", clock())
        with pytest.raises(DistrictChangeTooSoonError):
            await homes.set_home_district(uow, second, "center", clock())


async def test_only_the_citys_districts_can_be_a_home(factory, clock):
    citizen_id = await resident(factory, clock, "olena")
    async with factory() as uow:
        citizen = await uow.citizens.get(citizen_id)
        for code in ("city", "atlantis"):
            with pytest.raises(ValidationError):
                await homes.set_home_district(uow, citizen, code, clock())
