"""The admin API's own limits (bot/admin_api.py): the per-token bucket, the refused-token
throttle per address, and which address a request comes from behind a trusted proxy."""

from __future__ import annotations

from unittest import mock

from aiohttp.test_utils import make_mocked_request

from bot.admin_api import FailedTokens, TokenBuckets, client_address


def test_a_token_gets_its_burst_then_its_rate() -> None:
    buckets = TokenBuckets(burst=3, rate=2.0)
    assert [buckets.take(7, 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take(7, 0.0) == 0.5  # one more in half a second
    assert buckets.take(7, 0.5) == 0.0
    assert buckets.take(8, 0.5) == 0.0  # another token has its own bucket


def test_an_address_that_sent_too_many_wrong_tokens_waits_out_the_window() -> None:
    failures = FailedTokens(limit=2, window_s=60.0)
    failures.failed("10.0.0.9", 0.0)
    assert failures.blocked_for("10.0.0.9", 1.0) == 0.0
    failures.failed("10.0.0.9", 1.0)
    assert failures.blocked_for("10.0.0.9", 10.0) == 50.0
    assert failures.blocked_for("10.0.0.8", 10.0) == 0.0  # others are not held up
    assert failures.blocked_for("10.0.0.9", 60.0) == 0.0


def _request(peer: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (peer, 40000) if name == "peername" else default
    )
    return make_mocked_request(
        "POST", "/admin/api/v1/actions/whoami", headers=headers, transport=transport
    )


def test_behind_a_trusted_proxy_the_client_is_the_last_hop_not_a_proxy() -> None:
    proxies = frozenset({"10.0.0.1"})
    assert client_address(_request("10.0.0.1", "203.0.113.5"), proxies) == "203.0.113.5"
    # The leftmost hop is whatever the client claimed: the proxy's own record wins.
    assert client_address(_request("10.0.0.1", "1.2.3.4, 203.0.113.5"), proxies) == "203.0.113.5"
    # A request straight from elsewhere cannot choose its address with the header.
    assert client_address(_request("198.51.100.7", "203.0.113.5"), proxies) == "198.51.100.7"
    assert client_address(_request("10.0.0.1"), proxies) == "10.0.0.1"
    assert client_address(_request("10.0.0.1", "203.0.113.5"), frozenset()) == "10.0.0.1"
