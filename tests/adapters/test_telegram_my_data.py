"""Receipts, My data and Delete my data through the real aiogram code and the fake Bot API:
the receipt is shown after a vote and listed in Settings, "My data" arrives as a JSON document
(sendDocument), and after "Delete my data" the vote in the open poll is withdrawn and writing
again starts a new resident."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.telegram.channel import build_bot
from bot.telegram.messenger import TelegramMessenger
from core.audit import service as audit
from core.bootstrap import App
from core.campaigns import results
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.delivery.worker import DeliveryWorker
from core.scheduling.jobs import anchor_audit_head
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
async def test_receipt_my_data_document_and_forget_me(
    app: App, fake: FakeTelegramAPI, mode: str
) -> None:
    poll_id = await open_poll(app, "Where should the new park be?", ["Riverside", "Old market"])
    async with running_channel(app, fake, mode=mode):
        olena = Resident(fake, 601, mode=mode, language_code="en")
        await olena.say("/start")
        await olena.sees("Choose your language")
        await olena.press("English")
        await olena.sees("Main menu")
        await olena.press("Polls")
        await olena.sees("Polls. Choose one")
        await olena.press("Where should the new park be?")
        await olena.sees("Choose one option")
        await olena.press("Riverside")
        voted = await olena.sees("Your receipt: ")
        receipt = voted.text.split("Your receipt: ")[1][:8]

        await olena.say("/menu")
        await olena.sees("⚙️ Settings", count=2)
        await olena.press("Settings")
        await olena.sees("Settings.")
        await olena.press("My receipts")
        listed = await olena.sees("Your receipts")
        assert f"{receipt} — Where should the new park be?" in listed.text

        await olena.press("Settings")
        await olena.sees("Settings.", count=2)
        await olena.press("My data")
        await olena.sees("everything Spilno holds about you")
        await fake.wait_for_method("sendDocument")
        ((chat_id, filename, data),) = fake.documents
        assert (chat_id, filename) == (601, "spilno-my-data.json")
        document = json.loads(data)
        sections = {s["key"]: s for s in document["sections"]}
        assert sections["ballots"]["label"] == "Your poll votes, with receipts"
        assert sections["ballots"]["rows"][0]["receipt"] == receipt
        assert sections["identities"]["rows"][0]["external_id"] == "601"

        assert await voters(app, poll_id) == 1
        await olena.press("Settings")
        await olena.sees("Settings.", count=3)
        await olena.press("Delete my data")
        await olena.sees("This cannot be undone")
        await olena.press("Yes, delete my data")
        await olena.sees("Your data is deleted")
        assert await voters(app, poll_id) == 0  # the poll is still open: withdrawn

        async with app.uow_factory() as uow:
            assert await citizens.find_citizen(uow, IdentityRef("telegram", "601")) is None
        await olena.say("/start")
        await olena.sees("Choose your language", count=2)  # a new resident starts over


async def test_the_daily_anchor_reaches_the_channel_through_the_delivery_worker(
    app: App, fake: FakeTelegramAPI, clock
) -> None:
    """SPILNO_AUDIT_ANCHOR_CHANNEL=@city_news: the scheduler's job queues the head; a delivery
    worker sends it with the real Telegram messenger, to the channel by its @username."""
    fake.add_channel("city_news", -100777, title="City news")
    async with app.uow_factory() as uow:
        head = await audit.record(
            uow, actor="olha", action="poll.create", object_type="campaign", object_id=1,
            now=clock(),
        )  # fmt: skip
        await uow.commit()
    assert await anchor_audit_head(app.uow_factory, clock, "@city_news")
    bot = build_bot(fake.token, fake.base_url, timeout=5)
    try:
        worker = DeliveryWorker(app.uow_factory, {"telegram": TelegramMessenger(bot)}, clock)
        await worker.drain("telegram")
    finally:
        await bot.session.close()
    (post,) = [c for c in fake.calls_to("sendMessage") if c.ok]
    assert post.params["chat_id"] == "@city_news" and head in post.text
    assert fake.screen(-100777)
