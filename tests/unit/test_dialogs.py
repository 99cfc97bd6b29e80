from datetime import timedelta

import pytest

from bot.dialogs import Dialogs
from bot.ui import Incoming, IncomingKind
from core.campaigns.model import ResultsVisibility
from core.citizens.model import IdentityRef, NotificationMode
from tests.dialogs import open_poll, stored
from tests.fakes.resident import Resident


async def test_start_asks_for_language_then_shows_the_menu_in_that_language(dialogs):
    resident = Resident(dialogs)
    await resident.command("start")
    assert resident.buttons() == ["Українська", "English"]
    await resident.press("English")
    assert "Main menu" in resident.text
    assert "🗳 Polls" in resident.buttons()


async def test_a_whole_vote_in_ukrainian(dialogs, factory, clock):
    poll = await open_poll(factory, clock)
    resident = Resident(dialogs)
    await resident.command("start")
    await resident.press("Українська")
    assert "Головне меню" in resident.text
    await resident.press("Опитування", "Де посадити", "Біля школи")
    assert "Дякуємо! Ваш голос збережено." in resident.text
    assert "✅ Біля школи" in resident.buttons()
    await resident.press("Результати")
    assert "Проголосувала 1 людина." in resident.text
    async with factory() as uow:
        assert (await uow.ballots.tally(poll.id))[1] == 1


async def test_a_redelivered_update_has_no_second_effect(dialogs, factory, clock):
    await open_poll(factory, clock)
    identity = IdentityRef("test", "u1")
    first = Incoming(identity, IncomingKind.COMMAND, text="start", update_id="42")
    assert await dialogs.handle(first)
    assert await dialogs.handle(first) == []


async def test_a_closed_poll_answers_politely_instead_of_counting(dialogs, factory, clock):
    await open_poll(factory, clock, closes_at=clock() + timedelta(minutes=5))
    resident = Resident(dialogs, language_hint="en")
    await resident.command("start")
    await resident.press("English", "Polls", "Де посадити")
    clock.advance(minutes=5)
    await resident.press("У парку")
    assert "This poll is closed; voting has ended." in resident.text


async def test_results_after_close_are_not_offered_while_open(dialogs, factory, clock):
    await open_poll(factory, clock, visibility=ResultsVisibility.AFTER_CLOSE)
    resident = Resident(dialogs)
    await resident.command("start")
    await resident.press("English", "Polls", "Де посадити")
    assert not any("Results" in label for label in resident.buttons())


async def test_typed_text_when_nothing_is_asked_gets_the_menu_back(dialogs):
    resident = Resident(dialogs)
    await resident.command("start")
    await resident.press("English")
    await resident.say("hello?")
    assert "Please use the buttons below." in resident.text
    assert "🗳 Polls" in resident.buttons()


async def test_unsupported_content_gets_a_polite_hint(dialogs):
    resident = Resident(dialogs)
    await resident.command("start")
    await resident.press("English")
    await resident.send(IncomingKind.UNSUPPORTED)
    assert "can't read this kind of message" in resident.text


async def test_stop_turns_notifications_off_and_settings_turn_them_on(dialogs, factory):
    resident = Resident(dialogs)
    await resident.command("start")
    await resident.press("English")
    await resident.command("stop")
    assert "unsubscribed" in resident.text
    assert (await stored(factory, resident)).notifications == NotificationMode.OFF
    await resident.press("Turn notifications on")
    assert (await stored(factory, resident)).notifications == NotificationMode.INSTANT


async def test_the_telegram_language_picks_the_first_locale_until_chosen(dialogs):
    resident = Resident(dialogs, language_hint="en")
    await resident.command("start")
    await resident.press("English")
    await resident.command("language")
    await resident.press("Українська")
    assert "Головне меню" in resident.text


async def test_a_handler_crash_rolls_back_and_apologises(factory, clock):
    async def broken(turn):
        await turn.uow.citizens.save(turn.citizen)
        raise RuntimeError("boom")

    dialogs = Dialogs(factory, clock=clock, default_locale="en", route=broken)
    replies = await dialogs.handle(
        Incoming(IdentityRef("test", "x"), IncomingKind.TEXT, text="hi", update_id="1")
    )
    assert "something went wrong" in replies[0].text
    assert await factory.count("citizens") == 0
    assert await factory.count("processed_updates") == 0


@pytest.mark.parametrize("language", ["Українська", "English"])
async def test_help_and_the_welcome_describe_every_section_of_the_main_menu(dialogs, language):
    resident = Resident(dialogs)
    await resident.send(IncomingKind.STARTED)
    await resident.command("start")
    await resident.press(language)
    sections = [label for label in resident.buttons() if "❓" not in label]
    assert len(sections) == 9
    await resident.command("help")
    help_lines = resident.text.splitlines()
    for label in sections:
        assert any(line.startswith(f"• {label}: ") for line in help_lines), label
    await resident.send(IncomingKind.STARTED)
    for label in sections[:-1]:  # settings are no section to take part in
        assert label in resident.text, label


async def test_a_long_poll_list_pages_forward_and_back(dialogs, factory, clock):
    for _ in range(7):  # one more than a page holds
        await open_poll(factory, clock)
    resident = Resident(dialogs)
    await resident.command("start")
    await resident.press("English", "Polls")
    assert "Page 1 of 2" in resident.text
    assert resident.buttons().count("🗳 Де посадити дерева?") == 6
    assert "« Previous" not in resident.buttons()
    await resident.press("Next »")
    assert "Page 2 of 2" in resident.text
    assert resident.buttons().count("🗳 Де посадити дерева?") == 1
    assert "Next »" not in resident.buttons()
    await resident.press("« Previous")
    assert "Page 1 of 2" in resident.text
