"""Every refusal offers the way back to where the resident was, and what its words mention."""

from datetime import timedelta

import pytest

from bot.ui import IncomingKind
from core.contests import service as contests
from tests.dialogs import (
    at_first_consultation_question,
    english_resident,
    open_consultation,
    open_poll,
    running_contest,
)
from tests.fakes.resident import registered

THREE_PLACES = ("У парку", "Біля школи", "Біля ринку")


async def voting_contest(factory, clock):
    contest = await running_contest(factory, clock)
    clock.advance(minutes=2)
    async with factory() as uow:
        for author, title in (("author-101", "Кіно під зорями"), ("author-102", "Ліхтарики")):
            await contests.submit_entry(
                uow,
                contest_id=contest.id,
                citizen_id=await registered(uow, author, clock()),
                title=title,
                description="Опис",
                photo_ref=None,
                now=clock(),
            )
        await uow.commit()
    clock.advance(days=1)
    async with factory() as uow:
        await contests.advance_phases(uow, clock())
        await uow.commit()


async def too_many_poll_choices(dialogs, factory, clock):
    await open_poll(factory, clock, THREE_PLACES, max_choices=2)
    resident = await english_resident(dialogs)
    await resident.press("Polls", "Де посадити", "У парку", "Біля школи", "Біля ринку")
    return resident, "at most 2 options", "« Back to the poll", "Choose up to 2 options"


async def vote_in_a_closed_poll(dialogs, factory, clock):
    await open_poll(factory, clock, THREE_PLACES, closes_at=clock() + timedelta(minutes=5))
    resident = await english_resident(dialogs)
    await resident.press("Polls", "Де посадити")
    clock.advance(minutes=5)
    await resident.press("У парку")
    return resident, "You can still see its results", "📈 Results", "Results: Де посадити"


async def too_many_consultation_choices(dialogs, factory, clock):
    await open_consultation(factory, clock)
    resident = await at_first_consultation_question(dialogs)
    await resident.press("Щотижня")
    for option in ("Освітлення", "Лавки", "Туалети"):
        await resident.press(option)
    return resident, "at most 2", "« Back to the question", "Що зробити насамперед"


async def an_answer_too_long(dialogs, factory, clock):
    await open_consultation(factory, clock)
    resident = await at_first_consultation_question(dialogs)
    await resident.press("Ніколи")
    await resident.say("д" * 501)
    return resident, "too long: 501 characters", "« Back to the question", "Що заважає"


async def a_consultation_closed_mid_way(dialogs, factory, clock):
    await open_consultation(factory, clock, closes_in=timedelta(minutes=5))
    resident = await at_first_consultation_question(dialogs)
    clock.advance(minutes=5)
    await resident.press("Ніколи")
    return resident, "consultation is closed", "« Back to the consultation", "closed."


async def no_contest_votes_left(dialogs, factory, clock):
    await voting_contest(factory, clock)
    resident = await english_resident(dialogs)
    await resident.press("Contests", "набережну", "Entries and voting", "Ліхтарики")
    await resident.press("Vote for this entry", "All entries", "Кіно", "Vote for this entry")
    return resident, "used your 1 vote", "« All entries", "You have used 1 of 1 votes"


async def stray_text_on_a_poll(dialogs, factory, clock):
    await open_poll(factory, clock, THREE_PLACES)
    resident = await english_resident(dialogs)
    await resident.press("Polls", "Де посадити")
    await resident.say("hello?")
    return resident, "didn't ask for text", "« Back to the poll", "Choose one option"


async def an_out_of_date_button_on_a_poll(dialogs, factory, clock):
    await open_poll(factory, clock, THREE_PLACES)
    resident = await english_resident(dialogs)
    await resident.press("Polls", "Де посадити")
    await resident.send(IncomingKind.BUTTON, payload="gone:1")
    return resident, "This button is out of date", "« Back to the poll", "Choose one option"


REFUSALS = [
    an_out_of_date_button_on_a_poll,
    too_many_poll_choices,
    vote_in_a_closed_poll,
    too_many_consultation_choices,
    an_answer_too_long,
    a_consultation_closed_mid_way,
    no_contest_votes_left,
    stray_text_on_a_poll,
]


@pytest.mark.parametrize("scenario", REFUSALS, ids=[s.__name__ for s in REFUSALS])
async def test_a_refusal_leads_back_to_where_the_resident_was(dialogs, factory, clock, scenario):
    resident, refused, way_back, landing = await scenario(dialogs, factory, clock)
    assert refused in resident.text
    assert "« Main menu" in resident.buttons()
    await resident.press(way_back)
    assert landing in resident.text
    assert "Sorry" not in resident.text


async def test_a_closed_consultation_does_not_lead_back_to_its_question(dialogs, factory, clock):
    resident, *_rest = await a_consultation_closed_mid_way(dialogs, factory, clock)
    assert "« Back to the question" not in resident.buttons()
