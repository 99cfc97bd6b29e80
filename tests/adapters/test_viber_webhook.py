"""The Viber channel end to end in one process: real viberbot parsing, real aiohttp webhook,
real database (SQLite and PostgreSQL), the fake Viber REST API on the other side."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from bot.dialogs import Dialogs
from bot.viber.channel import EVENT_TYPES, WEBHOOK_PATH, ViberChannel, build_channel
from bot.web import build_web_app
from core.bootstrap import App, bootstrap
from core.campaigns import service as campaigns
from core.citizens.model import IdentityRef
from core.config import Secret, Settings
from core.delivery.messenger import Message, Unreachable
from core.polls import service as polls
from tests.fakes.clock import FakeClock
from tests.fakes.viber_api import FakeViberApi, ViberUser, sign

TOKEN = "4b1d-fake-viber-token-0123456789abcdef"
OLENA = ViberUser("olena+abc/123==", name="Олена", language="en")


@dataclass
class ViberBot:
    """The bot under test and the fake Viber it talks to."""

    app: App
    api: FakeViberApi
    channel: ViberChannel

    async def press(self, user: ViberUser, payload: str) -> list[dict[str, Any]]:
        """Send `payload` as Viber does for a pressed button; return the bot's answers."""
        before = len(self.api.messages_to(user.id))
        result = await self.api.send_text(user, payload)
        assert result.status == 200
        return self.api.messages_to(user.id)[before:]

    async def is_reachable(self, user: ViberUser) -> bool | None:
        async with self.app.uow_factory() as uow:
            return await uow.citizens.is_reachable(IdentityRef("viber", user.id))


def payloads(message: dict[str, Any]) -> list[str]:
    return [b["ActionBody"] for b in (message.get("keyboard") or {}).get("Buttons", [])]


@asynccontextmanager
async def running_viber_bot(app: App, api: FakeViberApi) -> AsyncIterator[ViberBot]:
    """`spilno run`'s wiring for one channel: build_channel, the shared web app, start/stop."""
    settings = dataclasses.replace(
        app.settings,
        viber_token=Secret(TOKEN),
        viber_api_url=api.url,
        webhook_base_url="http://127.0.0.1:1",  # the real port is known once bound
    )
    viber_app = dataclasses.replace(app, settings=settings, messengers={})
    dialogs = Dialogs(app.uow_factory, clock=app.clock, default_locale="uk")
    channel = build_channel(viber_app, dialogs)
    runner = web.AppRunner(build_web_app(viber_app, [channel]), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    channel.webhook_url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    try:
        await channel.start()
        yield ViberBot(viber_app, api, channel)
    finally:
        await channel.stop()
        await runner.cleanup()


@pytest.fixture
async def viber_api() -> AsyncIterator[FakeViberApi]:
    async with FakeViberApi(TOKEN) as api:
        yield api


@pytest.fixture
async def viber(app: App, viber_api: FakeViberApi) -> AsyncIterator[ViberBot]:
    async with running_viber_bot(app, viber_api) as bot:
        yield bot


async def open_poll(app: App, question: str, options: list[str]) -> int:
    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow, question=question, options=options, actor="test", now=app.clock()
        )
        await campaigns.open_campaign(uow, poll.id, actor="test", now=app.clock())
        await uow.commit()
    return poll.id


async def test_start_registers_the_webhook_with_event_types_and_answers_its_check(
    viber: ViberBot,
) -> None:
    (call,) = viber.api.calls_to("set_webhook")
    assert call.accepted, call.answer
    assert call.body["url"] == viber.channel.webhook_url
    assert set(call.body["event_types"]) == set(EVENT_TYPES)
    assert viber.api.webhook_url == viber.channel.webhook_url
    assert "auth_token" not in call.body and call.auth_token == TOKEN


async def test_messenger_is_registered_for_bulk_delivery(viber: ViberBot) -> None:
    assert viber.app.messengers["viber"] is viber.channel.messenger


async def test_opening_the_bot_answers_with_a_welcome_and_buttons_in_the_response(
    viber: ViberBot,
) -> None:
    result = await viber.api.conversation_started(OLENA)

    assert result.status == 200
    welcome = result.json()
    assert welcome["type"] == "text"
    assert 0 < len(welcome["text"]) <= 640
    assert welcome["sender"]["name"] == "Spilno"
    assert payloads(welcome), "the welcome needs buttons to start with"
    assert viber.api.calls_to("send_message") == [], "the welcome is free: not sent separately"


async def test_returning_resident_is_welcomed_with_a_start_button(viber: ViberBot) -> None:
    await viber.press(OLENA, "setlang:en")

    welcome = (await viber.api.conversation_started(OLENA)).json()

    assert "Press Start" in welcome["text"]
    assert payloads(welcome) == ["start"]


