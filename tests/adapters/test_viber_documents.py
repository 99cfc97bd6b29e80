"""Viber bots cannot send a file from memory: "My data" goes out as numbered text pages, each
within Viber's limit, with the screen's keyboard on the last message (real viberbot models)."""

from __future__ import annotations

import json

from bot.viber.keyboard import TEXT_LIMIT, render_message
from core.delivery.messenger import Button, Document, Message


def test_a_document_becomes_numbered_pages_before_the_text():
    data = json.dumps({"rows": [{"text": "Лавки в парку " * 20, "n": i} for i in range(200)]},
                      ensure_ascii=False, indent=2).encode()  # fmt: skip
    message = Message(
        "📦 This is everything Spilno holds about you",
        buttons=((Button("« Settings", "settings"),),),
        document=Document("spilno-my-data.json", data),
    )
    parts = render_message(message)
    pages, last = parts[:-1], parts[-1]
    assert len(pages) >= 3
    assert all(p["type"] == "text" and len(p["text"]) <= TEXT_LIMIT for p in parts)
    assert pages[0]["text"].startswith(f"(1/{len(pages)})\n")
    assert all("keyboard" not in p or p["keyboard"] is None for p in pages)
    assert last["text"].startswith("📦") and last["keyboard"]["Buttons"]
    rebuilt = "".join(p["text"].split("\n", 1)[1] for p in pages)
    assert rebuilt.replace("\n", "").replace(" ", "") == data.decode().replace("\n", "").replace(
        " ", ""
    )
