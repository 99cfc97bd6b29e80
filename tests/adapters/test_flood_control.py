"""One flooding resident slows down only themself (issue 13): the real Telegram and Viber
channels against the fake APIs, the fake Bot API enforcing Telegram's per-chat flood limit.

Counts and ordering are asserted, not latencies: the machine may be loaded.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

from bot.flood import ChatPacer, FloodGate
from bot.telegram.channel import TelegramChannel
from core.bootstrap import App
from core.campaigns import results
from tests.adapters.telegram_harness import Resident, open_poll, running_channel
from tests.adapters.test_viber_webhook import TOKEN as VIBER_TOKEN
from tests.adapters.test_viber_webhook import running_viber_bot
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.viber_api import FakeViberApi, ViberUser

SLOW_DOWN = "faster than I can answer"
ALLOWED = 6  # updates per resident the gate lets through (its clock stands still)
FLOOD = 40
FLOODER = 900
VOTERS = (901, 902, 903)


@pytest.fixture
async def plain_fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    # Telegram's flood control for one chat: more than 3 messages in 1.5 s → 429, 5 s wait.
    async with FakeTelegramAPI(chat_cap=3, chat_window_s=1.5, chat_retry_after=5) as api:
        yield api


def limit(channel: TelegramChannel) -> FloodGate:
    """Flood control as `build_channel` wires it, but on a frozen clock (exact counts) and
    pacing at the fake's limit (3 per 1.5 s) so the test stays short."""
    channel.flood_gate = FloodGate(ALLOWED, 3.0, clock=lambda: 0.0)
    channel.pacer = ChatPacer(0.5)
    return channel.flood_gate


def notes(fake: FakeTelegramAPI, chat_id: int) -> list[object]:
    return [c for c in fake.sent_to(chat_id) if SLOW_DOWN in (c.text or "")]


async def vote(resident: Resident, option: str) -> None:
    """Five updates: /start, English, Polls, the poll, the option."""
    await resident.say("/start")
    await resident.sees("Choose your language")
    await resident.press("English")
    await resident.sees("Main menu")
    await resident.press("Polls")
    await resident.sees("Night buses?")
    await resident.press("Night buses?")
    await resident.sees("Choose one option")
    await resident.press(option)
    await resident.sees("Your vote is saved", within=30)


async def voters(app: App, poll_id: int) -> int:
    async with app.uow_factory() as uow:
        return (await results.poll_results(uow, poll_id, now=app.clock())).voters


async def test_a_flooder_is_throttled_and_warned_once_while_every_voter_is_answered(
    app: App, fake: FakeTelegramAPI
) -> None:
    poll_id = await open_poll(app, "Night buses?", ["Yes", "No"])
    async with running_channel(app, fake, mode="webhook") as channel:
        gate = limit(channel)
        flooder = Resident(fake, FLOODER, mode="webhook", language_code="en")

        async def flood() -> list[int | None]:
            return await asyncio.gather(*(flooder.say(f"spam {n}") for n in range(FLOOD)))

        residents = [Resident(fake, v, mode="webhook", language_code="en") for v in VOTERS]
        await asyncio.gather(flood(), *(vote(r, "Yes") for r in residents))
        await fake.wait_for(lambda c: c.chat_id == FLOODER and SLOW_DOWN in (c.text or ""))
        await asyncio.sleep(0.5)  # room for a second note, should one be (wrongly) coming

    assert gate.dropped == FLOOD - ALLOWED
    assert len(notes(fake, FLOODER)) == 1
    assert await voters(app, poll_id) == len(VOTERS)
    for voter in VOTERS:
        assert notes(fake, voter) == []
    # Pacing kept every chat under Telegram's per-chat limit: no 429, no pause for anyone.
    assert fake.chat_rate_limited == 0
    assert [c for c in fake.calls if c.status == 429] == []


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_429_after_traffic_to_one_chat_pauses_that_chat_not_the_bot(
    app: App, plain_fake: FakeTelegramAPI, mode: str
) -> None:
    fake = plain_fake
    await open_poll(app, "Night buses?", ["Yes", "No"])
    async with running_channel(app, fake, mode=mode) as channel:
        olena = Resident(fake, 811, mode=mode, language_code="en")
        petro = Resident(fake, 812, mode=mode, language_code="en")
        for resident in (olena, petro):
            await resident.say("/start")
            await resident.sees("Choose your language")
            await resident.press("English")
            await resident.sees("Main menu")
        fake.fail_next(
            "editMessageText", 429, "Too Many Requests: retry after 3", retry_after=3, chat_id=811
        )
        await olena.press("Polls")
        (refused,) = await fake.wait_for(lambda c: c.chat_id == 811 and c.status == 429)
        await petro.press("Polls")
        answered = await petro.sees("Night buses?")
        bot_paused = channel.pause.remaining()
        retried = await olena.sees("Night buses?")

    assert bot_paused == 0
    assert refused.at < answered.at < retried.at
    assert answered.at - refused.at < 2.0  # Petro did not wait out Olena's 429 (3 s) ...
    assert retried.at - refused.at >= 2.9  # ... and Olena's chat did


