"""Hostile Telegram webhook bodies with the right secret: never a 5xx, never a traceback.

aiogram refuses wrong JSON types (a 400); what passes it — ids beyond BIGINT, NUL bytes, lone
surrogates, huge strings, NaN coordinates — is checked by our mapping before any SQL.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.telegram.channel import SECRET_HEADER, TelegramChannel
from core.bootstrap import App
from tests.adapters.hostile import (
    DEEP_JSON,
    OVERSIZED,
    TOO_BIG,
    Case,
    row_counts,
    tracebacks,
)
from tests.adapters.telegram_harness import running_channel
from tests.fakes.telegram_api import FakeTelegramAPI

_users = itertools.count(7001)
_updates = itertools.count(90_001)


def user(user_id: Any = None, **fields: Any) -> dict[str, Any]:
    uid = next(_users) if user_id is None else user_id
    return {"id": uid, "is_bot": False, "first_name": "Olena", "language_code": "en", **fields}


def message(
    text: Any = "hi", *, sender: dict[str, Any] | None = None, update_id: Any = None, **extra: Any
) -> dict[str, Any]:
    sender = sender or user()
    body: dict[str, Any] = {
        "message_id": 1,
        "date": 1_764_000_000,
        "chat": {"id": sender["id"], "type": "private", "first_name": "Olena"},
        "from": sender,
        **extra,
    }
    if text is not None:
        body["text"] = text
    uid = next(_updates) if update_id is None else update_id
    return {"update_id": uid, "message": body}


def press(data: str, *, sender: dict[str, Any] | None = None) -> dict[str, Any]:
    sender = sender or user()
    return {
        "update_id": next(_updates),
        "callback_query": {
            "id": "cq1",
            "from": sender,
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": 5,
                "date": 1_764_000_000,
                "chat": {"id": sender["id"], "type": "private"},
                "text": "…",
            },
        },
    }


def photo(file_id: str, caption: str | None = None) -> dict[str, Any]:
    sizes = [{"file_id": file_id, "file_unique_id": "u", "width": 10, "height": 10}]
    return message(None, photo=sizes, **({"caption": caption} if caption else {}))


def chat_of(update: dict[str, Any], chat_id: int) -> dict[str, Any]:
    update["message"]["chat"]["id"] = chat_id
    return update


CASES = [
    # Unreadable or of the wrong JSON types: a deliberate 400 (413 for an oversized body).
    Case("not-json", b"hello", 400),
    Case("nested-5000-deep", DEEP_JSON, 400),
    Case("top-level-array", b"[1, 2]", 400),
    Case("update-id-missing", {"message": message()["message"]}, 400),
    Case("text-is-a-number", message(42), 400),
    Case("oversized", OVERSIZED, 413),
    # aiogram accepts these; no real Telegram sends them: one log line, 200, nothing stored.
    Case("user-id-2^63", message(sender=user(TOO_BIG)), 200),
    Case("user-id-negative", message(sender=user(-5)), 200),
    Case("update-id-2^63", message(update_id=TOO_BIG), 200),
    Case("update-id-200-digits", message(update_id=10**200), 200),
    Case("chat-id-2^70", chat_of(message(), 2**70), 200),
    Case("text-over-4096", message("я" * 5000), 200),
    Case("caption-over-1024", photo("AgAD", caption="x" * 2000), 200),
    Case("file-id-600-chars", photo("A" * 600), 200),
    Case("file-id-with-nul", photo("Ag\x00AD"), 200),
    Case("latitude-nan", message(None, location={"latitude": float("nan"), "longitude": 1}), 200),
    Case("longitude-1e308", message(None, location={"latitude": 1, "longitude": 1e308}), 200),
    Case("callback-from-2^63", press("menu", sender=user(TOO_BIG)), 200),
    # Readable: the resident is answered (before: "/ " raised IndexError and got nothing).
    Case("slash-space", message("/ "), 200, answered=True),
    Case("text-with-nul", message("при\x00віт"), 200, answered=True),
    Case("text-lone-surrogate", message("\ud800"), 200, answered=True),
    Case("name-with-nul", message(sender=user(first_name="O\x00l")), 200, answered=True),
    Case("language-huge", message(sender=user(language_code="x" * 5000)), 200, answered=True),
    Case("data-with-nul", press("vote:1\x00:2"), 200, answered=True),
    Case("data-lone-surrogate", press("poll:\ud800"), 200, answered=True),
    Case("data-over-64-bytes", press("poll:" + "1" * 100), 200, answered=True),
    Case("data-id-over-int64", press(f"vote:{TOO_BIG}:1"), 200, answered=True),
    Case("data-superscript-two", press("polls:²"), 200, answered=True),
]


def chat_in(case: Case) -> int | None:
    body = case.body
    if isinstance(body, bytes):
        return None
    event = body.get("message") or body.get("callback_query") or {}
    return event.get("from", {}).get("id")


@pytest.fixture
async def channel(app: App) -> AsyncIterator[tuple[TelegramChannel, FakeTelegramAPI]]:
    async with (
        FakeTelegramAPI() as fake,
        running_channel(app, fake, mode="webhook") as channel,
    ):
        yield channel, fake


async def post(fake: FakeTelegramAPI, body: bytes) -> int:
    assert fake.webhook_url and fake.webhook_secret
    headers = {SECRET_HEADER: fake.webhook_secret, "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.webhook_url, data=body, headers=headers) as response,
    ):
        return response.status


async def answered(fake: FakeTelegramAPI, chat_id: int | None, within: float = 5.0) -> bool:
    """Replies are rendered after the webhook is acknowledged: wait a little for them."""
    if chat_id is None:
        return False
    for _ in range(int(within / 0.02)):
        if fake.sent_to(chat_id):
            return True
        await asyncio.sleep(0.02)
    return False


async def test_hostile_updates_get_a_deliberate_status_no_traceback_and_store_nothing(
    app: App,
    channel: tuple[TelegramChannel, FakeTelegramAPI],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _channel, fake = channel
    caplog.set_level(logging.INFO)
    wrong: dict[str, str] = {}
    for case in CASES:
        caplog.clear()
        before = await row_counts(app)
        body = case.body if isinstance(case.body, bytes) else json.dumps(case.body).encode()
        status = await post(fake, body)
        got_answer = case.answered and await answered(fake, chat_in(case))
        if status != case.status:
            wrong[case.label] = f"status {status}, expected {case.status}"
        elif found := tracebacks(caplog.records):
            wrong[case.label] = f"traceback logged: {found[0]}"
        elif got_answer != case.answered:
            wrong[case.label] = "not answered"
        elif not case.answered and await row_counts(app) != before:
            wrong[case.label] = "stored something"
    assert wrong == {}


async def test_a_stale_button_is_answered_in_the_residents_language(
    app: App, channel: tuple[TelegramChannel, FakeTelegramAPI]
) -> None:
    _channel, fake = channel
    resident = user(language_code="uk")

    assert await post(fake, json.dumps(press("polls:²", sender=resident)).encode()) == 200

    assert await answered(fake, resident["id"])
    (reply,) = fake.sent_to(resident["id"])
    assert reply.text == "Ця кнопка застаріла. Відкрийте головне меню й спробуйте ще раз."