async def test_resident_votes_in_a_poll_with_buttons_and_sees_results(viber: ViberBot) -> None:
    poll_id = await open_poll(viber.app, "Where should the new park be?", ["Riverside", "Center"])
    await viber.api.conversation_started(OLENA)

    welcome, menu = await viber.press(OLENA, "setlang:en")
    assert "Welcome to Spilno" in welcome["text"]
    assert "polls:0" in payloads(menu)

    (poll_list,) = await viber.press(OLENA, "polls:0")
    assert f"poll:{poll_id}" in payloads(poll_list)

    (poll_screen,) = await viber.press(OLENA, f"poll:{poll_id}")
    assert "Where should the new park be?" in poll_screen["text"]
    option_payloads = [p for p in payloads(poll_screen) if p.startswith("vote:")]
    assert len(option_payloads) == 2

    (voted,) = await viber.press(OLENA, option_payloads[0])
    assert "Your vote is saved" in voted["text"]
    assert "Your vote: Riverside" in voted["text"]

    (results,) = await viber.press(OLENA, f"pres:{poll_id}")
    assert "1 person voted" in results["text"]

    async with viber.app.uow_factory() as uow:
        votes, voters = await uow.ballots.tally(poll_id)
    assert voters == 1 and sum(votes.values()) == 1


async def test_buttons_are_a_six_column_grid_of_readable_silent_replies(viber: ViberBot) -> None:
    await viber.press(OLENA, "setlang:en")
    (settings,) = await viber.press(OLENA, "settings")

    keyboard = settings["keyboard"]
    assert keyboard["Type"] == "keyboard"
    for button in keyboard["Buttons"]:
        assert button["ActionType"] == "reply"
        assert button["Columns"] == 6  # one button per row in this screen: full width
        assert button["Silent"] is True
        assert button["Text"] and button["ActionBody"]
    assert "Main menu" in keyboard["Buttons"][-1]["Text"]


async def test_typed_commands_work_as_shortcuts(viber: ViberBot) -> None:
    await viber.press(OLENA, "setlang:en")

    (help_reply,) = await viber.press(OLENA, "/help")

    assert "Spilno lets you take part" in help_reply["text"]


async def test_sticker_gets_a_short_polite_hint(viber: ViberBot) -> None:
    await viber.press(OLENA, "setlang:en")
    before = len(viber.api.messages_to(OLENA.id))

    result = await viber.api.send_sticker(OLENA)

    assert result.status == 200
    (hint,) = viber.api.messages_to(OLENA.id)[before:]
    assert "can't read this kind of message" in hint["text"]
    assert payloads(hint) == ["menu"]


async def test_file_where_none_is_asked_gets_the_same_hint(viber: ViberBot) -> None:
    await viber.press(OLENA, "setlang:en")
    before = len(viber.api.messages_to(OLENA.id))

    await viber.api.send_file(OLENA)

    (hint,) = viber.api.messages_to(OLENA.id)[before:]
    assert "can't read this kind of message" in hint["text"]


async def test_callback_without_signature_is_refused_and_nothing_is_stored(
    viber: ViberBot,
) -> None:
    event = viber.api.message_event(OLENA, {"type": "text", "text": "setlang:en"})

    result = await viber.api.callback(event, signature=None)

    assert result.status == 403
    assert await viber.is_reachable(OLENA) is None, "no citizen may be registered"
    assert viber.api.calls_to("send_message") == []


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("0" * 64, id="wrong"),
        pytest.param("not-hex", id="garbage"),
        pytest.param("", id="empty"),
    ],
)
async def test_callback_with_a_bad_signature_is_refused_and_nothing_is_stored(
    viber: ViberBot, signature: str
) -> None:
    event = viber.api.message_event(OLENA, {"type": "text", "text": "setlang:en"})

    result = await viber.api.callback(event, signature=signature)

    assert result.status == 403
    assert await viber.is_reachable(OLENA) is None
    assert viber.api.calls_to("send_message") == []


async def test_body_changed_after_signing_is_refused(viber: ViberBot) -> None:
    signed = json.dumps(viber.api.message_event(OLENA, {"type": "text", "text": "help"})).encode()

    tampered = signed.replace(b"help", b"menu")
    result = await viber.api.callback({}, body=tampered, signature=sign(TOKEN, signed))

    assert result.status == 403


