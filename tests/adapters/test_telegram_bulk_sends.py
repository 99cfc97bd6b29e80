"""The bulk send path (plain JSON, no aiogram models) against the fake Bot API: same table, same
messages as aiogram's path, and no token in any error."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiohttp import web

from bot.telegram.bot_api import BotApiError
from bot.telegram.channel import build_bot
from bot.telegram.messenger import TelegramMessenger, send_message, translate_error
from bot.telegram.rendering import CAPTION_LIMIT, TEXT_LIMIT
from bot.ui import Button
from core.delivery.messenger import (
    DeliveryError,
    Message,
    PermanentDeliveryError,
    RecipientUnreachableError,
    RetryAfterError,
    TransientDeliveryError,
)
from tests.fakes.telegram_api import FakeTelegramAPI


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api


@pytest.fixture
async def bot(fake: FakeTelegramAPI) -> AsyncIterator[Bot]:
    bot = build_bot(fake.token, fake.base_url, timeout=2)
    yield bot
    await bot.session.close()


ERROR_TABLE: list[tuple[int, str, int | None, type[DeliveryError]]] = [
    (429, "Too Many Requests: retry after 3", 3, RetryAfterError),
    (403, "Forbidden: bot was blocked by the user", None, RecipientUnreachableError),
    (403, "Forbidden: user is deactivated", None, RecipientUnreachableError),
    (400, "Bad Request: chat not found", None, RecipientUnreachableError),
    (400, "Bad Request: PEER_ID_INVALID", None, RecipientUnreachableError),
    (400, "Bad Request: can't parse entities", None, PermanentDeliveryError),
    (401, "Unauthorized", None, PermanentDeliveryError),
    (404, "Not Found", None, PermanentDeliveryError),
    (413, "Request Entity Too Large", None, PermanentDeliveryError),
    (409, "Conflict: terminated by other getUpdates request", None, TransientDeliveryError),
    (500, "Internal Server Error", None, TransientDeliveryError),
    (502, "Bad Gateway", None, TransientDeliveryError),
]


@pytest.mark.parametrize(
    ("status", "description", "retry_after", "expected"),
    ERROR_TABLE,
    ids=[f"{s}-{d.split(':')[-1].strip()[:20]}" for s, d, _r, _e in ERROR_TABLE],
)
async def test_bulk_path_maps_every_telegram_error_as_aiograms_path_does(
    fake: FakeTelegramAPI,
    bot: Bot,
    status: int,
    description: str,
    retry_after: int | None,
    expected: type[DeliveryError],
) -> None:
    fake.fail_next("sendMessage", status, description, retry_after=retry_after)
    with pytest.raises(DeliveryError) as bulk:
        await TelegramMessenger(bot).send("730", Message("news"))
    assert type(bulk.value) is expected

    fake.fail_next("sendMessage", status, description, retry_after=retry_after)
    with pytest.raises(Exception) as aiogram_error:
        await send_message(bot, 730, Message("news"))
    assert type(translate_error(aiogram_error.value)) is expected
    if retry_after is not None:
        assert isinstance(bulk.value, RetryAfterError) and bulk.value.seconds == retry_after


def test_not_modified_is_not_a_failure_on_the_bulk_path_either() -> None:
    error = BotApiError("editMessageText", 400, "Bad Request: message is not modified: same")
    assert translate_error(error) is None


async def test_bulk_path_sends_json_with_the_keyboard_and_returns_the_message_id(
    fake: FakeTelegramAPI, bot: Bot
) -> None:
    buttons = ((Button("Взяти участь", "open:1"), Button("Later", "later:1")),)
    message_id = await TelegramMessenger(bot).send("731", Message("Нове опитування", buttons))
    [call] = fake.sent_to(731)
    assert call.method == "sendMessage" and call.text == "Нове опитування"
    assert call.params["chat_id"] == 731  # a JSON number: not aiogram's form encoding
    assert call.keyboard == [
        [
            {"text": "Взяти участь", "callback_data": "open:1"},
            {"text": "Later", "callback_data": "later:1"},
        ]
    ]
    assert message_id == str(fake.last_message_id(731))


async def test_bulk_path_uploads_an_image_with_caption_and_keyboard(
    fake: FakeTelegramAPI, bot: Bot
) -> None:
    buttons = ((Button("Vote", "poll:7"),),)
    await TelegramMessenger(bot).send("732", Message("Park plan", buttons, image=b"\x89PNG"))
    await TelegramMessenger(bot).send(
        "732", Message("From the web", image="https://example.org/p.jpg")
    )
    first, second = fake.sent_to(732)
    assert first.method == "sendPhoto" and first.params["photo"] == "<file>"
    assert first.params["caption"] == "Park plan"
    assert first.button("Vote")["callback_data"] == "poll:7"
    assert second.params["photo"] == "https://example.org/p.jpg"
    assert second.params["caption"] == "From the web" and not second.keyboard


async def test_long_text_with_an_image_goes_as_a_bare_photo_then_parts_with_buttons_last(
    fake: FakeTelegramAPI, bot: Bot
) -> None:
    text = "A long consultation paragraph. " * 300
    assert len(text) > TEXT_LIMIT > CAPTION_LIMIT
    message_id = await TelegramMessenger(bot).send(
        "733", Message(text, ((Button("Agree", "agree:1"),),), image=b"img")
    )
    sent = fake.sent_to(733)
    assert sent[0].method == "sendPhoto" and "caption" not in sent[0].params
    assert not sent[0].keyboard
    parts = sent[1:]
    assert len(parts) >= 3 and all(p.method == "sendMessage" for p in parts)
    assert all(len(p.text or "") <= TEXT_LIMIT for p in parts)
    assert [bool(p.keyboard) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert message_id == str(fake.last_message_id(733))


async def test_an_answer_that_is_not_the_bot_api_is_a_transient_failure_without_the_token(
    unused_tcp_port: int,
) -> None:
    async def proxy_error_page(_request: web.Request) -> web.Response:
        return web.Response(status=502, text="<html>Bad Gateway</html>", content_type="text/html")

    app = web.Application()
    app.router.add_post("/{tail:.*}", proxy_error_page)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    token = "654321:BULK-secret-token-BBBBBBBBBBBBBBBBBBBB"
    bot = build_bot(token, f"http://127.0.0.1:{unused_tcp_port}", timeout=2)
    try:
        with pytest.raises(TransientDeliveryError) as error:
            await TelegramMessenger(bot).send("734", Message("news"))
    finally:
        await bot.session.close()
        await runner.cleanup()
    assert token not in str(error.value)


async def test_an_error_description_quoting_the_token_is_redacted(
    fake: FakeTelegramAPI, bot: Bot
) -> None:
    fake.fail_next("sendMessage", 400, f"Bad Request: odd /bot{fake.token}/sendMessage")
    with pytest.raises(PermanentDeliveryError) as error:
        await TelegramMessenger(bot).send("735", Message("news"))
    assert fake.token not in str(error.value)
