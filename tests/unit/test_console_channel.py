"""The console channel's edge: keys that never collide with labels, typed labels, no stray text."""

import io
import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.console.channel import ConsoleChannel, button_keys
from bot.dialogs import Dialogs
from bot.ui import Button
from core.campaigns import service as campaigns
from core.citizens.model import IdentityRef
from core.consultations import service as consultations
from core.consultations.plan import parse_consultation
from core.ideas.model import IdeaQuery
from tests.databases import SqliteUnitOfWorkFactory
from tests.fakes.clock import FakeClock

SCALE = """
title: Тиша у дворах
closes: 2026-12-20T21:00
questions:
  - key: noise
    type: scale
    scale: 0-10
    text: Наскільки вас турбує шум уночі?
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def factory(sqlite_uow: SqliteUnitOfWorkFactory) -> SqliteUnitOfWorkFactory:
    return sqlite_uow


def scripted(lines):
    queue = list(lines)

    async def read_line():
        return queue.pop(0) if queue else None

    return read_line


async def chat(factory, clock, lines: list[str]) -> str:
    out = io.StringIO()
    dialogs = Dialogs(factory, clock=clock, default_locale="uk")
    await ConsoleChannel(dialogs, "ira", read_line=scripted(lines), out=out).run()
    return out.getvalue()


def test_numbered_labels_get_letter_keys_so_a_typed_number_means_the_label():
    scale = [Button(str(n), f"c:{n}") for n in range(11)] + [Button("« Back", "b")]
    assert button_keys(scale)[:3] == ["a", "b", "c"] and button_keys(scale)[-1] == "l"
    assert button_keys([Button("🗳 Polls", "p"), Button("💡 Ideas", "i")]) == ["1", "2"]
    assert button_keys([Button(str(n), str(n)) for n in range(28)])[26:] == ["aa", "ab"]


async def test_typing_8_on_a_0_to_10_scale_records_8(factory, clock):
    plan = parse_consultation(SCALE, tz=ZoneInfo("Europe/Kyiv"))
    async with factory() as uow:
        consultation = await consultations.create_consultation(
            uow, plan, actor="m", now=clock() - timedelta(days=1)
        )
        await campaigns.open_campaign(uow, consultation.id, actor="m", now=clock())
        await uow.commit()
    transcript = await chat(
        factory, clock, ["English", "Consultations", "Тиша у дворах", "Start", "8"]
    )
    assert "[a] 0" in transcript and "[i] 8" in transcript
    assert "Please check your answers" in transcript
    async with factory() as uow:
        citizen, _reachable = await uow.citizens.find(IdentityRef("console", "ira"))
        response = await uow.consultations.find_response(consultation.id, citizen.id)
        answers = await uow.consultations.answers(response.id)
    assert [a.value for a in answers.values()] == [8]


async def test_a_number_that_is_no_button_is_refused_not_taken_as_text(factory, clock):
    transcript = await chat(factory, clock, ["2", "💡 Ideas", "propose an idea", "6", "42"])
    assert transcript.count("There is no button") == 2
    assert "There is no button “6” here. Type one of: 1, 2, or a button's label." in transcript
    assert "Step 2 of 6" not in transcript
    async with factory() as uow:
        assert await uow.ideas.search(IdeaQuery(public_only=False), offset=0, limit=9) == []


async def test_the_refusal_speaks_the_residents_language(factory, clock):
    transcript = await chat(factory, clock, ["Українська", "99"])
    assert "Немає кнопки «99»" in transcript


async def test_log_lines_stay_out_of_the_conversation(factory, clock):
    terminal = io.StringIO()
    handler = logging.StreamHandler(terminal)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    sweeps = logging.getLogger("core.scheduling.jobs")

    async def read_line():
        sweeps.info("campaigns opened [1], closed []")
        sweeps.warning("the scheduler is late")
        return None

    try:
        dialogs = Dialogs(factory, clock=clock, default_locale="uk")
        await ConsoleChannel(dialogs, "ira", read_line=read_line, out=io.StringIO()).run()
        sweeps.info("after the chat")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert "campaigns opened" not in terminal.getvalue()
    assert "the scheduler is late" in terminal.getvalue()
    assert "after the chat" in terminal.getvalue()
