"""A petition's Viber link (viber://pa?chatURI=…&context=p<ID>) through the real viberbot
parsing and our webhook: the opening message is the petition, and its Sign button works."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.bootstrap import App
from core.citizens import home_district as homes
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.petitions import service as petitions
from core.petitions.model import NewPetition
from tests.adapters.test_viber_webhook import TOKEN, ViberBot, payloads, running_viber_bot
from tests.dialogs import verify_phone
from tests.fakes.viber_api import FakeViberApi, ViberUser

NEIGHBOUR = ViberUser("neighbour+xyz/1==", name="Іра", language="en")


@pytest.fixture
async def viber(app: App) -> AsyncIterator[ViberBot]:
    async with FakeViberApi(TOKEN) as api, running_viber_bot(app, api) as bot:
        yield bot


async def verified(app: App, ref: IdentityRef) -> int:
    async with app.uow_factory() as uow:
        citizen, _new = await citizens.resolve_citizen(uow, ref, app.clock())
        await verify_phone(uow, citizen, app.clock())
        await homes.set_home_district(uow, citizen, "center", app.clock())
        await uow.commit()
    return citizen.id


async def test_the_viber_link_opens_the_petition_and_the_resident_signs_it(viber: ViberBot):
    app = viber.app
    author = await verified(app, IdentityRef("telegram", "700"))
    async with app.uow_factory() as uow:
        petition = await petitions.file_petition(
            uow,
            NewPetition(author, "Міська рада", "Streetlights", "Please light the street.", "roads"),
            now=app.clock(),
        )
        await petitions.approve_petition(uow, petition.id, actor="olha", now=app.clock())
        await uow.commit()
    await verified(app, IdentityRef("viber", NEIGHBOUR.id))

    opened = (await viber.api.conversation_started(NEIGHBOUR, context=f"p{petition.id}")).json()
    assert f"Petition №{petition.id}" in opened["text"]
    assert f"psg:{petition.id}" in payloads(opened)
    (signed,) = await viber.press(NEIGHBOUR, f"psg:{petition.id}")
    assert "Your signature is counted." in signed["text"]
    # A context that is not ours is the usual welcome.
    other = ViberUser("other+1==", name="Other", language="en")
    welcome = (await viber.api.conversation_started(other, context="promo-2026")).json()
    assert payloads(welcome) and f"psg:{petition.id}" not in payloads(welcome)
    async with app.uow_factory() as uow:
        assert (await petitions.get_petition(uow, petition.id)).signatures == 2
