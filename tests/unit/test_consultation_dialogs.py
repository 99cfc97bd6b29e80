"""A resident takes a consultation and a contest in chat (on a fresh SQLite copy)."""

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.ui import IncomingKind, encode_payload
from core.contests import service as contests
from core.contests.model import ContestPhase
from tests.dialogs import (
    at_first_consultation_question,
    english_resident,
    open_consultation,
    running_contest,
    submit_entry,
)
from tests.fakes.resident import Resident

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KYIV = ZoneInfo("Europe/Kyiv")


async def test_a_resident_answers_with_progress_back_and_a_summary_then_submits_once(
    dialogs, factory, clock
):
    consultation = await open_consultation(factory, clock)
    resident = await at_first_consultation_question(dialogs)
    assert "Question 1 of up to 5" in resident.text
    await resident.press("Щомісяця")  # not weekly, so "what keeps you away" is asked
    assert "Question 2 of 5" in resident.text and "Що заважає" in resident.text
    await resident.say("Темно ввечері")
    assert "Question 3 of 5" in resident.text
    await resident.press("« Back")
    assert "Question 2 of 5" in resident.text and "Темно ввечері" in resident.text
    await resident.press("Next »", "Освітлення", "Лавки")
    await resident.press("Туалети")  # a third choice where two are allowed
    assert "at most 2" in resident.text
    await resident.press("Main menu", "Consultations", "Оновлення парку", "Continue")
    assert "Question 3 of 5" in resident.text and "✅ Освітлення" in resident.buttons()
    await resident.press("Next »")
    assert "Question 4 of 5" in resident.text
    await resident.press("4")
    await resident.say("Більше тіні")
    assert "Please check your answers" in resident.text
    assert "→ Освітлення, Лавки" in resident.text
    await resident.press("Submit")
    assert "Your answers are submitted" in resident.text
    async with factory() as uow:
        _rows, submissions = await uow.consultations.tally(consultation.id)
    assert submissions == 1
    await resident.press("All consultations", "Оновлення парку")
    assert "You have taken part" in resident.text
    assert not any("Continue" in label for label in resident.buttons())


async def test_a_weekly_visitor_skips_the_conditional_question(dialogs, factory, clock):
    await open_consultation(factory, clock)
    resident = await at_first_consultation_question(dialogs)
    await resident.press("Щотижня")
    assert "Question 2 of 4" in resident.text and "Що зробити насамперед" in resident.text


async def test_stopping_and_coming_back_resumes_on_the_same_question(dialogs, factory, clock):
    await open_consultation(factory, clock)
    resident = await at_first_consultation_question(dialogs)
    await resident.press("Ніколи")
    await resident.say("Далеко їхати")
    await resident.press("« Back")  # back on question 2
    await resident.command("menu")
    again = Resident(dialogs, "olena")  # same identity, a fresh conversation
    await again.command("consultations")
    await again.press("Оновлення парку", "Continue")
    assert "Question 2 of 5" in again.text and "Далеко їхати" in again.text


async def test_typed_text_where_buttons_are_expected_gets_a_polite_hint(dialogs, factory, clock):
    await open_consultation(factory, clock)
    resident = await at_first_consultation_question(dialogs)
    await resident.say("щотижня")
    assert "Please answer with the buttons" in resident.text
    assert "Question 1 of up to 5" in resident.text


async def test_an_empty_consultation_list_says_so(dialogs):
    resident = await english_resident(dialogs)
    await resident.press("Consultations")
    assert "no consultations right now" in resident.text


async def test_a_resident_submits_an_entry_then_others_vote_within_their_limit(
    dialogs, factory, clock
):
    contest = await running_contest(factory, clock)
    author = await english_resident(dialogs, "author")
    await author.press("Contests", "набережну")
    await submit_entry(author, "Кіно під зорями", "Літній кінотеатр щоп'ятниці")
    assert "takes part in the contest" in author.text
    assert "Submit an entry" not in author.buttons()
    second = await english_resident(dialogs, "second")
    await second.command("contests")
    await second.press("набережну")
    await submit_entry(second, "Ліхтарики", "Гірлянди над водою")

    clock.advance(days=1)
    async with factory() as uow:
        assert await contests.advance_phases(uow, clock()) == ([contest.id], [])
        await uow.commit()
    await author.command("contests")
    await author.press("набережну", "Entries and voting", "Кіно під зорями")
    assert "your entry; you cannot vote" in author.text
    await author.press("All entries", "Ліхтарики", "Vote for this entry")
    assert "Your vote is saved" in author.text
    await author.press("All entries", "Кіно")
    assert "Vote for this entry" not in author.buttons()  # own entry: no button at all
    async with factory() as uow:
        entries = await contests.entries_for_voting(uow, contest.id)
        other = next(e for e in entries if e.title == "Ліхтарики")
        mine = next(e for e in entries if e.title == "Кіно під зорями")
    third = await english_resident(dialogs, "third")
    await third.command("contests")
    await third.press("набережну", "Entries and voting", "Ліхтарики", "Vote for this entry")
    await third.press("All entries", "Кіно", "Vote for this entry")
    assert "used your 1 vote" in third.text
    async with factory() as uow:
        assert await uow.contests.tally(contest.id) == {other.id: 2}
        assert mine.id not in await uow.contests.my_votes(contest.id, mine.author_id)
        assert (await uow.contests.get(contest.id)).phase == ContestPhase.VOTING


