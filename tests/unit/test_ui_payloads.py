import pytest

from bot.ui import PAYLOAD_MAX_BYTES, PayloadTooLongError, decode_payload, encode_payload


def test_payload_round_trips():
    payload = encode_payload("vote", 12, 345)
    assert payload == "vote:12:345"
    assert decode_payload(payload) == ("vote", ["12", "345"])


def test_payload_limit_counts_bytes_so_cyrillic_counts_double():
    fits = "я" * ((PAYLOAD_MAX_BYTES - 2) // 2)
    encode_payload("x", fits)
    with pytest.raises(PayloadTooLongError):
        encode_payload("x", fits + "я")


def test_separator_inside_a_part_is_refused():
    with pytest.raises(ValueError):
        encode_payload("a", "b:c")
