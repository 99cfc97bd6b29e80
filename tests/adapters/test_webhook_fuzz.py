"""Property: whatever a correctly signed webhook body holds, the answer is never a 5xx, nothing
logs a traceback, and a refused body stores nothing.

Bodies start from real update shapes and get a few fields replaced by hostile JSON (wrong types,
ids beyond BIGINT, NUL, lone surrogates, NaN, look-alike payloads) or removed. Both webhooks run
against PostgreSQL when it is reachable (it is the stricter database), else SQLite.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import logging
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dialogs.router import ACTIONS
from bot.telegram.channel import SECRET_HEADER
from core.bootstrap import App, bootstrap
from core.config import Settings
from tests.adapters.hostile import row_counts, tracebacks
from tests.adapters.telegram_harness import running_channel
from tests.adapters.test_viber_webhook import TOKEN, running_viber_bot
from tests.databases import PostgresTestDatabase, SqliteTemplate
from tests.fakes.clock import FakeClock
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.viber_api import FakeViberApi, sign

EXAMPLES = 150  # per platform: about 5 s each on the 2-core CI machine
DELETE = object()


@dataclasses.dataclass
class Rig:
    """Both webhooks of one app, served from a loop the (synchronous) Hypothesis test drives."""

    runner: asyncio.Runner
    app: App
    viber_url: str
    telegram_url: str
    telegram_secret: str
    session: aiohttp.ClientSession

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        async def send() -> int:
            async with self.session.post(url, data=body, headers=headers) as response:
                await response.read()
                return response.status

        return self.runner.run(send())

    def counts(self) -> dict[str, int]:
        return self.runner.run(row_counts(self.app))


@pytest.fixture
def rig(
    postgres_database: PostgresTestDatabase, sqlite_template: SqliteTemplate, tmp_path: Path
) -> Iterator[Rig]:
    with asyncio.Runner() as runner:
        if postgres_database.unavailable_reason:
            url = sqlite_template.fresh(tmp_path)
        else:
            runner.run(postgres_database.truncate_all())
            url = postgres_database.url
        app = bootstrap(Settings(database_url=url, _env_file=None), clock=FakeClock())
        stack = AsyncExitStack()

        async def start() -> Rig:
            viber_api = await stack.enter_async_context(FakeViberApi(TOKEN))
            viber = await stack.enter_async_context(running_viber_bot(app, viber_api))
            fake = await stack.enter_async_context(FakeTelegramAPI())
            await stack.enter_async_context(running_channel(app, fake, mode="webhook"))
            session = await stack.enter_async_context(aiohttp.ClientSession())
            assert fake.webhook_url and fake.webhook_secret
            return Rig(
                runner,
                app,
                viber.channel.webhook_url,
                fake.webhook_url,
                fake.webhook_secret,
                session,
            )

        try:
            yield runner.run(start())
        finally:
            runner.run(stack.aclose())
            runner.run(app.aclose())


# ---- hostile JSON --------------------------------------------------------------------------

any_char = st.characters(codec=None, exclude_categories=())  # surrogates and NUL included
field_text = st.one_of(
    st.text(alphabet="0123456789", min_size=1, max_size=22),
    st.sampled_from(["²", "١", "-1", "0", "9223372036854775808", "\x00", "\ud800", ""]),
    st.text(alphabet=any_char, max_size=6),
)
look_alike_payloads = st.builds(
    lambda action, fields: ":".join([action, *fields]),
    st.sampled_from(sorted(ACTIONS)),
    st.lists(field_text, max_size=4),
)
hostile_text = st.one_of(
    st.text(alphabet=any_char, max_size=40),
    look_alike_payloads,
    st.sampled_from(["/ ", "/", "\x00", "\ud800", "u" * 200, "я" * 5000, "NaN"]),
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63, 2**63 - 1, -(2**63), 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a JSON template, so that any field can be replaced or removed."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += [(*prefix, key), *paths(inner, (*prefix, key))]
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += [(*prefix, index), *paths(inner, (*prefix, index))]
    return found


def mutated(template: dict[str, Any], changes: list[tuple[tuple[Any, ...], Any]]) -> Any:
    body: Any = copy.deepcopy(template)
    for path, value in changes:
        parent = body
        try:
            for key in path[:-1]:
                parent = parent[key]
            if value is DELETE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change replaced this branch
    return body


def hostile_bodies(templates: list[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        template = draw(st.sampled_from(templates))
        changes = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(paths(template)), st.one_of(st.just(DELETE), json_values)
                ),
                min_size=1,
                max_size=3,
            )
        )
        return json.dumps(mutated(template, changes)).encode()

    return build()


VIBER_USER = {"id": "fuzz+1==", "name": "Олена", "language": "uk", "api_version": 10}
VIBER_TEMPLATES: list[dict[str, Any]] = [
    {
        "event": "message",
        "timestamp": 1,
        "message_token": 5_400_000_000_000_000_001,
        "sender": VIBER_USER,
        "message": message,
    }
    for message in (
        {"type": "text", "text": "polls:0"},
        {"type": "location", "location": {"lat": 50.45, "lon": 30.52}},
        {"type": "picture", "media": "https://x/p.jpg", "text": "pothole"},
        {"type": "contact", "contact": {"name": "Петро", "phone_number": "+380501234567"}},
    )
] + [
    {"event": "subscribed", "timestamp": 1, "user": VIBER_USER},
    {"event": "unsubscribed", "timestamp": 1, "user_id": "fuzz+1=="},
    {"event": "conversation_started", "timestamp": 1, "message_token": 1, "user": VIBER_USER},
]

TELEGRAM_USER = {"id": 4242, "is_bot": False, "first_name": "Olena", "language_code": "uk"}
TELEGRAM_CHAT = {"id": 4242, "type": "private", "first_name": "Olena"}
TELEGRAM_MESSAGE = {"message_id": 1, "date": 1_764_000_000, "chat": TELEGRAM_CHAT}
TELEGRAM_TEMPLATES: list[dict[str, Any]] = [
    {"update_id": 1, "message": {**TELEGRAM_MESSAGE, "from": TELEGRAM_USER, **content}}
    for content in (
        {"text": "/start"},
        {"text": "polls:0"},
        {"location": {"latitude": 50.45, "longitude": 30.52}},
        {"photo": [{"file_id": "AgAD", "file_unique_id": "u", "width": 9, "height": 9}]},
        {"contact": {"phone_number": "+380501234567", "first_name": "O", "user_id": 4242}},
    )
] + [
    {
        "update_id": 1,
        "callback_query": {
            "id": "cq",
            "from": TELEGRAM_USER,
            "chat_instance": "ci",
            "data": "vote:1:2",
            "message": {**TELEGRAM_MESSAGE, "text": "…"},
        },
    }
]

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # One running bot serves every example on purpose: starting one per example is too slow.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check(
    rig: Rig, caplog: pytest.LogCaptureFixture, url: str, body: bytes, headers: dict[str, str]
) -> None:
    caplog.clear()
    before = rig.counts()
    status = rig.post(url, body, headers)
    assert status < 500, body
    assert tracebacks(caplog.records) == [], body
    ignored = status >= 400 or any("ignored" in r.getMessage() for r in caplog.records)
    if ignored:
        assert rig.counts() == before, body


@FUZZ
@given(body=hostile_bodies(VIBER_TEMPLATES), token=st.integers(1, 2**62))
def test_any_signed_viber_body_is_answered_deliberately(
    rig: Rig, caplog: pytest.LogCaptureFixture, body: bytes, token: int
) -> None:
    caplog.set_level(logging.INFO)
    # A fresh message token (unless the fuzz replaced it) so that dedup does not hide the handling.
    body = body.replace(b"5400000000000000001", str(token).encode(), 1)
    headers = {"X-Viber-Content-Signature": sign(TOKEN, body)}
    check(rig, caplog, rig.viber_url, body, headers)


@pytest.mark.filterwarnings("ignore:Detected unknown update type")  # a body whose event was removed
@FUZZ
@given(body=hostile_bodies(TELEGRAM_TEMPLATES), update_id=st.integers(1, 2**31))
def test_any_telegram_body_with_the_secret_is_answered_deliberately(
    rig: Rig, caplog: pytest.LogCaptureFixture, body: bytes, update_id: int
) -> None:
    caplog.set_level(logging.INFO)
    # A fresh update id (unless the fuzz replaced it) so that dedup does not hide the handling.
    body = body.replace(b'"update_id": 1,', f'"update_id": {update_id},'.encode(), 1)
    headers = {SECRET_HEADER: rig.telegram_secret, "Content-Type": "application/json"}
    check(rig, caplog, rig.telegram_url, body, headers)