async def test_a_429_on_a_quiet_chat_is_the_bots_and_pauses_every_reply(
    app: App, fake: FakeTelegramAPI
) -> None:
    async with running_channel(app, fake, mode="webhook") as channel:
        fake.rate_limit_next("sendMessage", retry_after=2)
        await Resident(fake, 821, mode="webhook").say("/start")  # nothing sent there before
        await fake.wait_for(lambda c: c.chat_id == 821 and c.status == 429)
        for _ in range(100):
            if channel.pause.remaining() > 0:
                break
            await asyncio.sleep(0.01)
        assert channel.pause.remaining() > 0


async def test_redeliveries_are_deduplicated_and_not_counted_as_a_flood(
    app: App, fake: FakeTelegramAPI
) -> None:
    poll_id = await open_poll(app, "Night buses?", ["Yes", "No"])
    async with running_channel(app, fake, mode="webhook") as channel:
        gate = limit(channel)
        olena = Resident(fake, 831, mode="webhook", language_code="en")
        await olena.say("/start")
        await olena.sees("Choose your language")
        await olena.press("English")
        await olena.sees("Main menu")
        await olena.press("Polls")
        await olena.sees("Night buses?")
        await olena.press("Night buses?")
        await olena.sees("Choose one option")
        ballot = await olena.press("Yes")
        await olena.sees("Your vote is saved")
        edits = len(fake.calls_to("editMessageText", 831))
        for _ in range(20):  # Telegram retrying an update it thinks we did not get
            assert await fake.post_to_webhook(ballot) == 200
        await asyncio.sleep(0.3)

    assert gate.dropped == 0
    assert notes(fake, 831) == []
    assert len(fake.calls_to("editMessageText", 831)) == edits
    assert await voters(app, poll_id) == 1


async def test_a_viber_flooder_is_throttled_with_one_note_in_their_language(app: App) -> None:
    settings = dataclasses.replace(app.settings, flood_updates=3, flood_window_s=60.0)
    limited = dataclasses.replace(app, settings=settings)
    flooder = ViberUser("flood+er/1==", name="Спамер", language="uk")
    neighbour = ViberUser("neigh+bour/2==", name="Сусідка", language="en")
    async with (
        FakeViberApi(VIBER_TOKEN) as api,
        running_viber_bot(limited, api) as bot,
    ):
        answers = await asyncio.gather(*(api.send_text(flooder, "спам") for _ in range(20)))
        assert {a.status for a in answers} == {200}
        assert (await api.send_text(neighbour, "hello")).status == 200
        dropped = bot.channel.flood_gate.dropped

    to_flooder = [m.get("text", "") for m in api.messages_to(flooder.id)]
    assert dropped == 17
    assert sum("Будь ласка, зачекайте" in t for t in to_flooder) == 1
    assert api.messages_to(neighbour.id)  # the neighbour was answered
    assert not any("зачекайте" in m.get("text", "") for m in api.messages_to(neighbour.id))


async def test_a_button_flood_is_dropped_but_every_spinner_is_stopped(
    app: App, fake: FakeTelegramAPI
) -> None:
    async with running_channel(app, fake, mode="webhook") as channel:
        gate = limit(channel)
        olena = Resident(fake, 841, mode="webhook", language_code="en")
        await olena.say("/start")
        await olena.sees("Choose your language")
        presses = await asyncio.gather(*(olena.press("English") for _ in range(FLOOD)))
        await fake.wait_for(lambda c: c.chat_id == 841 and SLOW_DOWN in (c.text or ""))

    assert gate.dropped == FLOOD - (ALLOWED - 1)
    assert len(notes(fake, 841)) == 1
    answered = {c.params["callback_query_id"] for c in fake.calls_to("answerCallbackQuery")}
    assert answered == {p["callback_query"]["id"] for p in presses}
