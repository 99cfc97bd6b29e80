"""ViberMessenger against the fake Viber REST API: sends, status mapping, batched broadcasts."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.viber.messenger import (
    BROADCAST_BATCH,
    SlidingWindowLimiter,
    ViberMessenger,
    ViberSender,
)
from core.delivery.messenger import (
    Button,
    Message,
    Permanent,
    RateLimited,
    Scope,
    SendOutcome,
    Sent,
    Transient,
    Unreachable,
)
from tests.fakes.viber_api import FakeViberApi

TOKEN = "messenger-test-token-9f8e7d6c5b4a"
MENU = Message("Main menu", buttons=((Button("Polls", "polls:0"),),))


@pytest.fixture
async def viber_api() -> AsyncIterator[FakeViberApi]:
    async with FakeViberApi(TOKEN) as api:
        yield api


@pytest.fixture
async def messenger(viber_api: FakeViberApi) -> AsyncIterator[ViberMessenger]:
    messenger = ViberMessenger(
        token=TOKEN,
        api_url=viber_api.url,
        sender=ViberSender("Spilno", "https://example.org/spilno.png"),
        rate_limit_pause_s=0.01,
    )
    yield messenger
    await messenger.close()


def residents(count: int) -> list[str]:
    return [f"resident-{i:04d}==" for i in range(count)]


async def test_send_uses_the_auth_header_and_never_puts_the_token_in_the_body(
    viber_api: FakeViberApi, messenger: ViberMessenger
) -> None:
    viber_api.subscribed.add("olena")

    outcome = await messenger.send("olena", MENU)

    (call,) = viber_api.calls_to("send_message")
    assert call.auth_token == TOKEN
    assert TOKEN not in str(call.body)
    assert call.body["receiver"] == "olena"
    assert call.body["sender"] == {"name": "Spilno", "avatar": "https://example.org/spilno.png"}
    assert call.body["keyboard"]["Buttons"][0]["ActionBody"] == "polls:0"
    assert outcome == Sent(str(call.answer["message_token"]))


async def test_wrong_token_is_a_permanent_failure(viber_api: FakeViberApi) -> None:
    viber_api.subscribed.add("olena")
    wrong = ViberMessenger(token="wrong", api_url=viber_api.url, sender=ViberSender("Spilno"))
    try:
        outcome = await wrong.send("olena", MENU)
        assert isinstance(outcome, Permanent) and "invalidAuthToken" in outcome.reason
    finally:
        await wrong.close()


async def test_text_over_7000_characters_is_split_with_the_keyboard_on_the_last_part(
    viber_api: FakeViberApi, messenger: ViberMessenger
) -> None:
    viber_api.subscribed.add("olena")
    paragraph = "Пропозиція щодо бюджету участі. " * 100  # ~3,200 characters
    long_text = "\n\n".join([paragraph] * 5)  # ~16,000 characters

    await messenger.send("olena", Message(long_text, buttons=MENU.buttons))

    parts = viber_api.messages_to("olena")
    assert len(parts) == 3
    assert all(len(p["text"]) <= 7000 for p in parts)
    assert [("keyboard" in p) for p in parts] == [False, False, True]
    assert "".join(p["text"] for p in parts).replace(" ", "").replace("\n", "") == (
        long_text.replace(" ", "").replace("\n", "")
    )


@pytest.mark.parametrize(
    ("status", "error"),
    [
        pytest.param(12, RateLimited, id="tooManyRequests-retry-later"),
        pytest.param(5, Unreachable, id="receiverNotRegistered-unreachable"),
        pytest.param(6, Unreachable, id="receiverNotSubscribed-unreachable"),
        pytest.param(11, Unreachable, id="noSuitableDevice-unreachable"),
        pytest.param(10, Transient, id="webhookNotSet-retryable"),
        pytest.param(99, Transient, id="generalError-retryable"),
        pytest.param(2, Permanent, id="invalidAuthToken-permanent"),
        pytest.param(3, Permanent, id="badData-permanent"),
        pytest.param(7, Permanent, id="accountBlocked-permanent"),
        pytest.param(13, Permanent, id="apiVersionNotSupported-permanent"),
    ],
)
async def test_viber_status_codes_map_to_typed_send_outcomes(
    viber_api: FakeViberApi, messenger: ViberMessenger, status: int, error: type[SendOutcome]
) -> None:
    viber_api.subscribed.add("olena")
    viber_api.fail_next("send_message", status=status)

    assert type(await messenger.send("olena", MENU)) is error


@pytest.mark.parametrize(
    ("http_status", "error"),
    [
        pytest.param(429, RateLimited, id="429-retry-later"),
        pytest.param(500, Transient, id="500-retryable"),
        pytest.param(503, Transient, id="503-retryable"),
        pytest.param(404, Permanent, id="404-permanent"),
    ],
)
async def test_http_failures_map_to_typed_send_outcomes(
    viber_api: FakeViberApi,
    messenger: ViberMessenger,
    http_status: int,
    error: type[SendOutcome],
) -> None:
    viber_api.subscribed.add("olena")
    viber_api.fail_next("send_message", http_status=http_status)

    assert type(await messenger.send("olena", MENU)) is error


async def test_rate_limit_asks_to_pause_for_a_positive_time(
    viber_api: FakeViberApi, messenger: ViberMessenger
) -> None:
    viber_api.fail_next("send_message", status=12)

    outcome = await messenger.send("olena", MENU)

    assert isinstance(outcome, RateLimited) and outcome.retry_after > 0
    assert outcome.scope is Scope.BOT


async def test_slow_viber_times_out_as_a_retryable_failure(viber_api: FakeViberApi) -> None:
    viber_api.subscribed.add("olena")
    viber_api.fail_next("send_message", delay_s=1.0)
    impatient = ViberMessenger(
        token=TOKEN,
        api_url=viber_api.url,
        sender=ViberSender("Spilno"),
        timeout=aiohttp.ClientTimeout(total=0.2),
    )
    try:
        outcome = await impatient.send("olena", MENU)
        assert isinstance(outcome, Transient) and "Timeout" in outcome.reason
    finally:
        await impatient.close()


async def test_unreachable_api_is_a_retryable_failure() -> None:
    nowhere = ViberMessenger(
        token=TOKEN, api_url="http://127.0.0.1:1/pa", sender=ViberSender("Spilno")
    )
    try:
        assert isinstance(await nowhere.send("olena", MENU), Transient)
    finally:
        await nowhere.close()


async def test_broadcast_to_1000_residents_goes_out_in_4_requests_of_at_most_300(
    viber_api: FakeViberApi, messenger: ViberMessenger
) -> None:
    everyone = residents(1000)
    viber_api.subscribed.update(everyone)

    report = await messenger.broadcast(everyone, MENU)

    calls = viber_api.calls_to("broadcast_message")
    assert [len(c.body["broadcast_list"]) for c in calls] == [300, 300, 300, 100]
    assert [r for c in calls for r in c.body["broadcast_list"]] == everyone
    assert all(c.auth_token == TOKEN and TOKEN not in str(c.body) for c in calls)
    assert calls[0].body["keyboard"]["Buttons"][0]["ActionBody"] == "polls:0"
    assert [r.external_id for r in report.results] == everyone
    assert all(isinstance(r.outcome, Sent) for r in report.results)


async def test_broadcast_records_per_receiver_failures_for_those_receivers_only(
    viber_api: FakeViberApi, messenger: ViberMessenger
) -> None:
    everyone = residents(310)
    viber_api.subscribed.update(everyone)
    viber_api.subscribed.discard(everyone[5])  # left the bot
    viber_api.receiver_errors[everyone[305]] = 11  # no device that shows bots
    viber_api.receiver_errors[everyone[7]] = 3  # Viber refused this one message

    report = await messenger.broadcast(everyone, MENU)

    by_receiver = {r.external_id: r for r in report.results}
    assert len(by_receiver) == 310
    assert isinstance(by_receiver[everyone[5]].outcome, Unreachable)
    assert isinstance(by_receiver[everyone[305]].outcome, Unreachable)
    assert isinstance(by_receiver[everyone[7]].outcome, Permanent)
    sent = [r.outcome for r in report.results if isinstance(r.outcome, Sent)]
    assert len(sent) == 307 and all(o.message_id for o in sent)


async def test_failed_broadcast_request_fails_only_its_batch(
    viber_api: FakeViberApi, messenger: ViberMessenger
) -> None:
    everyone = residents(700)
    viber_api.subscribed.update(everyone)
    viber_api.fail_next("broadcast_message", http_status=502, after=1)

    report = await messenger.broadcast(everyone, MENU)

    kinds = [type(r.outcome) for r in report.results]
    assert kinds[:300] == [Sent] * 300
    assert kinds[300:600] == [Transient] * 300
    assert kinds[600:] == [Sent] * 100


async def test_rate_limited_broadcast_batch_is_marked_for_retry_and_sending_pauses(
    viber_api: FakeViberApi, messenger: ViberMessenger
) -> None:
    everyone = residents(400)
    viber_api.subscribed.update(everyone)
    viber_api.fail_next("broadcast_message", status=12)

    report = await messenger.broadcast(everyone, MENU)

    assert {type(r.outcome) for r in report.results[:300]} == {RateLimited}
    assert all(r.outcome.retry_after > 0 for r in report.results[:300])  # type: ignore[union-attr]
    assert {type(r.outcome) for r in report.results[300:]} == {Sent}


async def test_broadcast_to_nobody_sends_nothing(
    viber_api: FakeViberApi, messenger: ViberMessenger
) -> None:
    report = await messenger.broadcast([], MENU)

    assert report.results == []
    assert viber_api.calls == []


async def test_broadcast_sends_each_resident_once_even_if_listed_twice(
    viber_api: FakeViberApi, messenger: ViberMessenger
) -> None:
    viber_api.subscribed.update(["a", "b"])

    report = await messenger.broadcast(["a", "b", "a"], MENU)

    (call,) = viber_api.calls_to("broadcast_message")
    assert call.body["broadcast_list"] == ["a", "b"]
    assert [r.external_id for r in report.results] == ["a", "b"]


async def test_long_broadcast_skips_later_parts_for_receivers_who_failed_earlier(
    viber_api: FakeViberApi, messenger: ViberMessenger
) -> None:
    viber_api.subscribed.update(["a", "b"])
    viber_api.receiver_errors["b"] = 6

    report = await messenger.broadcast(["a", "b"], Message("x" * 9000))

    first, second = viber_api.calls_to("broadcast_message")
    assert first.body["broadcast_list"] == ["a", "b"]
    assert second.body["broadcast_list"] == ["a"]
    assert [type(r.outcome) for r in report.results] == [Sent, Unreachable]


class ManualTime:
    """A clock that moves only when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_limiter_allows_500_requests_per_10_seconds_then_waits() -> None:
    time = ManualTime()
    limiter = SlidingWindowLimiter(500, 10.0, clock=time.clock, sleep=time.sleep)

    for _ in range(500):
        await limiter.acquire()
    assert time.sleeps == [], "the first 500 go at once"
    await limiter.acquire()

    assert time.sleeps == [10.0]
    assert time.now == 1010.0


