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


async def test_viber_share_phone_with_a_telegram_number_links_only_with_a_code(
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
            # A Viber contact is only a claim: no "Yes, it is me", a code from Telegram instead.
            assert "open Spilno in Telegram → Settings" in asked[-1]["text"]
            assert "linkyes" not in payloads(asked[-1])
            assert "settings" in payloads(asked[-1])  # the way back
            assert not await same_citizen(app, "903")

            await olena.press("Settings")
            await olena.press("Link another messenger")
            shown = await olena.sees("Your link code:")
            code = (shown.text or "").split("Your link code:", 1)[1].split()[0]
            done = await viber.press(OLENA_VIBER, code)  # typed: six digits are no payload
            assert "accounts are now one" in done[-1]["text"]

    assert await same_citizen(app, "903")


async def test_a_viber_contact_outside_the_verify_screen_is_refused(
    app: App, viber_api: FakeViberApi
) -> None:
    async with running_viber_bot(app, viber_api) as viber:
        await viber.press(OLENA_VIBER, "start")
        await viber.press(OLENA_VIBER, "setlang:en")
        before = len(viber_api.messages_to(OLENA_VIBER.id))
        # Someone else's number from the address book, sent from the main menu.
        result = await viber_api.send_contact(OLENA_VIBER, "Petro", "+380671112233")
        assert result.status == 200
        answer = viber_api.messages_to(OLENA_VIBER.id)[before:]
        assert "cannot confirm your phone number" in answer[-1]["text"]
        assert "verify" in payloads(answer[-1])  # the way to do it properly
        assert "671112233" not in answer[-1]["text"]
    async with app.uow_factory() as uow:
        citizen = await uow.citizens.get_by_identity(IdentityRef("viber", OLENA_VIBER.id))
    assert citizen is not None and not citizen.verified


async def same_citizen(app: App, telegram_id: str) -> bool:
    async with app.uow_factory() as uow:
        telegram = await uow.citizens.get_by_identity(IdentityRef("telegram", telegram_id))
        viber_side = await uow.citizens.get_by_identity(IdentityRef("viber", OLENA_VIBER.id))
    assert telegram is not None and viber_side is not None
    return telegram.id == viber_side.id and viber_side.verified
