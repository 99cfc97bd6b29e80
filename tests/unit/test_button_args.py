"""The one payload decoder the dialogs share: typed fields, ASCII digits, ids within BIGINT."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dialogs import consultations, contests, events, ideas, orgs, polls
from bot.ui import ID_MAX, ButtonArgs, StaleButtonError, encode_payload, payload_ids


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param(encode_payload(polls.VOTE, 12, 345), (12, 345), id="polls.VOTE"),
        pytest.param("vote:12:345", (12, 345), id="vote-as-sent-today"),
        pytest.param("ktv:9", (9,), id="contest-vote"),
        pytest.param("event:6", (6,), id="event"),
        pytest.param(f"poll:{ID_MAX}", (ID_MAX,), id="largest-bigint"),
    ],
)
def test_button_codes_already_in_residents_chats_keep_decoding(
    payload: str, expected: tuple[int, ...]
) -> None:
    assert payload_ids(payload, len(expected)) == expected


def test_action_names_and_field_layouts_are_pinned() -> None:
    # Keyboards already sent carry these exact strings; renaming an action strands them.
    assert encode_payload(polls.VOTE, 12, 345) == "vote:12:345"
    assert encode_payload(polls.LIST, 2) == "polls:2"
    assert encode_payload(contests.ENTRIES, 3, 0) == "ktl:3:0"
    assert encode_payload(consultations.CHOOSE, 4, 9, 0) == "cch:4:9:0"
    assert encode_payload(ideas.LIST, "call", 0, 17) == "il:call:0:17"
    assert encode_payload(ideas.REPORT_REASON, "c", 8, "spam") == "irr:c:8:spam"
    assert encode_payload(events.RSVP, 6, "y") == "rsvp:6:y"
    assert encode_payload(orgs.LIST, 0, "all") == "orgs:0:all"


def test_mixed_fields_read_by_position() -> None:
    choose = ButtonArgs.of("cch:4:9:0", 3)
    assert (choose.id(0), choose.id(1), choose.small(2)) == (4, 9, 0)
    back = ButtonArgs.of("cbk:4", 1, 2)
    assert (back.id(0), back.optional_id(1)) == (4, None)
    listing = ButtonArgs.of("orgs:0:all", 0, 2)
    assert (listing.small(0, default=0), listing.word(1)) == (0, "all")
    assert ButtonArgs.of("polls", 0, 1).small(0, default=0) == 0
    assert ButtonArgs.of(None, 0, 1).small(0, default=0) == 0


@pytest.mark.parametrize(
    ("payload", "count"),
    [
        pytest.param("vote:9223372036854775808:1", 2, id="id-over-int64"),
        pytest.param("poll:99999999999999999999999", 1, id="id-far-over-int64"),
        pytest.param("poll:0", 1, id="id-zero"),
        pytest.param("poll:-1", 1, id="negative"),
        pytest.param("poll:²", 1, id="superscript-digit"),
        pytest.param("poll:١٢", 1, id="arabic-indic-digits"),
        pytest.param("poll:１", 1, id="fullwidth-digit"),
        pytest.param("poll: 1", 1, id="space"),
        pytest.param("poll:1_000", 1, id="underscore"),
        pytest.param("poll:+1", 1, id="plus"),
        pytest.param("poll:1\x00", 1, id="nul"),
        pytest.param("poll:\ud800", 1, id="lone-surrogate"),
        pytest.param("poll:", 1, id="empty-field"),
        pytest.param("poll", 1, id="missing-field"),
        pytest.param("vote:1", 2, id="too-few-fields"),
        pytest.param("vote:1:2:3", 2, id="too-many-fields"),
        pytest.param(None, 1, id="no-payload"),
    ],
)
def test_anything_else_is_a_stale_button(payload: str | None, count: int) -> None:
    with pytest.raises(StaleButtonError):
        payload_ids(payload, count)


@pytest.mark.parametrize("field", ["²", "10001", "-1", "99999999999999999999", "x"])
def test_pages_and_option_values_are_small_ascii_numbers(field: str) -> None:
    with pytest.raises(StaleButtonError):
        ButtonArgs.of(f"polls:{field}", 0, 1).small(0, default=0)


@given(st.text(max_size=30))
def test_any_text_decodes_or_raises_stale_never_anything_else(text: str) -> None:
    try:
        (value,) = payload_ids(f"poll:{text}", 1)
    except StaleButtonError:
        return
    assert 1 <= value <= ID_MAX
    assert text.isascii() and text.isdigit()