async def test_duplicate_callback_is_processed_once(viber: ViberBot) -> None:
    poll_id = await open_poll(viber.app, "Repair which road?", ["Main street", "Park lane"])
    await viber.press(OLENA, "setlang:en")
    (poll_screen,) = await viber.press(OLENA, f"poll:{poll_id}")
    vote = next(p for p in payloads(poll_screen) if p.startswith("vote:"))
    event = viber.api.message_event(OLENA, {"type": "text", "text": vote})
    body = json.dumps(event).encode()
    before = len(viber.api.messages_to(OLENA.id))

    first = await viber.api.callback(event, body=body)
    again = await viber.api.callback(event, body=body)  # Viber retrying the same callback

    assert first.status == again.status == 200
    assert len(viber.api.messages_to(OLENA.id)) == before + 1, "one answer, not two"
    async with viber.app.uow_factory() as uow:
        _votes, voters = await uow.ballots.tally(poll_id)
    assert voters == 1


async def test_unsubscribed_resident_becomes_unreachable_and_gets_no_sends(
    viber: ViberBot,
) -> None:
    await viber.press(OLENA, "setlang:en")
    sends_before = len(viber.api.calls_to("send_message"))

    result = await viber.api.unsubscribe(OLENA)

    assert result.status == 200
    assert await viber.is_reachable(OLENA) is False
    assert len(viber.api.calls_to("send_message")) == sends_before, "nothing sent in reply"
    report = await viber.channel.messenger.broadcast([OLENA.id], Message("A new poll"))
    (outcome,) = report.results
    assert isinstance(outcome.outcome, Unreachable)


async def test_any_message_after_unsubscribing_opts_the_resident_back_in(
    viber: ViberBot,
) -> None:
    await viber.press(OLENA, "setlang:en")
    await viber.api.unsubscribe(OLENA)

    answers = await viber.press(OLENA, "menu")

    assert answers, "the resident who writes again is answered"
    assert await viber.is_reachable(OLENA) is True


async def test_subscribed_event_marks_a_known_resident_reachable(viber: ViberBot) -> None:
    await viber.press(OLENA, "setlang:en")
    await viber.api.unsubscribe(OLENA)

    result = await viber.api.subscribe(OLENA)

    assert result.status == 200
    assert await viber.is_reachable(OLENA) is True


async def test_reply_refused_as_not_subscribed_marks_the_resident_unreachable(
    viber: ViberBot,
) -> None:
    await viber.press(OLENA, "setlang:en")
    viber.api.fail_next("send_message", status=6)

    result = await viber.api.send_text(OLENA, "menu")

    assert result.status == 200
    assert await viber.is_reachable(OLENA) is False


async def test_viber_outage_while_replying_still_acknowledges_the_callback(
    viber: ViberBot,
) -> None:
    await viber.press(OLENA, "setlang:en")
    viber.api.fail_next("send_message", http_status=502)

    result = await viber.api.send_text(OLENA, "menu")

    assert result.status == 200, "a retry would be deduplicated anyway"
    assert await viber.is_reachable(OLENA) is True


async def test_delivery_receipts_are_acknowledged(viber: ViberBot) -> None:
    for name in ("delivered", "seen"):
        event = viber.api.event(name, message_token=1, user_id=OLENA.id)
        assert (await viber.api.callback(event)).status == 200
    failed = viber.api.event("failed", message_token=2, user_id=OLENA.id, desc="not delivered")
    assert (await viber.api.callback(failed)).status == 200


async def test_malformed_body_with_a_valid_signature_is_a_bad_request(viber: ViberBot) -> None:
    result = await viber.api.callback({}, body=b"not json")

    assert result.status == 400


@pytest.mark.parametrize(
    "database_url",
    [
        pytest.param("sqlite+aiosqlite:////nonexistent-spilno-dir/spilno.db", id="sqlite"),
        pytest.param("postgresql+asyncpg://postgres@127.0.0.1:1/spilno", id="postgres"),
    ],
)
async def test_unavailable_database_answers_503_so_viber_retries(
    viber_api: FakeViberApi, database_url: str
) -> None:
    settings = Settings(database_url=database_url, _env_file=None)
    unreachable = bootstrap(settings, clock=FakeClock())
    try:
        async with running_viber_bot(unreachable, viber_api):
            assert (await viber_api.send_text(OLENA, "menu")).status == 503
            assert (await viber_api.unsubscribe(OLENA)).status == 503
            assert (await viber_api.subscribe(OLENA)).status == 503
    finally:
        await unreachable.aclose()


async def test_token_never_appears_in_logs(
    viber: ViberBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await viber.api.conversation_started(OLENA)
    await viber.press(OLENA, "setlang:en")
    viber.api.fail_next("send_message", http_status=500)
    await viber.api.send_text(OLENA, "menu")
    await viber.api.callback(viber.api.event("webhook"), signature="bad")
    logging.getLogger("anything").warning("a careless line with %s inside", TOKEN)

    assert caplog.records
    assert TOKEN not in caplog.text
