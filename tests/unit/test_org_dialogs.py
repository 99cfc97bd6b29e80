"""Residents and organizations in chat: list, search, profile, follow, events, RSVP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.ui import IncomingKind
from core.organizations import events
from core.organizations import service as organizations
from tests.fakes.clock import FakeClock
from tests.fakes.resident import Resident


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


async def seed(factory, clock, *, orgs: int = 1) -> int:
    async with factory() as uow:
        for i in range(orgs):
            await organizations.create_organization(
                uow, actor="system", slug=f"org-{i}", name=f"Спілка {i:02d}", now=clock()
            )
        await organizations.create_organization(
            uow,
            actor="system",
            slug="green",
            name="Зелене місто",
            description="Прибираємо парки разом.",
            now=clock(),
        )
        event, _ = await events.create_event(
            uow,
            actor="system",
            slug="green",
            title="Толока в парку",
            # 18:00 Kyiv time on Saturday 28 November 2026
            starts_at=datetime(2026, 11, 28, 16, 0, tzinfo=UTC),
            ends_at=datetime(2026, 11, 28, 18, 0, tzinfo=UTC),
            place="Парк Олександрія",
            now=clock(),
        )
        await uow.commit()
    return event.id


async def in_ukrainian(dialogs) -> Resident:
    resident = Resident(dialogs)
    await resident.command("start")
    await resident.press("Українська")
    return resident


async def test_typing_on_the_organization_list_searches_by_name_and_paging_keeps_it(
    dialogs, factory, clock
):
    await seed(factory, clock, orgs=9)
    resident = await in_ukrainian(dialogs)
    await resident.press("Організації")
    assert "Наступна" in " ".join(resident.buttons()) or "»" in " ".join(resident.buttons())
    await resident.say("зелене")
    assert [b for b in resident.buttons() if "Зелене місто" in b]
    assert not [b for b in resident.buttons() if "Спілка" in b]
    await resident.press("Скинути пошук")
    assert [b for b in resident.buttons() if "Спілка 00" in b]


async def test_a_search_that_finds_nothing_says_so_politely(dialogs, factory, clock):
    await seed(factory, clock)
    resident = await in_ukrainian(dialogs)
    await resident.press("Організації")
    await resident.say("квантова фізика")
    assert "квантова фізика" in resident.text
    assert any("Головне меню" in b for b in resident.buttons())


async def test_follow_and_unfollow_from_the_profile(dialogs, factory, clock):
    await seed(factory, clock)
    resident = await in_ukrainian(dialogs)
    await resident.press("Організації", "Зелене місто")
    assert "Прибираємо парки разом." in resident.text
    assert "Толока в парку" in resident.text
    await resident.press("Стежити")
    assert "1 підписник" in resident.text
    await resident.press("Не стежити")
    assert "0 підписників" in resident.text


async def test_events_show_date_time_and_place_in_the_text_and_count_rsvps(dialogs, factory, clock):
    event_id = await seed(factory, clock)
    resident = await in_ukrainian(dialogs)
    await resident.press("Події")
    assert "субота, 28 листопада 2026, 18:00–20:00" in resident.text
    assert "Парк Олександрія" in resident.text
    await resident.press("Толока", "Прийду")
    assert "1 людина прийде" in resident.text
    await resident.press("Прийду")  # a double tap
    assert "1 людина прийде" in resident.text
    neighbour = Resident(dialogs, "petro")
    await neighbour.command("start")
    await neighbour.press("English")
    await neighbour.send(IncomingKind.BUTTON, payload=f"event:{event_id}")
    assert "Saturday, 28 November 2026, 18:00–20:00" in neighbour.text
    await neighbour.press("Can't come")
    assert "1 person is coming" in neighbour.text
    await resident.press("Не зможу")
    assert "0 людей прийде" in resident.text


async def test_an_rsvp_to_a_cancelled_event_is_explained(dialogs, factory, clock):
    event_id = await seed(factory, clock)
    resident = await in_ukrainian(dialogs)
    await resident.send(IncomingKind.BUTTON, payload=f"event:{event_id}")
    async with factory() as uow:
        await events.cancel_event(uow, actor="system", event_id=event_id, reason="Дощ", now=clock())
        await uow.commit()
    await resident.press("Прийду")
    assert "скасовано" in resident.text


async def test_a_broken_or_stale_event_button_gets_a_polite_answer(dialogs, factory, clock):
    await seed(factory, clock)
    resident = await in_ukrainian(dialogs)
    await resident.send(IncomingKind.BUTTON, payload="event:999")
    assert "недоступна" in resident.text
    await resident.send(IncomingKind.BUTTON, payload="rsvp:x")
    assert resident.buttons()


async def test_an_event_that_is_over_has_no_rsvp_buttons(dialogs, factory, clock):
    event_id = await seed(factory, clock)
    clock.advance(days=6)
    resident = await in_ukrainian(dialogs)
    await resident.send(IncomingKind.BUTTON, payload=f"event:{event_id}")
    assert not [b for b in resident.buttons() if "Прийду" in b]


async def test_the_demo_city_has_an_organization_with_an_upcoming_event(dialogs, factory, clock):
    from core.demo.polls import seed_demo_city

    async with factory() as uow:
        assert await seed_demo_city(uow, clock())
        await uow.commit()
    resident = await in_ukrainian(dialogs)
    await resident.press("Події")
    assert "Толока в парку Олександрія" in resident.text
    await resident.press("Толока", "Зелене місто")
    assert "40 дерев" in resident.text
