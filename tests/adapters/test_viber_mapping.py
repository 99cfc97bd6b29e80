"""Viber ↔ channel-neutral mapping without a network: keyboards, text splitting, callback parsing
(by real viberbot), the signature scheme, and log redaction."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from viberbot.api.api import Api
from viberbot.api.bot_configuration import BotConfiguration
from viberbot.api.viber_requests import create_request

from bot.ui import IncomingKind
from bot.viber import inbound, signature
from bot.viber.keyboard import (
    TEXT_LIMIT,
    WELCOME_LIMIT,
    column_widths,
    render_keyboard,
    render_message,
    render_welcome,
    split_text,
)
from core.citizens.model import PhoneProof
from core.delivery.messenger import Button, Message
from core.kernel.redaction import register_secret

USER = {"id": "u1==", "name": "Петро", "language": "uk", "country": "UA", "api_version": 10}


def message_request(message: dict[str, Any], token: int = 5_400_000_000_000_000_042) -> Any:
    return create_request(
        {
            "event": "message",
            "timestamp": 1,
            "message_token": token,
            "sender": USER,
            "message": message,
        }
    )


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6])
def test_a_row_of_buttons_fills_exactly_the_six_column_grid(count: int) -> None:
    widths = column_widths(count)

    assert len(widths) == count and sum(widths) == 6
    assert widths == sorted(widths, reverse=True)


def test_a_row_of_more_than_six_buttons_wraps_onto_the_next_grid_row() -> None:
    row = tuple(Button(str(i), f"poll:{i}") for i in range(8))

    keyboard = render_keyboard((row,))

    assert keyboard is not None
    assert [b["Columns"] for b in keyboard["Buttons"]] == [1] * 6 + [3, 3]


def test_button_carries_the_payload_as_action_body_and_the_label_as_escaped_text() -> None:
    keyboard = render_keyboard(((Button("A <b>bold</b> & idea", "vote:1:2"),),))

    assert keyboard is not None
    (button,) = keyboard["Buttons"]
    assert button["ActionType"] == "reply"
    assert button["ActionBody"] == "vote:1:2"
    assert button["Text"] == "A &lt;b&gt;bold&lt;/b&gt; &amp; idea"
    assert button["Silent"] is True


def test_reply_without_buttons_has_no_keyboard() -> None:
    (part,) = render_message(Message("Just text"))

    assert "keyboard" not in part
    assert part == {"type": "text", "text": "Just text", "min_api_version": 4}


def test_short_text_is_not_split() -> None:
    assert split_text("Привіт") == ["Привіт"]


def test_long_text_is_split_at_line_breaks_under_the_limit() -> None:
    line = "а" * 99
    text = "\n".join([line] * 200)  # 19,999 characters

    chunks = split_text(text)

    assert all(len(c) <= TEXT_LIMIT for c in chunks)
    assert all(set(c.split("\n")) == {line} for c in chunks), "no line is cut in half"
    assert "\n".join(chunks) == text


def test_text_without_any_break_is_cut_hard_at_the_limit() -> None:
    chunks = split_text("x" * (TEXT_LIMIT * 2 + 5))

    assert [len(c) for c in chunks] == [TEXT_LIMIT, TEXT_LIMIT, 5]


def test_image_url_goes_out_as_a_picture_before_the_text() -> None:
    parts = render_message(Message("Caption", image="https://example.org/a.jpg"))

    assert [p["type"] for p in parts] == ["picture", "text"]
    assert parts[0]["media"] == "https://example.org/a.jpg"


def test_welcome_is_cut_to_640_characters_and_keeps_its_keyboard() -> None:
    welcome = render_welcome(Message("Вітаємо! " * 200, buttons=((Button("Почати", "start"),),)))

    assert WELCOME_LIMIT - 5 < len(welcome["text"]) <= WELCOME_LIMIT
    assert welcome["text"].endswith("…")
    assert welcome["keyboard"]["Buttons"][0]["ActionBody"] == "start"


def test_pressed_button_echo_becomes_a_button_press() -> None:
    incoming = inbound.message_incoming(message_request({"type": "text", "text": "vote:3:7"}))

    assert incoming.kind == IncomingKind.BUTTON
    assert incoming.payload == "vote:3:7"
    assert incoming.identity.platform == "viber"
    assert incoming.identity.external_id == "u1=="
    assert incoming.update_id == "5400000000000000042"
    assert incoming.language_hint == "uk"
    assert incoming.display_name == "Петро"


@pytest.mark.parametrize(
    ("text", "kind", "field", "value"),
    [
        pytest.param("Хочу новий парк", IncomingKind.TEXT, "text", "Хочу новий парк", id="text"),
        pytest.param("hello:world", IncomingKind.TEXT, "text", "hello:world", id="unknown-action"),
        pytest.param("/start", IncomingKind.COMMAND, "text", "start", id="command"),
        pytest.param("/Help please", IncomingKind.COMMAND, "text", "help", id="command-args"),
        pytest.param("menu", IncomingKind.BUTTON, "payload", "menu", id="bare-action"),
    ],
)
def test_typed_text_is_told_apart_from_button_presses(
    text: str, kind: IncomingKind, field: str, value: str
) -> None:
    incoming = inbound.message_incoming(message_request({"type": "text", "text": text}))

    assert incoming.kind == kind
    assert getattr(incoming, field) == value


def test_picture_location_and_contact_map_to_their_kinds() -> None:
    picture = inbound.message_incoming(
        message_request({"type": "picture", "media": "https://x/p.jpg", "text": "pothole"})
    )
    location = inbound.message_incoming(
        message_request({"type": "location", "location": {"lat": 50.45, "lon": 30.52}})
    )
    contact = inbound.message_incoming(
        message_request(
            {"type": "contact", "contact": {"name": "Петро", "phone_number": "+380501234567"}}
        )
    )

    assert (picture.kind, picture.photo_ref, picture.text) == (
        IncomingKind.PHOTO,
        "https://x/p.jpg",
        "pothole",
    )
    assert (location.kind, location.latitude, location.longitude) == (
        IncomingKind.LOCATION,
        50.45,
        30.52,
    )
    assert (contact.kind, contact.phone) == (IncomingKind.CONTACT, "+380501234567")
    # A share-phone answer and an address-book card look alike: only a claim.
    assert contact.contact_proof is PhoneProof.CLAIMED


@pytest.mark.parametrize(
    "message",
    [
        pytest.param({"type": "sticker", "sticker_id": 40133}, id="sticker"),
        pytest.param({"type": "file", "media": "https://x/f.pdf", "file_name": "f.pdf"}, id="file"),
        pytest.param({"type": "video", "media": "https://x/v.mp4", "size": 1}, id="video"),
    ],
)
def test_stickers_files_and_videos_are_unsupported(message: dict[str, Any]) -> None:
    assert inbound.message_incoming(message_request(message)).kind == IncomingKind.UNSUPPORTED


def test_message_of_a_type_viberbot_does_not_know_is_unsupported_not_an_error() -> None:
    raw = {"event": "message", "message_token": 9, "sender": USER, "message": {"type": "gif"}}

    incoming = inbound.unsupported_incoming(raw)

    assert incoming is not None and incoming.kind == IncomingKind.UNSUPPORTED
    assert incoming.update_id == "9"


def test_signature_matches_viberbots_scheme() -> None:
    body = b'{"event":"webhook","timestamp":1}'
    api = Api(BotConfiguration("tok-123", "Spilno", None))

    assert api.verify_signature(body, signature.sign("tok-123", body))
    assert signature.is_valid("tok-123", body, signature.sign("tok-123", body))


@pytest.mark.parametrize("given", [None, "", "0" * 64, "zz"])
def test_missing_or_wrong_signature_is_invalid(given: str | None) -> None:
    assert not signature.is_valid("tok-123", b"{}", given)


def test_signature_from_another_token_is_invalid() -> None:
    assert not signature.is_valid("tok-123", b"{}", signature.sign("tok-456", b"{}"))


def test_installed_redaction_masks_the_token_in_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "redaction-test-secret-7777"
    register_secret(secret)
    log = logging.getLogger("tests.viber.redaction")
    caplog.set_level(logging.INFO)

    log.info("token in the message " + secret)
    log.info("token in an argument %s", secret)
    try:
        raise RuntimeError(f"failed calling with {secret}")
    except RuntimeError:
        log.exception("request failed")

    assert secret not in caplog.text
    assert "***" in caplog.text
    assert "request failed" in caplog.text
