"""A participatory budget's knapsack ballot in both messengers, through the real aiogram and
viberbot against the fake platforms (SQLite and PostgreSQL): a verified resident opens the
budget from the menu, adds projects and sees the running total, is refused an overflowing
project with the amount it would go over, and submits with a confirmation. What the platforms
received is checked too: buttons within their limits, amounts as Ukrainians write them, and
the receipt under the confirmation."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.bootstrap import App
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.pb import service as pbs
from core.pb.model import CITY_POT, ParticipatoryBudget, Project
from tests.adapters.telegram_harness import Resident, running_channel
from tests.adapters.test_viber_webhook import TOKEN, ViberBot, running_viber_bot
from tests.dialogs import verify_phone
from tests.fakes.telegram_api import Call, FakeTelegramAPI
from tests.fakes.viber_api import FakeViberApi, ViberUser
from tests.pb import create, pots, proposed, resident, to_phase

# Long enough that a ballot button must shorten it (titles may have 100 characters).
LONG = "Сучасний дитячий майданчик з гойдалками, гіркою та безпечним покриттям біля школи №3"
TELEGRAM_DATA_LIMIT = 64  # bytes of callback_data
VIBER_TEXT_LIMIT = 250  # characters of a button's Text
LABEL_LIMIT = 64  # characters: what still reads as one line on a phone
MARIIA = ViberUser("mariia+pb/7==", name="Марія", language="uk")


def plain(text: str) -> str:
    """Babel separates thousands with a no-break space; a resident reads a space."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def voting_pb(app: App) -> tuple[ParticipatoryBudget, dict[str, Project]]:
    """A city pot of 2 000 000 ₴ (knapsack) in its voting phase with three projects."""
    factory, clock = app.uow_factory, app.clock
    pb = await create(factory, clock, pots=pots(city=2_000_000))
    await to_phase(factory, clock, pb, 0.1)
    author = await resident(factory, clock, "author")
    projects = {
        "park": await proposed(factory, clock, pb, author, LONG, 500_000),
        "lights": await proposed(factory, clock, pb, author, "Ліхтарі на Набережній", 740_000),
        "pool": await proposed(factory, clock, pb, author, "Басейн", 900_000),
    }
    await to_phase(factory, clock, pb, 2.1)
    return pb, projects


async def verified(app: App, ref: IdentityRef) -> int:
    async with app.uow_factory() as uow:
        citizen, _new = await citizens.resolve_citizen(uow, ref, app.clock())
        await verify_phone(uow, citizen, app.clock())
        await uow.commit()
    return citizen.id


async def counted(app: App, pb: ParticipatoryBudget, citizen_id: int) -> tuple[frozenset[int], str]:
    """What the resident's submitted ballot counts, and its receipt."""
    async with app.uow_factory() as uow:
        ballot = await pbs.ballot(uow, pb.id, citizen_id, CITY_POT)
    assert ballot.submitted and ballot.receipt
    return ballot.cast, ballot.receipt


# --- Telegram ---------------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api


def shows(call: Call, chat_id: int, text_part: str) -> bool:
    return (
        call.ok
        and call.chat_id == chat_id
        and call.method in {"sendMessage", "sendPhoto", "editMessageText"}
        and (
            text_part in plain(call.text or "")
            or any(text_part in plain(b["text"]) for row in call.keyboard for b in row)
        )
    )


async def tap(resident: Resident, label: str, expect: str) -> Call:
    """Press the button and wait for the answer holding `expect` (spaces as a resident reads
    them), however many times the chat showed it before."""
    fake, chat = resident.fake, resident.user_id
    before = sum(1 for c in fake.calls if shows(c, chat, expect))
    await resident.press(label)
    found = await fake.wait_for(lambda c: shows(c, chat, expect), count=before + 1)
    return found[-1]


async def test_telegram_a_knapsack_ballot_with_its_running_total_in_ukrainian(
    app: App, fake: FakeTelegramAPI
) -> None:
    pb, projects = await voting_pb(app)
    olena_id = await verified(app, IdentityRef("telegram", "801"))
    async with running_channel(app, fake, mode="polling"):
        olena = Resident(fake, 801, mode="polling", language_code="uk")
        await olena.say("/start")
        await olena.sees("Українська")
        await tap(olena, "Українська", "Громадський бюджет")
        await tap(olena, "Громадський бюджет", "Громадський бюджет: мешканці пропонують")
        await tap(olena, pb.campaign.title, "Голосувати: Усе місто")
        ballot = await tap(olena, "Голосувати: Усе місто", "Обрано 0 проєктів, 0 ₴ з 2 000 000 ₴.")
        # The long title is shortened on its button, the cost stays readable.
        (park_label,) = [b["text"] for row in ballot.keyboard for b in row if "500" in b["text"]]
        assert park_label.endswith("… · 500\xa0000\xa0₴"), park_label

        await tap(olena, "Сучасний дитячий", "Додати до мого бюлетеня")
        await tap(olena, "Додати до мого бюлетеня", "Обрано 1 проєкт, 500 000 ₴ з 2 000 000 ₴.")
        await tap(olena, "До бюлетеня", "Ліхтарі на Набережній")
        await tap(olena, "Ліхтарі на Набережній", "Додати до мого бюлетеня")
        await tap(olena, "Додати до", "Обрано 2 проєкти, 1 240 000 ₴ з 2 000 000 ₴.")

        await tap(olena, "До бюлетеня", "Басейн")
        await tap(olena, "Басейн", "Додати до мого бюлетеня")
        refused = await tap(olena, "Додати до", "перевищить бюджет на 140 000 ₴")
        assert any("До бюлетеня" in b["text"] for row in refused.keyboard for b in row)

        await tap(olena, "До бюлетеня", "Надіслати мій бюлетень")
        confirm = await tap(olena, "Надіслати мій бюлетень", "Так, надіслати")
        assert "1 240 000 ₴" in plain(confirm.text or "")
        thanks = await tap(olena, "Так, надіслати", "Дякуємо! Ваш бюлетень надіслано.")

    sent = fake.sent_to(801)
    cast, receipt = await counted(app, pb, olena_id)
    assert cast == {projects["park"].id, projects["lights"].id}
    assert f"Ваша квитанція: {receipt}." in (thanks.text or "")
    labels = [b for call in sent for row in call.keyboard for b in row]
    assert labels
    for button in labels:
        assert 0 < len(button["callback_data"].encode()) <= TELEGRAM_DATA_LIMIT, button
        assert 0 < len(button["text"]) <= LABEL_LIMIT, button
    assert all("UAH" not in (call.text or "") for call in sent)