async def test_the_demo_city_has_a_consultation_and_a_contest_to_try(dialogs, factory, clock):
    from core.demo.polls import seed_demo_city

    async with factory() as uow:
        assert await seed_demo_city(uow, clock())
        await uow.commit()
    clock.advance(minutes=2)
    resident = await at_first_consultation_question(dialogs)
    assert "Question 1 of up to 4" in resident.text
    await resident.command("contests")
    await resident.press("набережну")
    assert "✍️ Submit an entry" in resident.buttons()


def _counters(text: str) -> list[tuple[int, int, bool]]:
    found = re.findall(r"Question (\d+) of (up to )?(\d+)", text)
    return [(int(n), int(total), bool(up_to)) for n, up_to, total in found]


@pytest.mark.parametrize(
    ("first_answer", "asked"), [("Щотижня", 4), ("Щомісяця", 5)], ids=["weekly", "monthly"]
)
async def test_the_counter_counts_what_remains_without_jumps(
    dialogs, factory, clock, first_answer, asked
):
    await open_consultation(factory, clock)
    resident = await english_resident(dialogs)
    await resident.press("Consultations", "Оновлення парку")
    assert "Up to 5 questions" in resident.text
    await resident.press("Start")
    seen = _counters(resident.text)
    await resident.press(first_answer)
    if asked == 5:
        seen += _counters(resident.text)
        await resident.say("Далеко")
    seen += _counters(resident.text)
    await resident.press("Лавки", "Next »")
    seen += _counters(resident.text)
    await resident.press("4")
    seen += _counters(resident.text)
    assert [n for n, _total, _up_to in seen] == list(range(1, asked + 1))
    totals = [total for _n, total, _up_to in seen]
    assert totals == sorted(totals, reverse=True)  # a total may shrink, never grow
    assert totals[-1] == asked
    # "up to" exactly while an answer still to come may skip a question
    assert [up_to for _n, _total, up_to in seen] == [True] + [False] * (asked - 1)


async def test_continue_later_confirms_the_answers_are_kept(dialogs, factory, clock):
    await open_consultation(factory, clock)
    resident = await at_first_consultation_question(dialogs)
    await resident.press("Щотижня", "Continue later")
    assert "Your answers are saved" in resident.text
    await resident.press("Continue")
    assert "Що зробити насамперед" in resident.text


async def test_an_optional_question_can_be_skipped_and_a_required_one_cannot(
    dialogs, factory, clock
):
    consultation = await open_consultation(factory, clock)
    resident = await at_first_consultation_question(dialogs)
    assert "Skip »" not in resident.buttons()
    await resident.press("Щотижня", "Лавки", "Next »", "4")
    assert "This question is optional." in resident.text
    await resident.press("Skip »")
    assert "Please check your answers" in resident.text
    assert "Ваші ідеї та побажання\n   → —" in resident.text
    await resident.press("Submit")
    assert "Your answers are submitted" in resident.text
    async with factory() as uow:
        rows, submissions = await uow.consultations.tally(consultation.id)
    ideas_question = consultation.questions[-1]
    assert submissions == 1 and not [r for r in rows if r[0] == ideas_question.id]


async def test_skipping_a_required_question_by_an_old_button_is_refused(dialogs, factory, clock):
    consultation = await open_consultation(factory, clock)
    resident = await at_first_consultation_question(dialogs)
    first = consultation.questions[0]
    await resident.send(
        IncomingKind.BUTTON, payload=encode_payload("cskp", consultation.id, first.id)
    )
    assert "Please answer this question first." in resident.text
    await resident.press("« Back to the question")
    assert "Як часто ви буваєте в парку?" in resident.text


async def test_a_finished_contest_speaks_of_the_entry_in_the_past(dialogs, factory, clock):
    from core.scheduling.jobs import sweep_campaigns

    await running_contest(factory, clock)
    author = await english_resident(dialogs, "author")
    clock.advance(minutes=2)
    await author.press("Contests", "набережну")
    await submit_entry(author, "Кіно під зорями", "Літній кінотеатр щоп'ятниці")
    assert "Your entry “Кіно під зорями” takes part in the contest." in author.text
    clock.advance(days=3)
    await sweep_campaigns(factory, clock)
    await author.press("All contests", "набережну")
    assert "This contest is over." in author.text
    assert "Your entry “Кіно під зорями” took part in the contest." in author.text
