"""A resident's whole conversation through the real aiogram code and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.bootstrap import App
from core.campaigns import results
from core.citizens.model import IdentityRef
from tests.adapters.telegram_harness import Resident, open_poll, running_channel
from tests.fakes.telegram_api import FakeTelegramAPI

MODES = ["polling", "webhook"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api


async def voters(app: App, poll_id: int) -> int:
    async with app.uow_factory() as uow:
        return (await results.poll_results(uow, poll_id, now=app.clock())).voters


@pytest.mark.parametrize("mode", MODES)
async def test_resident_starts_chooses_language_and_votes(
    app: App, fake: FakeTelegramAPI, mode: str
) -> None:
    poll_id = await open_poll(app, "Where should the new park be?", ["Riverside", "Old market"])
    async with running_channel(app, fake, mode=mode):
        olena = Resident(fake, 501, mode=mode, language_code="en")
        await olena.say("/start")
        await olena.sees("Choose your language")

        await olena.press("English")
        welcome = await olena.sees("Welcome to Spilno!")
        assert welcome.method == "editMessageText"  # the language screen became the welcome
        await olena.sees("Main menu")
        await fake.wait_for_method("answerCallbackQuery")

        await olena.press("Polls")
        await olena.sees("Polls. Choose one")
        await olena.press("Where should the new park be?")
        poll_screen = await olena.sees("Choose one option")
        assert [row[0]["text"] for row in poll_screen.keyboard[:2]] == ["Riverside", "Old market"]

        await olena.press("Riverside")
        voted = await olena.sees("Your vote is saved")
        assert voted.method == "editMessageText"
        assert voted.button("Riverside")["text"].startswith("✅")

    assert await voters(app, poll_id) == 1
    answered = fake.calls_to("answerCallbackQuery")
    pressed = [c for c in fake.calls if c.method == "editMessageText"]
    assert len(answered) == 4 and len(pressed) >= 4  # every press stopped its spinner


@pytest.mark.parametrize("mode", MODES)
async def test_every_choice_is_an_inline_keyboard_within_telegram_limits(
    app: App, fake: FakeTelegramAPI, mode: str
) -> None:
    await open_poll(app, "Чи потрібна нова велодоріжка на вулиці Шевченка?", ["Так", "Ні"])
    async with running_channel(app, fake, mode=mode):
        taras = Resident(fake, 502, mode=mode, language_code="uk")
        await taras.say("/start")
        await taras.sees("Оберіть мову")
        await taras.press("Українська")
        await taras.sees("Головне меню")
        await taras.press("🗳")
        await taras.sees("велодоріжка")
        await taras.press("велодоріжка")
        await taras.sees("Так", count=1)
    for call in fake.calls:
        for row in call.keyboard:
            for button in row:
                assert len(button["callback_data"].encode()) <= 64


@pytest.mark.parametrize("mode", MODES)
async def test_telegram_language_code_picks_the_first_language(
    app: App, fake: FakeTelegramAPI, mode: str
) -> None:
    async with running_channel(app, fake, mode=mode):
        await Resident(fake, 503, mode=mode, language_code="ru").say("/help")
        await Resident(fake, 504, mode=mode, language_code="de").say("/help")
        first_uk = await Resident(fake, 503, mode=mode).sees("")
        first_en = await Resident(fake, 504, mode=mode).sees("")
    # Newcomers are asked for their language first; the apology/hints would follow the hint.
    assert "Choose your language" in (first_uk.text or "")
    assert "Choose your language" in (first_en.text or "")


@pytest.mark.parametrize("mode", MODES)
async def test_command_menu_is_set_in_each_language(
    app: App, fake: FakeTelegramAPI, mode: str
) -> None:
    async with running_channel(app, fake, mode=mode):
        pass
    assert set(fake.commands) == {None, "uk", "en"}
    for commands in fake.commands.values():
        assert [c["command"] for c in commands] == ["start", "help", "language", "stop"]
    assert fake.commands["en"][3]["description"] == "Stop all notifications"


async def test_polling_mode_removes_a_webhook_and_webhook_mode_registers_one_with_a_secret(
    app: App, fake: FakeTelegramAPI
) -> None:
    async with running_channel(app, fake, mode="webhook") as channel:
        assert fake.webhook_url == channel.webhook_url
        assert fake.webhook_secret == channel.webhook_secret
    async with running_channel(app, fake, mode="polling"):
        assert fake.webhook_url is None
        await fake.wait_for_method("getUpdates")


@pytest.mark.parametrize("mode", MODES)
async def test_stop_command_unsubscribes_the_resident(
    app: App, fake: FakeTelegramAPI, mode: str
) -> None:
    async with running_channel(app, fake, mode=mode):
        olena = Resident(fake, 505, mode=mode, language_code="en")
        await olena.say("/start")
        await olena.sees("Choose your language")
        await olena.press("English")
        await olena.sees("Main menu")
        await olena.say("/stop")
        await olena.sees("You are unsubscribed")
    async with app.uow_factory() as uow:
        citizen = await uow.citizens.get_by_identity(IdentityRef("telegram", "505"))
    assert citizen is not None and citizen.notifications == "off"
