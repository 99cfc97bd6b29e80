"""The checks adapters apply to platform values, and Telegram's command parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import edge
from bot.edge import MalformedUpdateError
from bot.telegram.mapping import command_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("/start", "start", id="command"),
        pytest.param("/Start@SpilnoBot deep", "start", id="addressed-with-argument"),
        pytest.param("/ ", None, id="slash-space"),
        pytest.param("/   \n", None, id="slash-whitespace"),
        pytest.param("/", None, id="bare-slash"),
        pytest.param("/@bot", None, id="only-a-bot-name"),
        pytest.param("hello", None, id="not-a-command"),
    ],
)
def test_command_name(text: str, expected: str | None) -> None:
    assert command_name(text) == expected


def test_free_text_loses_nul_and_lone_surrogates_but_keeps_everything_else() -> None:
    assert edge.clean_text("При\x00віт \ud800😀\n", "text") == "Привіт \ufffd😀\n"


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_cleaned_text_is_always_storable(text: str) -> None:
    cleaned = edge.clean_text(text, "text")
    assert "\x00" not in cleaned
    cleaned.encode("utf-8")  # no lone surrogate left: PostgreSQL and every codec accept it


@pytest.mark.parametrize(
    "value", [42, None, ["a"], "x" * (edge.TEXT_MAX + 1)], ids=["int", "none", "list", "long"]
)
def test_what_is_not_text_is_malformed(value: object) -> None:
    with pytest.raises(MalformedUpdateError):
        edge.clean_text(value, "text")


@pytest.mark.parametrize(
    "value",
    ["", "u" * 129, "a\x00b", "a\ud800", "a\nb", 12345, None],
    ids=["empty", "129-chars", "nul", "surrogate", "newline", "int", "none"],
)
def test_opaque_ids_are_short_printable_strings(value: object) -> None:
    with pytest.raises(MalformedUpdateError):
        edge.opaque_id(value, "user id")


@pytest.mark.parametrize("value", [0, -1, 2**63, True, 1.0, "5"])
def test_numeric_ids_are_integers_within_bigint(value: object) -> None:
    with pytest.raises(MalformedUpdateError):
        edge.int_id(value, "user id")


@pytest.mark.parametrize("value", [None, "abc", float("nan"), float("inf"), 90.5, True])
def test_latitudes_are_finite_numbers_within_range(value: object) -> None:
    with pytest.raises(MalformedUpdateError):
        edge.coordinate(value, "lat", 90)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("uk", "uk"), ("en-US", "en-US"), (42, None), ("x" * 50, None), ("u\x00k", None)],
)
def test_a_language_hint_that_is_not_a_language_code_is_no_hint(
    value: object, expected: str | None
) -> None:
    assert edge.language_hint(value) == expected
