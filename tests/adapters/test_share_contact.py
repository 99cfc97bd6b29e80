"""Share-contact flows with the real aiogram and viberbot against the fake platforms: Telegram's
`request_contact` reply keyboard and `message.contact`, Viber's `share-phone` button and
`contact` message; then the same number in both messengers becomes one resident (issue 16)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.bootstrap import App
from core.citizens.model import IdentityRef
from tests.adapters.telegram_harness import Resident, running_channel
from tests.adapters.test_viber_webhook import TOKEN, payloads, running_viber_bot
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.viber_api import FakeViberApi, ViberUser

OLENA_VIBER = ViberUser("olena+abc/123==", name="Олена", language="en")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api


@pytest.fixture
async def viber_api() -> AsyncIterator[FakeViberApi]:
    async with FakeViberApi(TOKEN) as api:
        yield api


async def english_settings(olena: Resident) -> None:
    await olena.say("/start")
    await olena.sees("Choose your language")
    await olena.press("English")
    await olena.sees("Main menu")
    await olena.press("Settings")
    await olena.sees("Confirm my phone number")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_telegram_asks_with_request_contact_and_removes_the_keyboard_after(
    app: App, fake: FakeTelegramAPI, mode: str
) -> None:
    async with running_channel(app, fake, mode=mode):
        olena = Resident(fake, 901, mode=mode, language_code="en")
        await english_settings(olena)
        await olena.press("Confirm my phone number")
        ask = await fake.wait_for(lambda c: c.chat_id == 901 and bool(c.reply_keyboard))
        await olena.sees("Confirm your phone number")
        assert ask[-1].reply_keyboard == [
            [{"text": "📱 Share my phone number", "request_contact": True}]
        ]
        # The way back rides on the message before it (one keyboard per message).
        explained = fake.sent_to(901)[-2]
        assert "Confirm your phone number" in (explained.text or "")
        assert any("Settings" in b["text"] for row in explained.keyboard for b in row)

        await olena.deliver(fake.contact_update(901, "380501234567"))
        done = await olena.sees("is confirmed")
        assert done.params["reply_markup"] == {"remove_keyboard": True}
        assert "+380 •• ••• •• 67" in (done.text or "")
        assert all("501234567" not in (c.text or "") for c in fake.sent_to(901))


@pytest.mark.parametrize("owner", [77, 0], ids=["forwarded", "typed"])
async def test_telegram_refuses_a_contact_that_is_not_the_residents_own(
    app: App, fake: FakeTelegramAPI, owner: int
) -> None:
    async with running_channel(app, fake, mode="polling"):
        olena = Resident(fake, 902, mode="polling", language_code="en")
        await english_settings(olena)
        await olena.deliver(fake.contact_update(902, "+380670000000", owner=owner))
        await olena.sees("not your own contact")
    async with app.uow_factory() as uow:
        citizen = await uow.citizens.get_by_identity(IdentityRef("telegram", "902"))
    assert citizen is not None and not citizen.verified


async def test_viber_share_phone_then_the_same_number_links_with_telegram(
    app: App, fake: FakeTelegramAPI, viber_api: FakeViberApi
) -> None:
    async with running_channel(app, fake, mode="polling"):
        olena = Resident(fake, 903, mode="polling", language_code="en")
        await english_settings(olena)
        await olena.deliver(fake.contact_update(903, "380501234567"))
        await olena.sees("is confirmed")

    async with running_viber_bot(app, viber_api) as viber:
        await viber.press(OLENA_VIBER, "start")
        await viber.press(OLENA_VIBER, "setlang:en")
        await viber.press(OLENA_VIBER, "settings")
        answers = await viber.press(OLENA_VIBER, "verify")
        keyboard = answers[-1]["keyboard"]["Buttons"]
        share = [b for b in keyboard if b["ActionType"] == "share-phone"]
        assert [b["Text"] for b in share] == ["📱 Share my phone number"]
        assert answers[-1]["min_api_version"] >= 3  # Viber refuses share-phone below 3
        assert "settings" in payloads(answers[-1])  # the way back on the same keyboard
        assert all(call.accepted for call in viber_api.calls_to("send_message"))

        before = len(viber_api.messages_to(OLENA_VIBER.id))
        result = await viber_api.share_phone(OLENA_VIBER, "+380 50 123 45 67")
        assert result.status == 200
        asked = viber_api.messages_to(OLENA_VIBER.id)[before:]
        assert "already confirmed in Spilno from Telegram" in asked[0]["text"]
        assert "linkyes" in payloads(asked[-1])
        done = await viber.press(OLENA_VIBER, "linkyes")
        assert "accounts are now one" in done[-1]["text"]

    async with app.uow_factory() as uow:
        telegram = await uow.citizens.get_by_identity(IdentityRef("telegram", "903"))
        viber_side = await uow.citizens.get_by_identity(IdentityRef("viber", OLENA_VIBER.id))
    assert telegram is not None and viber_side is not None
    assert telegram.id == viber_side.id and viber_side.verified
