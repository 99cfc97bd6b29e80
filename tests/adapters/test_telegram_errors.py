"""Telegram's failure modes: bad secrets, redelivery, 429, 403, 400, 5xx, slow servers, bugs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.dialogs import Dialogs, Turn
from bot.telegram.channel import build_bot
from bot.telegram.messenger import TelegramMessenger
from bot.ui import Button, Reply
from core.bootstrap import App
from core.campaigns import results
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.delivery.messenger import (
    Message,
    Permanent,
    RateLimited,
    Scope,
    Sent,
    Transient,
    Unreachable,
)
from core.kernel.unit_of_work import StorageUnavailableError
from tests.adapters.telegram_harness import Resident, open_poll, running_channel
from tests.fakes.telegram_api import FakeTelegramAPI

MODES = ["polling", "webhook"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api


@pytest.fixture
async def messenger(fake: FakeTelegramAPI) -> AsyncIterator[TelegramMessenger]:
    bot = build_bot(fake.token, fake.base_url, timeout=2)
    yield TelegramMessenger(bot)
    await bot.session.close()


async def citizen_of(app: App, user_id: int):  # type: ignore[no-untyped-def]
    async with app.uow_factory() as uow:
        return await uow.citizens.get_by_identity(IdentityRef("telegram", str(user_id)))


async def reachable(app: App, user_id: int) -> bool | None:
    async with app.uow_factory() as uow:
        return await uow.citizens.is_reachable(IdentityRef("telegram", str(user_id)))


async def voters(app: App, poll_id: int) -> int:
    async with app.uow_factory() as uow:
        return (await results.poll_results(uow, poll_id, now=app.clock())).voters


async def eventually(probe: Callable[[], Awaitable[object]], expected: object) -> None:
    """Replies render after the webhook is acknowledged: poll briefly for their effect."""
    for _ in range(100):
        if await probe() == expected:
            return
        await asyncio.sleep(0.02)
    assert await probe() == expected


async def english_speaker(resident: Resident) -> None:
    await resident.say("/start")
    await resident.sees("Choose your language")
    await resident.press("English")
    await resident.sees("Main menu")


# ---- webhook security and redelivery ---------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "wrong-secret", ""], ids=["missing", "wrong", "empty"])
async def test_webhook_without_the_right_secret_is_refused_and_nothing_is_stored(
    app: App, fake: FakeTelegramAPI, secret: str | None
) -> None:
    async with running_channel(app, fake, mode="webhook"):
        update = fake.message_update(601, "/start")
        status = await fake.post_to_webhook(update, secret=secret)
    assert status == 401
    assert await citizen_of(app, 601) is None
    assert fake.sent_to(601) == []


async def test_redelivered_update_has_no_second_effect(app: App, fake: FakeTelegramAPI) -> None:
    poll_id = await open_poll(app, "New library hours?", ["Longer", "Same"])
    async with running_channel(app, fake, mode="webhook"):
        olena = Resident(fake, 602, mode="webhook", language_code="en")
        await english_speaker(olena)
        await olena.press("Polls")
        await olena.sees("New library hours?")
        await olena.press("New library hours?")
        await olena.sees("Choose one option")
        vote = await olena.press("Longer")
        await olena.sees("Your vote is saved")
        edits_before = len(fake.calls_to("editMessageText", 602))

        assert await fake.post_to_webhook(vote) == 200  # Telegram did not see our first 200

    assert await voters(app, poll_id) == 1
    assert len(fake.calls_to("editMessageText", 602)) == edits_before


async def test_handler_failure_apologises_logs_the_update_and_leaves_nothing_half_written(
    app: App, fake: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    async def half_then_crash(turn: Turn) -> list[Reply]:
        await citizens.choose_locale(turn.uow, turn.citizen, "en")
        raise RuntimeError("bug in a dialog")

    dialogs = Dialogs(app.uow_factory, clock=app.clock, route=half_then_crash)
    async with running_channel(app, fake, mode="webhook", dialogs=dialogs):
        update = fake.message_update(603, "hello", language_code="en")
        assert await fake.post_to_webhook(update) == 200
        await Resident(fake, 603, mode="webhook").sees("something went wrong")
    assert await citizen_of(app, 603) is None
    assert str(update["update_id"]) in caplog.text


async def test_webhook_answers_503_while_the_database_is_down_so_telegram_redelivers(
    app: App, fake: FakeTelegramAPI
) -> None:
    async def database_down(_turn: Turn) -> list[Reply]:
        raise StorageUnavailableError("connection refused")

    dialogs = Dialogs(app.uow_factory, clock=app.clock, route=database_down)
    async with running_channel(app, fake, mode="webhook", dialogs=dialogs):
        status = await fake.post_to_webhook(fake.message_update(604, "/start"))
    assert status == 503
    assert await citizen_of(app, 604) is None


# ---- rate limits -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_429_on_a_reply_is_waited_out_and_the_reply_arrives(
    app: App, fake: FakeTelegramAPI, mode: str
) -> None:
    async with running_channel(app, fake, mode=mode):
        fake.rate_limit_next("sendMessage", retry_after=1)
        started = time.monotonic()
        await Resident(fake, 605, mode=mode).say("/start")
        await Resident(fake, 605, mode=mode).sees("Choose your language")
        waited = time.monotonic() - started
    attempts = fake.calls_to("sendMessage", 605)
    assert len(attempts) == 2
    assert attempts[1].at - attempts[0].at >= 0.95
    assert waited >= 0.95


@pytest.mark.parametrize("mode", MODES)
async def test_429_on_an_edit_in_place_is_waited_out_and_the_screen_changes(
    app: App, fake: FakeTelegramAPI, mode: str
) -> None:
    await open_poll(app, "Night buses?", ["Yes", "No"])
    async with running_channel(app, fake, mode=mode):
        olena = Resident(fake, 611, mode=mode, language_code="en")
        await english_speaker(olena)
        await olena.press("Polls")
        await olena.sees("Night buses?")
        sends_before = len(fake.calls_to("sendMessage", 611))
        fake.rate_limit_next("editMessageText", retry_after=1)
        await olena.press("Night buses?")
        await olena.sees("Choose one option")
    edits = fake.calls_to("editMessageText", 611)
    assert [c.status for c in edits[-2:]] == [429, 200]
    assert edits[-1].at - edits[-2].at >= 0.95
    assert len(fake.calls_to("sendMessage", 611)) == sends_before  # edited, not sent anew


async def test_a_screen_that_cannot_be_edited_is_sent_as_a_new_message(
    app: App, fake: FakeTelegramAPI
) -> None:
    async with running_channel(app, fake, mode="webhook"):
        olena = Resident(fake, 612, mode="webhook", language_code="en")
        await english_speaker(olena)
        sends_before = len(fake.calls_to("sendMessage", 612))
        fake.fail_next("editMessageText", 400, "Bad Request: message to edit not found")
        await olena.press("Settings")
        await fake.wait_for_method("sendMessage", chat_id=612, count=sends_before + 1)
    assert [c.status for c in fake.calls_to("editMessageText", 612)][-1] == 400
    last = fake.calls_to("sendMessage", 612)[-1]
    assert last.ok and last.keyboard  # the new screen, with its buttons


async def test_messenger_429_pauses_the_whole_bot_for_retry_after(
    fake: FakeTelegramAPI, messenger: TelegramMessenger
) -> None:
    fake.rate_limit_next("sendMessage", retry_after=1)
    first = await messenger.send("701", Message("news"))
    assert first == RateLimited(1, Scope.BOT)
    calls_before = len(fake.calls)
    second = await messenger.send("702", Message("news"))  # another chat: the pause is bot-wide
    assert isinstance(second, RateLimited) and 0 < second.retry_after <= 1
    assert second.scope is Scope.BOT
    assert len(fake.calls) == calls_before  # not even tried
    await messenger.pause.wait()
    assert isinstance(await messenger.send("702", Message("news")), Sent)


# ---- blocked residents -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_403_marks_the_resident_unreachable_until_they_write_again(
    app: App, fake: FakeTelegramAPI, mode: str
) -> None:
    async with running_channel(app, fake, mode=mode) as channel:
        olena = Resident(fake, 606, mode=mode, language_code="en")
        await english_speaker(olena)
        fake.block(606)
        assert isinstance(
            await channel.messenger.send("606", Message("A new poll is open")), Unreachable
        )

        # A reply that hits the block marks her unreachable too (and nothing crashes).
        await olena.say("/help")
        await fake.wait_for(lambda c: c.chat_id == 606 and c.method == "sendMessage", count=3)
        await eventually(lambda: reachable(app, 606), False)

        fake.unblock(606)
        await olena.say("/start")  # writing again re-opts in
        await olena.sees("Main menu", count=2)
    assert await reachable(app, 606) is True


async def test_messenger_maps_telegram_errors_onto_send_outcomes(
    fake: FakeTelegramAPI, messenger: TelegramMessenger
) -> None:
    fake.fail_next("sendMessage", 403, "Forbidden: user is deactivated")
    assert isinstance(await messenger.send("710", Message("hi")), Unreachable)
    fake.fail_next("sendMessage", 400, "Bad Request: chat not found")
    assert isinstance(await messenger.send("711", Message("hi")), Unreachable)
    fake.fail_next("sendMessage", 400, "Bad Request: can't parse entities")
    assert isinstance(await messenger.send("712", Message("hi")), Permanent)
    fake.fail_next("sendMessage", 502, "Bad Gateway")
    assert isinstance(await messenger.send("713", Message("hi")), Transient)


async def test_messenger_timeout_is_retryable(fake: FakeTelegramAPI) -> None:
    bot = build_bot(fake.token, fake.base_url, timeout=0.2)
    fake.latency = 1.0
    try:
        assert isinstance(await TelegramMessenger(bot).send("714", Message("hi")), Transient)
    finally:
        await bot.session.close()


async def test_messenger_sends_text_and_photo_with_buttons_and_returns_the_message_id(
    fake: FakeTelegramAPI, messenger: TelegramMessenger
) -> None:
    buttons = ((Button("Vote", "poll:7"),),)
    text = await messenger.send("720", Message("A new poll is open", buttons=buttons))
    photo = await messenger.send(
        "720", Message("The park plan", buttons=buttons, image=b"\x89PNG fake bytes")
    )
    sent = fake.sent_to(720)
    assert [c.method for c in sent] == ["sendMessage", "sendPhoto"]
    assert sent[0].button("Vote")["callback_data"] == "poll:7"
    assert sent[1].params["caption"] == "The park plan"
    assert isinstance(text, Sent) and isinstance(photo, Sent)
    assert text.message_id != photo.message_id and int(text.message_id) > 0


# ---- what is not an error ----------------------------------------------------------------------


async def test_pressing_the_same_button_twice_is_not_an_error(
    app: App, fake: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    await open_poll(app, "Bus route 5?", ["Keep", "Change"])
    async with running_channel(app, fake, mode="webhook"):
        olena = Resident(fake, 607, mode="webhook", language_code="en")
        await english_speaker(olena)
        await olena.press("Polls")
        await olena.sees("Bus route 5?")
        await olena.press("Bus route 5?")
        await olena.sees("Choose one option")
        await olena.press("Keep")
        await olena.sees("Your vote is saved")
        sends_before = len(fake.calls_to("sendMessage", 607))
        await olena.press("Keep")  # same screen again: Telegram says "message is not modified"
        await fake.wait_for_method("editMessageText", chat_id=607, count=5)
    assert len(fake.calls_to("sendMessage", 607)) == sends_before
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
