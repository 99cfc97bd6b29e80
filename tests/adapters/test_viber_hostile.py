"""Signed but hostile Viber callbacks: never a 5xx, never a traceback, nothing stored when refused.

Each body is signed with the bot's token, as if Viber (or whoever holds the token) sent it.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.bootstrap import App
from core.citizens.model import IdentityRef
from tests.adapters.hostile import (
    DEEP_JSON,
    OVERSIZED,
    TOO_BIG,
    Case,
    row_counts,
    tracebacks,
)
from tests.adapters.test_viber_webhook import TOKEN, ViberBot, running_viber_bot
from tests.fakes.viber_api import FakeViberApi, ViberUser, sign


def user(user_id: Any = "olena==", **fields: Any) -> dict[str, Any]:
    return {"id": user_id, "name": "Олена", "language": "uk", "api_version": 10, **fields}


_tokens = itertools.count(5_400_000_000_000_000_001)


def message(body: dict[str, Any], sender: Any = None, token: Any = None) -> dict[str, Any]:
    token = next(_tokens) if token is None else token  # each case its own token: no dedup
    event = {"event": "message", "timestamp": 1, "message_token": token, "message": body}
    event["sender"] = user() if sender is None else sender
    return event


def text(value: Any, **kwargs: Any) -> dict[str, Any]:
    return message({"type": "text", "text": value}, **kwargs)


def event(name: str, **fields: Any) -> dict[str, Any]:
    return {"event": name, "timestamp": 1, **fields}


def location(lat: Any, lon: Any = 30.5) -> dict[str, Any]:
    return message({"type": "location", "location": {"lat": lat, "lon": lon}})


NAN = float("nan")

CASES = [
    # Unreadable bodies: a deliberate 400 (or 413 from aiohttp for an oversized one).
    Case("not-json", b"hello", 400),
    Case("nested-5000-deep", DEEP_JSON, 400),
    Case("not-utf8", b'{"event": "\xff\xfe"}', 400),
    Case("top-level-array", b"[1, 2]", 400),
    Case("event-missing", {"timestamp": 1}, 400),
    Case("event-not-a-string", {"event": {"x": 1}}, 400),
    Case("oversized", OVERSIZED, 413),
    # Signed but impossible: one log line, 200 so that Viber does not retry, nothing stored.
    Case("text-is-a-number", text(42), 200),
    Case("text-is-a-list", text(["a"]), 200),
    Case("text-over-16k", text("я" * 20_000), 200),
    Case("sender-id-129-chars", text("hi", sender=user("u" * 129)), 200),
    Case("sender-id-with-nul", text("hi", sender=user("u\x00v")), 200),
    Case("sender-id-lone-surrogate", text("hi", sender=user("u\ud800")), 200),
    Case("sender-id-a-number", text("hi", sender=user(12345)), 200),
    Case("sender-id-missing", text("hi", sender={"name": "x"}), 200),
    Case("sender-a-string", text("hi", sender="olena"), 200),
    Case("token-200-chars", text("hi", token="9" * 200), 200),
    Case("token-negative", text("hi", token=-1), 200),
    Case("token-2^70", text("hi", token=2**70), 200),
    Case("token-a-float", text("hi", token=1.5), 200),
    Case("token-missing", event("message", sender=user(), message={"type": "gif"}), 200),
    Case("lat-null", location(None), 200),
    Case("lat-text", location("abc"), 200),
    Case("lat-nan", location(NAN), 200),
    Case("lon-out-of-range", location(50.4, 1e308), 200),
    Case("media-600-chars", message({"type": "picture", "media": "https://x/" + "a" * 600}), 200),
    Case("media-a-number", message({"type": "picture", "media": 7}), 200),
    Case("phone-a-number", message({"type": "contact", "contact": {"phone_number": 380}}), 200),
    Case("subscribed-id-nul", event("subscribed", user=user("a\x00")), 200),
    Case("unsubscribed-id-long", event("unsubscribed", user_id="u" * 500), 200),
    Case("unsubscribed-id-list", event("unsubscribed", user_id=[1]), 200),
    Case("started-id-number", event("conversation_started", user=user(7)), 200),
    Case("failed-desc-huge", event("failed", message_token=1, desc="x" * 9999), 200),
    # Readable: the resident is answered, in their language where the hint allows.
    Case("text-with-nul", text("при\x00віт"), 200, answered=True),
    Case("text-lone-surrogate", text("\ud800"), 200, answered=True),
    Case("language-a-number", text("hi", sender=user(language=42)), 200, answered=True),
    Case("language-huge", text("hi", sender=user(language="x" * 5000)), 200, answered=True),
    Case("name-a-dict", text("hi", sender=user(name={"a": 1})), 200, answered=True),
    Case("vote-id-over-int64", text(f"vote:{TOO_BIG}:1"), 200, answered=True),
    Case("page-superscript-two", text("polls:²"), 200, answered=True),
]


def body_of(case: Case) -> bytes:
    if isinstance(case.body, bytes):
        return case.body
    return json.dumps(case.body).encode()  # NaN stays NaN, "\ud800" stays an escape


@pytest.fixture
async def viber(app: App) -> AsyncIterator[ViberBot]:
    async with FakeViberApi(TOKEN) as api, running_viber_bot(app, api) as bot:
        yield bot


async def test_hostile_callbacks_get_a_deliberate_status_no_traceback_and_store_nothing(
    viber: ViberBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    wrong: dict[str, str] = {}
    for case in CASES:
        caplog.clear()
        before, sent_before = await row_counts(viber.app), len(viber.api.calls_to("send_message"))
        body = body_of(case)
        result = await viber.api.callback({}, body=body, signature=sign(TOKEN, body))
        answered = len(viber.api.calls_to("send_message")) > sent_before
        if result.status != case.status:
            wrong[case.label] = f"status {result.status}, expected {case.status}"
        elif found := tracebacks(caplog.records):
            wrong[case.label] = f"traceback logged: {found[0]}"
        elif answered != case.answered:
            wrong[case.label] = "answered" if answered else "not answered"
        elif not case.answered and await row_counts(viber.app) != before:
            wrong[case.label] = "stored something"
    assert wrong == {}


async def test_an_ignored_callback_is_logged_in_one_line_with_its_reason(
    viber: ViberBot, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(text("hi", sender=user("u\x00v"))).encode()
    caplog.set_level(logging.INFO, logger="bot.viber")

    result = await viber.api.callback({}, body=body, signature=sign(TOKEN, body))

    assert result.status == 200
    (line,) = [r.getMessage() for r in caplog.records if "ignored" in r.getMessage()]
    assert (
        line == "viber message callback ignored: user id has control characters or lone surrogates"
    )


@pytest.mark.parametrize(
    "screen",
    [
        pytest.param("orgs:0", id="organization-search"),
        pytest.param("inew", id="idea-title"),
    ],
)
async def test_nul_and_lone_surrogates_typed_into_free_text_are_answered_not_stored_raw(
    viber: ViberBot, caplog: pytest.LogCaptureFixture, screen: str
) -> None:
    resident = ViberUser("free+text==", language="en")
    await viber.press(resident, "setlang:en")
    await viber.press(resident, screen)
    caplog.set_level(logging.INFO)

    answers = await viber.press(resident, "Зелене\x00 місто \ud800 парк")

    assert answers, "the resident is answered"
    assert tracebacks(caplog.records) == []
    async with viber.app.uow_factory() as uow:
        citizen = await uow.citizens.get_by_identity(IdentityRef("viber", resident.id))
    stored = json.dumps(citizen.dialog_state, ensure_ascii=False)
    assert "\x00" not in stored and "\ud800" not in stored
