"""Reply → Viber messages: text split at Viber's limit, buttons as a 6-column rich keyboard.

The button's payload travels as ActionBody; Viber sends it back as the text of the resident's
message, which `inbound.py` turns into a button press.
"""

from __future__ import annotations

import html
from typing import Any

from viberbot.api.messages import PictureMessage, TextMessage

from bot.ui import ShareContact
from core.delivery.messenger import Button, Message

TEXT_LIMIT = 7000  # characters in one Viber text message
WELCOME_LIMIT = 640  # the free welcome message answering conversation_started
PICTURE_CAPTION_LIMIT = 120
GRID_COLUMNS = 6
BUTTON_TEXT_LIMIT = 250
# Silent buttons and InputFieldState need API level 4 (Viber 7.x, 2018): old enough for every
# phone still in use, new enough that a pressed button's payload is not echoed into the chat.
# `share-phone` buttons need 3, so every keyboard (sent with this level) may carry one.
MIN_API_VERSION = 4

KEYBOARD_BG = "#FFFFFF"
BUTTON_BG = "#EDEAF5"  # light, high contrast with black text: readable for older residents

ViberMessage = dict[str, Any]


def column_widths(count: int) -> list[int]:
    """Split the 6-column grid among `count` buttons of one row, wider ones first."""
    count = max(1, min(count, GRID_COLUMNS))
    base, extra = divmod(GRID_COLUMNS, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _button(button: Button, columns: int) -> dict[str, Any]:
    return {
        "Columns": columns,
        "Rows": 1,
        # share-phone: Viber sends the resident's own number back as a contact message.
        "ActionType": "share-phone" if isinstance(button, ShareContact) else "reply",
        "ActionBody": button.payload,
        # Button text accepts a little HTML, so a label must not be read as markup.
        "Text": html.escape(button.label[:BUTTON_TEXT_LIMIT], quote=False),
        "TextSize": "regular",
        "TextHAlign": "center",
        "TextVAlign": "middle",
        "BgColor": BUTTON_BG,
        # The resident sees which label they pressed from the next screen, not a raw payload.
        "Silent": True,
    }


def render_keyboard(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any] | None:
    """Each row of buttons fills the 6-column grid; a row of more than 6 wraps."""
    buttons: list[dict[str, Any]] = []
    for row in rows:
        for start in range(0, len(row), GRID_COLUMNS):
            chunk = row[start : start + GRID_COLUMNS]
            buttons += [
                _button(b, w) for b, w in zip(chunk, column_widths(len(chunk)), strict=True)
            ]
    if not buttons:
        return None
    return {
        "Type": "keyboard",
        "DefaultHeight": False,
        "BgColor": KEYBOARD_BG,
        "InputFieldState": "regular",
        "Buttons": buttons,
    }


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at paragraph, line or word boundaries where possible; never return an empty list."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:  # no good boundary: cut hard rather than send tiny pieces
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    chunks.append(rest)
    return [c for c in chunks if c] or [""]


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_message(message: Message) -> list[ViberMessage]:
    """The Viber message bodies (without receiver/sender) for one Reply, in sending order.

    The keyboard rides on the last part: Viber shows the most recent keyboard.
    """
    keyboard = render_keyboard(message.buttons)
    parts: list[ViberMessage] = []
    if isinstance(message.image, str) and message.image.startswith(("https://", "http://")):
        picture = PictureMessage(media=message.image, min_api_version=MIN_API_VERSION)
        parts.append(picture.to_dict())
    # Bytes or local paths cannot be sent by reference; the text still goes out.
    if message.document is not None:
        # Viber bots cannot send a file from memory: its text goes out as numbered pages.
        text = message.document.data.decode("utf-8", errors="replace")
        pages = split_text(text, TEXT_LIMIT - 16)  # room for the "(n/m)" line
        for number, page in enumerate(pages, start=1):
            body = f"({number}/{len(pages)})\n{page}" if len(pages) > 1 else page
            parts.append(TextMessage(text=body, min_api_version=MIN_API_VERSION).to_dict())
    texts = split_text(message.text)
    for index, text in enumerate(texts):
        last = index == len(texts) - 1
        model = TextMessage(
            text=text, keyboard=keyboard if last else None, min_api_version=MIN_API_VERSION
        )
        parts.append(model.to_dict())
    return parts


def render_welcome(message: Message) -> ViberMessage:
    """The conversation_started answer: one text of at most 640 characters, with its keyboard."""
    model = TextMessage(
        text=truncate(message.text, WELCOME_LIMIT),
        keyboard=render_keyboard(message.buttons),
        min_api_version=MIN_API_VERSION,
    )
    return model.to_dict()
