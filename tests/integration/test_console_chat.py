"""`spilno chat`: a resident scripts a whole vote in the terminal, in Ukrainian and English."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console.channel import ConsoleChannel
from bot.dialogs import Dialogs
from core.campaigns import results
from core.campaigns import service as campaigns
from core.polls import service as polls

SPILNO = str(Path(sys.executable).with_name("spilno"))


async def open_poll(app):
    async with app.uow_factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Ремонт якої вулиці першим?",
            options=["Шевченка", "Франка"],
            actor="m",
            now=app.clock(),
        )
        await campaigns.open_campaign(uow, poll.id, actor="m", now=app.clock())
        await uow.commit()
    return poll


def scripted(lines):
    queue = list(lines)

    async def read_line():
        return queue.pop(0) if queue else None

    return read_line


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("1", ["Головне меню", "Дякуємо! Ваш голос збережено.", "Проголосувала 1 людина."]),
        ("2", ["Main menu", "Thank you! Your vote is saved.", "1 person voted."]),
    ],
)
async def test_a_resident_votes_from_the_console(app, language, expected):
    poll = await open_poll(app)
    out = io.StringIO()
    dialogs = Dialogs(app.uow_factory, clock=app.clock, default_locale="uk")
    # language → Polls → the poll → "Франка" → Results
    channel = ConsoleChannel(
        dialogs, "taras", read_line=scripted([language, "1", "1", "2", "3"]), out=out
    )
    await channel.run()
    transcript = out.getvalue()
    for text in expected:
        assert text in transcript
    assert "[2] ✅ Франка" in transcript
    async with app.uow_factory() as uow:
        outcome = await results.poll_results(uow, poll.id, now=app.clock(), for_official=True)
    assert [r.votes for r in outcome.options] == [0, 1]


def test_spilno_chat_runs_as_a_process_with_the_demo_city(tmp_path):
    env = {
        **os.environ,
        "SPILNO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/spilno.db",
        "SPILNO_DEFAULT_LOCALE": "en",
    }
    done = subprocess.run(
        [SPILNO, "chat", "--demo", "--name", "ira"],
        input="2\n1\n1\n1\n/quit\n",
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "A sample city with polls was created" in done.stdout
    assert "Thank you! Your vote is saved." in done.stdout
    assert "Traceback" not in done.stderr
