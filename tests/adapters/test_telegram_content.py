"""What residents send and what they get back: content types, long texts, secrets kept out of logs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram.types import Update

from bot.telegram.channel import WEBHOOK_PATH, build_bot, derive_webhook_secret
from bot.telegram.mapping import command_name, message_to_incoming
from bot.telegram.messenger import TelegramMessenger
from bot.telegram.rendering import TEXT_LIMIT, split_text
from bot.ui import Button, IncomingKind
from core.bootstrap import App
from core.citizens.model import PhoneProof
from core.delivery.messenger import Message, Sent, Transient
from core.kernel.redaction import MASK, redact, register_secret
from tests.adapters.telegram_harness import Resident, running_channel
from tests.fakes.telegram_api import FakeTelegramAPI


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api


def incoming_for(fake: FakeTelegramAPI, text: str | None = None, **content: Any):  # type: ignore[no-untyped-def]
    raw = fake.message_update(42, text, language_code="be", **content)
    update = Update.model_validate(raw)
    assert update.message is not None
    return message_to_incoming(update.message, update.update_id)


# ---- update → Incoming -------------------------------------------------------------------------

STICKER = {"file_id": "st", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1}
STICKER.update(is_animated=False, is_video=False)
VOICE = {"file_id": "vo", "file_unique_id": "u", "duration": 2}
PHOTO = [
    {"file_id": "small", "file_unique_id": "a", "width": 90, "height": 90},
    {"file_id": "large", "file_unique_id": "b", "width": 1280, "height": 960},
]


@pytest.mark.parametrize(
    ("text", "content", "kind", "expected"),
    [
        ("/start", {}, IncomingKind.COMMAND, {"text": "start"}),
        ("/language@spilno_test_bot", {}, IncomingKind.COMMAND, {"text": "language"}),
        ("/stop now", {}, IncomingKind.COMMAND, {"text": "stop"}),
        ("Fix the lights", {}, IncomingKind.TEXT, {"text": "Fix the lights"}),
        (None, {"photo": PHOTO, "caption": "pothole"}, IncomingKind.PHOTO, {"photo_ref": "large"}),
        (
            None,
            {"location": {"latitude": 50.45, "longitude": 30.52}},
            IncomingKind.LOCATION,
            {"latitude": 50.45, "longitude": 30.52},
        ),
        (
            None,
            {"contact": {"phone_number": "+380501234567", "first_name": "O", "user_id": 42}},
            IncomingKind.CONTACT,
            {"phone": "+380501234567", "contact_proof": PhoneProof.OWN},
        ),
        (
            None,
            {"contact": {"phone_number": "+380670000000", "first_name": "X", "user_id": 7}},
            IncomingKind.CONTACT,
            # Someone else's card proves nothing about the resident.
            {"phone": None, "contact_proof": PhoneProof.FOREIGN},
        ),
        (None, {"sticker": STICKER}, IncomingKind.UNSUPPORTED, {"text": "sticker"}),
        (None, {"voice": VOICE}, IncomingKind.UNSUPPORTED, {"text": "voice"}),
    ],
    ids=[
        "command",
        "command-with-bot-name",
        "command-with-argument",
        "text",
        "photo-largest-size",
        "location",
        "own-contact",
        "foreign-contact",
        "sticker",
        "voice",
    ],
)
def test_a_private_message_becomes_an_incoming(
    fake: FakeTelegramAPI,
    text: str | None,
    content: dict[str, Any],
    kind: IncomingKind,
    expected: dict[str, Any],
) -> None:
    incoming = incoming_for(fake, text, **content)
    assert incoming is not None
    assert incoming.kind == kind
    assert str(incoming.identity) == "telegram:42"
    assert incoming.language_hint == "be"
    assert incoming.update_id is not None and incoming.update_id.isdigit()
    for field, value in expected.items():
        assert getattr(incoming, field) == value


def test_group_messages_are_ignored(fake: FakeTelegramAPI) -> None:
    raw = fake.message_update(42, "hi")
    raw["message"]["chat"] = {"id": -100, "type": "supergroup", "title": "Town"}
    update = Update.model_validate(raw)
    assert update.message is not None
    assert message_to_incoming(update.message, update.update_id) is None


def test_command_name_ignores_plain_text() -> None:
    assert command_name("hello /start") is None
    assert command_name("/") is None
    assert command_name("/HELP") == "help"


@pytest.mark.parametrize("mode", ["polling", "webhook"])
@pytest.mark.parametrize(
    "content", [{"sticker": STICKER}, {"voice": VOICE}], ids=["sticker", "voice"]
)
async def test_unsupported_content_gets_a_polite_hint(
    app: App, fake: FakeTelegramAPI, mode: str, content: dict[str, Any]
) -> None:
    async with running_channel(app, fake, mode=mode):
        olena = Resident(fake, 801, mode=mode, language_code="en")
        await olena.say("/start")
        await olena.sees("Choose your language")
        await olena.press("English")
        await olena.sees("Main menu")
        await olena.say(None, **content)
        hint = await olena.sees("can't read this kind of message")
    assert hint.keyboard  # and a way back to the menu


# ---- Reply → Telegram ------------------------------------------------------------------------


def test_long_text_is_split_on_paragraphs_then_sentences() -> None:
    paragraph = "The council met on Monday. " * 60  # ~1600 characters
    text = "\n\n".join([paragraph.strip()] * 5)
    parts = split_text(text)
    assert len(parts) == 3
    assert all(len(p) <= TEXT_LIMIT for p in parts)
    assert all(p.endswith("Monday.") for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_one_huge_sentence_is_split_between_words_and_a_wordless_blob_anywhere() -> None:
    words = split_text("слово " * 2000)
    assert all(len(p) <= TEXT_LIMIT for p in words)
    assert all(not p.startswith("лово") for p in words)
    assert [len(p) for p in split_text("x" * 9000)] == [4096, 4096, 808]


async def test_long_message_arrives_in_parts_with_buttons_under_the_last(
    fake: FakeTelegramAPI,
) -> None:
    bot = build_bot(fake.token, fake.base_url)
    try:
        text = ("A long consultation document sentence. " * 30 + "\n\n") * 8
        outcome = await TelegramMessenger(bot).send(
            "802", Message(text, buttons=((Button("Agree", "agree:1"),),))
        )
    finally:
        await bot.session.close()
    parts = fake.sent_to(802)
    assert len(parts) >= 3
    assert all(len(p.text or "") <= TEXT_LIMIT for p in parts)
    assert [bool(p.keyboard) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert outcome == Sent(str(fake.last_message_id(802)))


# ---- secrets -----------------------------------------------------------------------------------


def test_webhook_secret_is_deterministic_and_valid_for_telegram() -> None:
    secret = derive_webhook_secret("configured-secret")
    assert secret == derive_webhook_secret("configured-secret")
    assert secret != derive_webhook_secret("another-secret")
    assert 1 <= len(secret) <= 256 and secret.isalnum()


def test_redaction_masks_registered_secrets_everywhere_in_a_line() -> None:
    register_secret("987654:SECRET-value-for-redaction")
    line = "POST https://api.telegram.org/bot987654:SECRET-value-for-redaction/sendMessage"
    assert redact(line) == f"POST https://api.telegram.org/bot{MASK}/sendMessage"


async def test_the_bot_token_never_reaches_the_logs(
    app: App, fake: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_channel(app, fake, mode="polling") as channel:
        olena = Resident(fake, 803, mode="polling", language_code="en")
        await olena.say("/start")
        await olena.sees("Choose your language")
        fake.fail_next("sendMessage", 500, f"Internal error at /bot{fake.token}/sendMessage")
        errors = [await channel.messenger.send("803", Message("news"))]
        logging.getLogger("aiohttp.client").warning(
            "GET %s failed", f"{fake.base_url}/bot{fake.token}/getMe"
        )
        try:
            raise RuntimeError(f"boom at /bot{fake.token}/")
        except RuntimeError:
            logging.getLogger("bot.telegram").exception("unexpected")
    # A dead server: aiogram's connection errors go through the same redaction.
    bot = build_bot(fake.token, "http://127.0.0.1:9")
    try:
        errors.append(await TelegramMessenger(bot).send("803", Message("news")))
    finally:
        await bot.session.close()
    assert [type(e) for e in errors] == [Transient, Transient]
    assert all(fake.token not in str(e) for e in errors)
    assert caplog.records
    assert fake.token not in caplog.text
    assert MASK in caplog.text


async def test_webhook_route_exists_only_in_webhook_mode(app: App, fake: FakeTelegramAPI) -> None:
    async with running_channel(app, fake, mode="polling") as channel:
        assert channel.web_routes() == []
    async with running_channel(app, fake, mode="webhook") as channel:
        assert [r.path for r in channel.web_routes()] == [WEBHOOK_PATH]  # type: ignore[attr-defined]
