"""Crafted or stale button payloads against the real database (SQLite and PostgreSQL).

Any Viber resident can type text shaped like a payload, and it counts as a press; so every
field must be checked before it reaches SQL. The answer is always the same polite screen.
"""

from __future__ import annotations

import logging

import pytest

from bot.dialogs import Dialogs
from bot.ui import IncomingKind
from core.bootstrap import App
from core.citizens.model import IdentityRef
from tests.adapters.telegram_harness import open_poll
from tests.fakes.resident import Resident

TOO_BIG = "9223372036854775808"  # 2^63: one past PostgreSQL's BIGINT

CRAFTED = [
    f"vote:{TOO_BIG}:1",
    f"vote:1:{TOO_BIG}",
    f"poll:{TOO_BIG}",
    f"pres:{TOO_BIG}",
    f"open:{TOO_BIG}",
    "open:²",
    "polls:²",
    f"polls:{TOO_BIG}",
    f"ish:{TOO_BIG}",
    "isup:²",
    f"icm:1:{TOO_BIG}",
    "icm:²",
    f"irr:i:{TOO_BIG}:spam",
    "irp:i:²",
    f"inew:{TOO_BIG}",
    "il:new:²",
    f"il:call:0:{TOO_BIG}",
    "il:call:0:²",
    f"icc:{TOO_BIG}",
    f"con:{TOO_BIG}",
    f"cch:1:1:{TOO_BIG}",
    f"cbk:1:{TOO_BIG}",
    "cbk:1:²",
    f"ktl:1:{TOO_BIG}",
    f"ktv:{TOO_BIG}",
    f"ktr:{TOO_BIG}",
    f"orgs:{TOO_BIG}",
    "orgs:²",
    f"org:{TOO_BIG}",
    "orgf:²",
    f"events:{TOO_BIG}",
    "events:²",
    f"event:{TOO_BIG}",
    "rsvp:²:y",
    "rsvp:1:maybe",
    "vote:1",
    "vote:1:2:3",
    "nosuchaction:1",
]


async def english_resident(app: App) -> Resident:
    resident = Resident(Dialogs(app.uow_factory, clock=app.clock), "olena")
    await resident.send(IncomingKind.BUTTON, payload="setlang:en")
    return resident


async def dialog_state(app: App) -> dict[str, object]:
    async with app.uow_factory() as uow:
        citizen = await uow.citizens.get_by_identity(IdentityRef("test", "olena"))
    return dict(citizen.dialog_state)


async def test_crafted_payloads_get_the_out_of_date_answer_and_change_nothing(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    # One resident walks the whole table (a fresh database per row would take a minute).
    poll_id = await open_poll(app, "Where should the park be?", ["Riverside", "Center"])
    resident = await english_resident(app)
    await resident.send(IncomingKind.BUTTON, payload=f"poll:{poll_id}")
    before = await dialog_state(app)
    caplog.set_level(logging.INFO)
    wrong: dict[str, str] = {}

    for payload in CRAFTED:
        caplog.clear()
        await resident.send(IncomingKind.BUTTON, payload=payload)
        if "This button is out of date" not in resident.text:
            wrong[payload] = "answered: " + resident.text[:80]
        elif "« Main menu" not in resident.buttons():
            wrong[payload] = "no way back to the menu"
        elif tracebacks := [r.getMessage() for r in caplog.records if r.exc_info]:
            wrong[payload] = "traceback logged: " + tracebacks[0]
        elif await dialog_state(app) != before:
            wrong[payload] = "dialog state changed"

    assert wrong == {}
    async with app.uow_factory() as uow:
        _votes, voters = await uow.ballots.tally(poll_id)
    assert voters == 0


async def test_todays_buttons_still_work_after_the_decoder_change(app: App) -> None:
    poll_id = await open_poll(app, "Where should the park be?", ["Riverside", "Center"])
    resident = await english_resident(app)

    await resident.send(IncomingKind.BUTTON, payload="polls:0")
    await resident.press("Where should the park be?", "Riverside")

    assert "Your vote is saved" in resident.text
    async with app.uow_factory() as uow:
        _votes, voters = await uow.ballots.tally(poll_id)
    assert voters == 1
