"""Eligibility in the chat: explained, not hidden — the rule, what the resident lacks, the button
that fixes it, and the way back to the campaign afterwards."""

import pytest

from bot.dialogs import Dialogs
from bot.dialogs.eligibility import BACK_TO
from bot.ui import IncomingKind, encode_payload
from core.campaigns import service as campaigns
from core.campaigns.eligibility import Eligibility
from core.citizens import home_district as homes
from core.citizens.model import PhoneProof
from core.polls import service as polls
from tests.databases import SqliteUnitOfWorkFactory
from tests.dialogs import english_resident, stored, verify_phone
from tests.fakes.clock import FakeClock
from tests.fakes.resident import Resident


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def factory(sqlite_uow: SqliteUnitOfWorkFactory) -> SqliteUnitOfWorkFactory:
    return sqlite_uow


@pytest.fixture
def dialogs(factory, clock) -> Dialogs:
    return Dialogs(factory, clock=clock, default_locale="uk")


async def open_poll(factory, clock, eligibility):
    async with factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Where should the new square be?",
            options=["By the river", "By the school"],
            actor="m",
            now=clock(),
            eligibility=eligibility,
        )
        await campaigns.open_campaign(uow, poll.id, actor="m", now=clock())
        await uow.commit()
    return poll


async def verify(factory, resident: Resident, clock) -> None:
    """What the identity feature does once the resident shares their own number."""
    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(resident.identity)
        await verify_phone(uow, citizen, clock())
        await uow.commit()


async def state_of(factory, resident: Resident) -> dict:
    return (await stored(factory, resident)).dialog_state


async def test_a_resident_who_may_not_vote_sees_why_fixes_it_and_comes_back_to_vote(
    dialogs, factory, clock
):
    poll = await open_poll(factory, clock, Eligibility(verified=True, districts=("zarichchia",)))
    resident = await english_resident(dialogs)
    await resident.press("Polls", "new square")
    assert "Only verified residents of Zarichchia vote in this poll." in resident.text
    assert "You have not confirmed your phone number yet." in resident.text
    assert "You have not set your home district yet." in resident.text
    assert "By the river" in resident.text  # the options are shown, not hidden
    assert "By the river" not in resident.buttons()  # but there is nothing to vote with
    assert {"📱 Confirm my phone number", "🏠 Set my home district"} <= set(resident.buttons())

    await resident.press("Set my home district")
    assert "Your home district: not set." in resident.text
    await resident.press("Zarichchia")
    assert "only in 30 days" in resident.text  # asked to confirm: a slip would cost a month
    await resident.press("Yes, I live here")
    assert "Your home district is now Zarichchia." in resident.text
    assert "You can change it from" in resident.text
    assert (await state_of(factory, resident))[BACK_TO] == poll.id

    await resident.press("Settings")  # wandering off does not lose the way back
    assert "Home district: Zarichchia." in resident.text
    await verify(factory, resident, clock)
    await resident.press("Back to “Where should")
    assert "By the river" in resident.buttons()
    assert "Only verified residents of Zarichchia vote in this poll." in resident.text
    await resident.press("By the river")
    assert "Your vote is saved" in resident.text
    assert BACK_TO not in await state_of(factory, resident)


async def test_confirming_the_phone_number_from_a_poll_leads_back_to_it(dialogs, factory, clock):
    poll = await open_poll(factory, clock, Eligibility(verified=True))
    resident = await english_resident(dialogs)
    await resident.send(IncomingKind.BUTTON, payload=encode_payload("open", poll.id))
    assert "Only verified residents vote in this poll." in resident.text
    assert "Set my home district" not in " ".join(resident.buttons())
    await resident.press("Confirm my phone number")
    assert "Confirm your phone number." in resident.text  # the share-contact screen at once
    await resident.send(IncomingKind.CONTACT, phone="+380501112233", contact_proof=PhoneProof.OWN)
    assert "is confirmed" in resident.text
    assert resident.buttons()[0].startswith("↩ Back to “Where should")
    await resident.press("↩ Back to")
    assert "By the school" in resident.buttons()


async def test_a_vote_from_an_old_screen_is_refused_with_the_fix_and_the_way_back(
    dialogs, factory, clock
):
    poll = await open_poll(factory, clock, Eligibility(districts=("rotok", "hayok")))
    resident = await english_resident(dialogs)
    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(resident.identity)
        await homes.set_home_district(uow, citizen, "center", clock())
        await uow.commit()
    await resident.send(IncomingKind.BUTTON, payload=encode_payload("poll", poll.id))
    payload = encode_payload("vote", poll.id, poll.options[0].id)
    await resident.send(IncomingKind.BUTTON, payload=payload)
    assert "Only residents of the districts Rotok, Hayok vote in this poll." in resident.text
    assert "Your home district is Center. You can change it from" in resident.text
    # The district was set today: no button that could only be refused; the way back instead.
    assert "Change my home district" not in " ".join(resident.buttons())
    assert "« Back to the poll" in resident.buttons()
    async with factory() as uow:
        assert await uow.ballots.tally(poll.id) == ({}, 0)


async def test_the_district_screen_in_ukrainian_lists_every_home_district_but_the_whole_city(
    dialogs,
):
    resident = Resident(dialogs, "oksana")
    await resident.command("start")
    await resident.press("Українська", "Налаштування")
    assert "Мій район: не вказано." in resident.text
    await resident.press("Мій район")
    assert {"Центр", "Заріччя"} <= set(resident.buttons())
    assert "Усе місто" not in resident.buttons()