async def test_limiter_pause_holds_back_the_next_request() -> None:
    time = ManualTime()
    limiter = SlidingWindowLimiter(500, 10.0, clock=time.clock, sleep=time.sleep)

    limiter.pause(3.0)
    await limiter.acquire()

    assert time.sleeps == [3.0]


async def test_broadcast_of_many_batches_is_paced_by_the_limiter(
    viber_api: FakeViberApi,
) -> None:
    time = ManualTime()
    paced = ViberMessenger(
        token=TOKEN,
        api_url=viber_api.url,
        sender=ViberSender("Spilno"),
        limiter=SlidingWindowLimiter(2, 10.0, clock=time.clock, sleep=time.sleep),
    )
    everyone = residents(5 * BROADCAST_BATCH)
    viber_api.subscribed.update(everyone)
    try:
        await paced.broadcast(everyone, MENU)
    finally:
        await paced.close()

    assert len(viber_api.calls_to("broadcast_message")) == 5
    assert time.sleeps == [10.0, 10.0], "2 requests per window: 5 requests need 2 waits"


async def test_the_token_is_in_no_outcome_and_no_log_record(
    unused_tcp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    """A proxy or a misbehaving API quoting the auth header back: the outcome of a send, of
    each broadcast receiver, and the warning logged for the failed batch all mask it."""

    async def echo_token(request: web.Request) -> web.Response:
        quoted = f"bad token {request.headers['X-Viber-Auth-Token']}"
        if request.path.endswith("broadcast_message"):
            return web.json_response({"status": 3, "status_message": quoted})
        return web.json_response({"status": 2, "status_message": quoted})

    caplog.set_level(logging.DEBUG)
    app = web.Application()
    app.router.add_post("/{tail:.*}", echo_token)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    token = "viber-redaction-token-5e4d3c2b1a"
    messenger = ViberMessenger(
        token=token, api_url=f"http://127.0.0.1:{unused_tcp_port}/pa", sender=ViberSender("S")
    )
    try:
        sent = await messenger.send("olena", MENU)
        report = await messenger.broadcast(["a", "b"], MENU)
    finally:
        await messenger.close()
        await runner.cleanup()
    outcomes = [sent, *(r.outcome for r in report.results)]
    assert [type(o) for o in outcomes] == [Permanent] * 3
    assert all("bad token ***" in str(o) and token not in str(o) for o in outcomes)
    assert caplog.records and token not in caplog.text