# --- Viber ------------------------------------------------------------------------------------


@pytest.fixture
async def viber(app: App) -> AsyncIterator[ViberBot]:
    # A script taps faster than anyone reads a screen: flood control is tested on its own
    # (test_flood_control.py), here it would only drop the script's taps.
    unlimited = dataclasses.replace(
        app, settings=dataclasses.replace(app.settings, flood_updates=0)
    )
    async with FakeViberApi(TOKEN) as api, running_viber_bot(unlimited, api) as bot:
        yield bot


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return list((message.get("keyboard") or {}).get("Buttons", []))


class ViberResident:
    """One Viber user pressing buttons by their label, as a resident reads them."""

    def __init__(self, bot: ViberBot, user: ViberUser) -> None:
        self.bot = bot
        self.user = user
        self.last: list[dict[str, Any]] = []

    @property
    def text(self) -> str:
        return plain("\n".join(m.get("text") or "" for m in self.last))

    async def open(self) -> None:
        self.last = [(await self.bot.api.conversation_started(self.user)).json()]

    async def press(self, label_part: str) -> str:
        """Press a button of the keyboard shown now (Viber shows the newest message's) whose
        label holds `label_part`; the bot's answer's text."""
        for message in reversed(self.last):
            for button in buttons(message):
                if label_part in html.unescape(button["Text"]):
                    self.last = await self.bot.press(self.user, button["ActionBody"])
                    assert self.last, f"no answer to {label_part!r}"
                    return self.text
        raise LookupError(f"no button with {label_part!r}")


async def test_viber_a_knapsack_ballot_with_its_running_total_in_ukrainian(
    viber: ViberBot,
) -> None:
    app = viber.app
    pb, projects = await voting_pb(app)
    mariia_id = await verified(app, IdentityRef("viber", MARIIA.id))
    mariia = ViberResident(viber, MARIIA)
    await mariia.open()
    await mariia.press("Почати")
    if "Українська" in [html.unescape(b["Text"]) for m in mariia.last for b in buttons(m)]:
        await mariia.press("Українська")
    assert "Громадський бюджет: мешканці пропонують" in await mariia.press("Громадський бюджет")
    await mariia.press(pb.campaign.title)
    ballot = await mariia.press("Голосувати: Усе місто")
    assert "Обрано 0 проєктів, 0 ₴ з 2 000 000 ₴." in ballot

    await mariia.press("Сучасний дитячий")
    assert "Обрано 1 проєкт, 500 000 ₴ з 2 000 000 ₴." in await mariia.press("Додати до")
    await mariia.press("До бюлетеня")
    await mariia.press("Ліхтарі на Набережній")
    assert "Обрано 2 проєкти, 1 240 000 ₴ з 2 000 000 ₴." in await mariia.press("Додати до")
    await mariia.press("До бюлетеня")
    await mariia.press("Басейн")
    assert "перевищить бюджет на 140 000 ₴" in await mariia.press("Додати до")
    await mariia.press("До бюлетеня")
    assert "1 240 000 ₴" in await mariia.press("Надіслати мій бюлетень")
    thanks = await mariia.press("Так, надіслати")
    assert "Дякуємо! Ваш бюлетень надіслано." in thanks

    cast, receipt = await counted(app, pb, mariia_id)
    assert cast == {projects["park"].id, projects["lights"].id}
    assert f"Ваша квитанція: {receipt}." in thanks
    sent = viber.api.messages_to(MARIIA.id)
    labels = [b for message in sent for b in buttons(message)]
    assert labels
    for button in labels:
        label = html.unescape(button["Text"])
        assert 0 < len(button["Text"]) <= VIBER_TEXT_LIMIT, button
        assert len(label) <= LABEL_LIMIT, label  # never cut by the renderer, short on a phone
        assert 1 <= button["Columns"] <= 6 and button["ActionBody"], button
    assert all("UAH" not in (m.get("text") or "") for m in sent)
