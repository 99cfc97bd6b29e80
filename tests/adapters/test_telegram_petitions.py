"""A petition's deep link and signature through the real aiogram code and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.bootstrap import App
from core.citizens import home_district as homes
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.petitions import service as petitions
from core.petitions.model import NewPetition
from tests.adapters.telegram_harness import Resident, running_channel
from tests.dialogs import verify_phone
from tests.fakes.telegram_api import FakeTelegramAPI


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api


async def verified(app: App, user_id: int) -> int:
    async with app.uow_factory() as uow:
        citizen, _new = await citizens.resolve_citizen(
            uow, IdentityRef("telegram", str(user_id)), app.clock()
        )
        await verify_phone(uow, citizen, app.clock())
        await homes.set_home_district(uow, citizen, "center", app.clock())
        await uow.commit()
    return citizen.id


async def published_petition(app: App, author_id: int) -> int:
    async with app.uow_factory() as uow:
        petition = await petitions.file_petition(
            uow,
            NewPetition(author_id, "Міська рада", "Streetlights on Nadrossia", "Please.", "roads"),
            now=app.clock(),
        )
        await petitions.approve_petition(uow, petition.id, actor="olha", now=app.clock())
        await uow.commit()
    return petition.id


async def test_a_deep_link_opens_the_petition_and_the_resident_signs_it(
    app: App, fake: FakeTelegramAPI
) -> None:
    petition_id = await published_petition(app, await verified(app, 700))
    await verified(app, 701)
    async with running_channel(app, fake, mode="polling"):
        # https://t.me/<bot>?start=p<ID> makes Telegram send "/start p<ID>".
        neighbour = Resident(fake, 701, mode="polling", language_code="en")
        await neighbour.say(f"/start p{petition_id}")
        screen = await neighbour.sees(f"Petition №{petition_id}")
        assert "1 of 250 signatures" in (screen.text or "")
        await neighbour.press("Sign")
        await neighbour.sees("Your signature is counted.")
        # A stranger who is not verified gets the rule and the way to fix it, not a signature.
        stranger = Resident(fake, 702, mode="polling", language_code="en")
        await stranger.say(f"/start p{petition_id}")
        await stranger.sees(f"Petition №{petition_id}")
        await stranger.press("Sign")
        refusal = await stranger.sees("Only verified residents of the hromada")
        assert refusal.button("Confirm my phone number")
    async with app.uow_factory() as uow:
        assert (await petitions.get_petition(uow, petition_id)).signatures == 2
