"""`spilno chat`: a resident starts a consultation, leaves, comes back in a new session and
finishes exactly where they stopped (SQLite and PostgreSQL)."""

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.console.channel import ConsoleChannel
from bot.dialogs import Dialogs
from core.campaigns import service as campaigns
from core.consultations import service as consultations
from core.consultations.plan import parse_consultation

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def by_label(steps: list[str]):
    """Each step is a button label fragment (pressed by its number) or `text:…` (typed)."""
    queue = list(steps)
    holder: dict[str, ConsoleChannel] = {}

    async def read_line() -> str | None:
        if not queue:
            return None
        step = queue.pop(0)
        if step.startswith("text:"):
            return step.removeprefix("text:")
        buttons = holder["channel"]._buttons
        for number, button in enumerate(buttons, start=1):
            if step in button.label:
                return str(number)
        raise AssertionError(f"no button {step!r} in {[b.label for b in buttons]}")

    return read_line, holder


async def session(app, steps: list[str]) -> str:
    out = io.StringIO()
    dialogs = Dialogs(app.uow_factory, clock=app.clock, default_locale="uk")
    read_line, holder = by_label(steps)
    channel = ConsoleChannel(dialogs, "mykola", read_line=read_line, out=out)
    holder["channel"] = channel
    await channel.run()
    return out.getvalue()


async def test_a_consultation_is_finished_in_a_second_console_session(app):
    plan = parse_consultation(
        (EXAMPLES / "consultation.yaml").read_text(), tz=ZoneInfo("Europe/Kyiv")
    )
    plan = replace(plan, opens_at=None, closes_at=app.clock() + timedelta(days=5))
    async with app.uow_factory() as uow:
        consultation = await consultations.create_consultation(
            uow, plan, actor="m", now=app.clock()
        )
        await campaigns.open_campaign(uow, consultation.id, actor="m", now=app.clock())
        await uow.commit()

    first = await session(
        app,
        ["Українська", "Консультації", "Оновлення парку", "Почати", "Ніколи", "text:Далеко"],
    )
    assert "Питання 1 із щонайбільше 5" in first
    assert "Питання 2 із 5" in first and "Питання 3 із 5" in first
    second = await session(
        app,
        ["Консультації", "Оновлення парку", "Продовжити", "Лавки", "Далі",
         "5", "text:Фонтан", "Надіслати"],
    )  # fmt: skip
    assert (
        second.index("Питання 3 із 5")
        < second.index("Питання 4 із 5")
        < second.index("Питання 5 із 5")
    )
    assert "Перевірте, будь ласка, свої відповіді" in second
    assert "Ваші відповіді надіслано" in second
    async with app.uow_factory() as uow:
        outcome = await consultations.results(uow, consultation.id, now=app.clock(),
                                              for_official=True)  # fmt: skip
    assert outcome.submissions == 1
    assert outcome.questions[3].average == 5.0
