"""The one Telegram send path (plain JSON, no aiogram models) against the fake Bot API: every
row of the error table, the messages it sends, and no token in any outcome."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiohttp import web

from bot.telegram.bot_api import BotApiError
from bot.telegram.channel import build_bot
from bot.telegram.messenger import TelegramMessenger, outcome_of
from bot.telegram.rendering import CAPTION_LIMIT, TEXT_LIMIT
from bot.ui import Button
from core.delivery.messenger import (
    Message,
    Permanent,
    RateLimited,
    Scope,
    SendOutcome,
    Sent,
    Transient,
    Unreachable,
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


ERROR_TABLE: list[tuple[int, str, int | None, type[SendOutcome]]] = [
    (429, "Too Many Requests: retry after 3", 3, RateLimited),
    (403, "Forbidden: bot was blocked by the user", None, Unreachable),
    (403, "Forbidden: user is deactivated", None, Unreachable),
    (400, "Bad Request: chat not found", None, Unreachable),
    (400, "Bad Request: PEER_ID_INVALID", None, Unreachable),
    (400, "Bad Request: can't parse entities", None, Permanent),
    (401, "Unauthorized", None, Permanent),
    (404, "Not Found", None, Permanent),
    (413, "Request Entity Too Large", None, Permanent),
    (409, "Conflict: terminated by other getUpdates request", None, Transient),
    (500, "Internal Server Error", None, Transient),
    (502, "Bad Gateway", None, Transient),
]


@pytest.mark.parametrize(
    ("status", "description", "retry_after", "expected"),
    ERROR_TABLE,
    ids=[f"{s}-{d.split(':')[-1].strip()[:20]}" for s, d, _r, _e in ERROR_TABLE],
)
async def test_the_send_path_maps_every_telegram_error_onto_its_outcome(
    fake: FakeTelegramAPI,
    bot: Bot,
    status: int,
    description: str,
    retry_after: int | None,
    expected: type[SendOutcome],
) -> None:
    fake.fail_next("sendMessage", status, description, retry_after=retry_after)
    outcome = await TelegramMessenger(bot).send("730", Message("news"))
    assert type(outcome) is expected
    # The same answer read back as the error it raised (what replies see) maps the same way.
    error = BotApiError("sendMessage", status, description, retry_after)
    assert type(outcome_of(error)) is expected
    if retry_after is not None:
        assert outcome == RateLimited(retry_after, Scope.BOT)


def test_not_modified_is_not_a_failure() -> None:
    error = BotApiError("editMessageText", 400, "Bad Request: message is not modified: same")
    assert isinstance(outcome_of(error), Sent)


async def test_bulk_path_sends_json_with_the_keyboard_and_returns_the_message_id(
    fake: FakeTelegramAPI, bot: Bot
) -> None:
    buttons = ((Button("Взяти участь", "open:1"), Button("Later", "later:1")),)
    outcome = await TelegramMessenger(bot).send("731", Message("Нове опитування", buttons))
    [call] = fake.sent_to(731)
    assert call.method == "sendMessage" and call.text == "Нове опитування"
    assert call.params["chat_id"] == 731  # a JSON number: not aiogram's form encoding
    assert call.keyboard == [
        [
            {"text": "Взяти участь", "callback_data": "open:1"},
            {"text": "Later", "callback_data": "later:1"},
        ]
    ]
    assert outcome == Sent(str(fake.last_message_id(731)))


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
    outcome = await TelegramMessenger(bot).send(
        "733", Message(text, ((Button("Agree", "agree:1"),),), image=b"img")
    )
    sent = fake.sent_to(733)
    assert sent[0].method == "sendPhoto" and "caption" not in sent[0].params
    assert not sent[0].keyboard
    parts = sent[1:]
    assert len(parts) >= 3 and all(p.method == "sendMessage" for p in parts)
    assert all(len(p.text or "") <= TEXT_LIMIT for p in parts)
    assert [bool(p.keyboard) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert outcome == Sent(str(fake.last_message_id(733)))


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
        outcome = await TelegramMessenger(bot).send("734", Message("news"))
    finally:
        await bot.session.close()
        await runner.cleanup()
    assert isinstance(outcome, Transient)
    assert token not in str(outcome)


async def test_an_error_description_quoting_the_token_is_redacted(
    fake: FakeTelegramAPI, bot: Bot
) -> None:
    fake.fail_next("sendMessage", 400, f"Bad Request: odd /bot{fake.token}/sendMessage")
    outcome = await TelegramMessenger(bot).send("735", Message("news"))
    assert isinstance(outcome, Permanent)
    assert fake.token not in str(outcome)
