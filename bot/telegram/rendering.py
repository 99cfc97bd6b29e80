"""Reply → Telegram: inline keyboards and texts cut to Telegram's length limits."""

from __future__ import annotations

import re
from typing import Any

from bot.ui import PAYLOAD_MAX_BYTES, Button, PayloadTooLongError, ShareContact

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

# Where a long text may be cut, best first: paragraphs, lines, sentence ends, words.
_BOUNDARIES = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?…])\s+"),
    re.compile(r"\s+"),
)


Rows = tuple[tuple[Button, ...], ...]
# Sent with a text that answers a shared contact: the share-contact keyboard has done its job.
REMOVE_KEYBOARD: dict[str, Any] = {"remove_keyboard": True}


def inline_keyboard_json(rows: Rows) -> dict[str, Any] | None:
    """Rows of buttons as the Bot API's inline keyboard JSON (the one send path)."""
    rows = tuple(
        row for row in (tuple(b for b in r if not isinstance(b, ShareContact)) for r in rows) if row
    )
    if not rows:
        return None
    return {
        "inline_keyboard": [
            [{"text": b.label, "callback_data": _callback_data(b)} for b in row] for row in rows
        ]
    }


def contact_keyboard_json(rows: Rows) -> dict[str, Any] | None:
    """The share-contact buttons as a reply keyboard (Telegram puts `request_contact` buttons
    only there, never inline); None when the message has none."""
    buttons = [b for row in rows for b in row if isinstance(b, ShareContact)]
    if not buttons:
        return None
    return {
        "keyboard": [[{"text": b.label, "request_contact": True}] for b in buttons],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


def split_last_paragraph(text: str) -> tuple[str, str]:
    """(everything before the last paragraph, the last paragraph); ("", text) without one."""
    head, sep, tail = text.rstrip().rpartition("\n\n")
    return (head.rstrip(), tail.strip()) if sep and head.strip() else ("", text)


def _callback_data(button: Button) -> str:
    # The codec already refuses long payloads; this guards hand-built Buttons too, because
    # Telegram rejects the whole message for one oversized callback_data.
    if len(button.payload.encode("utf-8")) > PAYLOAD_MAX_BYTES:
        raise PayloadTooLongError(f"callback_data over {PAYLOAD_MAX_BYTES} bytes")
    return button.payload


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut `text` into chunks of at most `limit` characters, at the most natural boundary."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        head_end, rest_start = _cut(rest, limit)
        head = rest[:head_end].rstrip()
        if head:
            chunks.append(head)
        rest = rest[rest_start:].lstrip()
    if rest.strip() or not chunks:
        chunks.append(rest)
    return chunks


def _cut(text: str, limit: int) -> tuple[int, int]:
    """Where the first chunk ends and the rest begins (the separator itself is dropped)."""
    window = text[: limit + 1]
    for boundary in _BOUNDARIES:
        # A boundary in the first tenth would leave a stub; a finer boundary does better.
        matches = [m for m in boundary.finditer(window) if limit // 10 < m.start() <= limit]
        if matches:
            return matches[-1].start(), matches[-1].end()
    return limit, limit
