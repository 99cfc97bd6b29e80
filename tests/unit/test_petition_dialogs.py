"""Petitions in chat, on the real SQL repositories: file → preview → submit, sign once, the
threshold, the answer reaching every signer, closing short, deep links and the way back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.dialogs.petitions import SignPetition
from bot.ui import IncomingKind
from core.campaigns import service as campaigns
from core.citizens import home_district as homes
from core.citizens.model import PhoneProof
from core.delivery.links import BotAddresses
from core.delivery.tables import BroadcastRow, OutboxRow
from core.kernel.errors import InvalidTransitionError
from core.petitions import service as petitions
from core.petitions.model import Decision, NewPetition, PetitionPolicy, PetitionStatus
from core.petitions.ports import PETITIONS
from tests.dialogs import english_resident, verify_phone
from tests.fakes.resident import Resident

TEXT = "Прошу встановити ліхтарі на вулиці Надросся, бо ввечері там небезпечно."


@pytest.fixture(autouse=True)
def small_hromada(factory):
    factory.policies = type(factory.policies)(
        petitions=PetitionPolicy(days=30, threshold=3, text_max=500),
        bots=BotAddresses(telegram_username="spilno_test_bot", viber_chat_uri="spilnotest"),
    )


async def eligible(factory, clock, resident: Resident) -> int:
    """The resident confirms their phone and sets a home district, as the screens offer."""
    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(resident.identity)
        await verify_phone(uow, citizen, clock())
        await homes.set_home_district(uow, citizen, "center", clock())
        await uow.commit()
    return citizen.id


async def filed(factory, clock, author_id: int, title: str = "Ліхтарі на Надроссі") -> int:
    async with factory() as uow:
        petition = await petitions.file_petition(
            uow, NewPetition(author_id, "Міська рада", title, TEXT, "roads"), now=clock()
        )
        await uow.commit()
    return petition.id


async def approved(factory, clock, petition_id: int) -> None:
    async with factory() as uow:
        await petitions.approve_petition(uow, petition_id, actor="olha", now=clock())
        await uow.commit()


async def recipients(factory, kind: str) -> list[int]:
    async with factory.engine.connect() as conn:
        rows = await conn.execute(
            select(OutboxRow.citizen_id)
            .join(BroadcastRow, BroadcastRow.id == OutboxRow.broadcast_id)
            .where(BroadcastRow.kind == kind)
            .order_by(OutboxRow.citizen_id)
        )
        return list(rows.scalars())


async def test_a_verified_resident_files_a_petition_step_by_step(dialogs, factory, clock):
    resident = await english_resident(dialogs)
    author = await eligible(factory, clock, resident)
    await resident.press("Petitions")
    assert "3 signatures within 30 days" in resident.text
    await resident.press("File a petition")
    assert "Step 1 of 4." in resident.text
    await resident.press("The city council")
    assert "title of the petition" in resident.text
    await resident.say("Ліхтарі на Надроссі")
    await resident.say("x" * 501)  # over the hromada's limit: said so, still on the text step
    assert "501 characters, and the limit is 500" in resident.text
    await resident.say(TEXT)
    await resident.press("Roads")
    assert "Please check your petition:" in resident.text
    assert "To: The city council" in resident.text and TEXT in resident.text
    await resident.press("« Back")  # back to the topic, then forward again
    assert "Choose the topic" in resident.text
    await resident.press("Roads")
    await resident.press("Submit the petition")
    assert "is sent to the moderators" in resident.text
    async with factory() as uow:
        [petition] = await uow.repository(PETITIONS).search(
            petitions.PetitionQuery(statuses=(PetitionStatus.PENDING,)), offset=0, limit=5
        )
    assert (petition.author_id, petition.addressee, petition.title, petition.text) == (
        author,
        "The city council",
        "Ліхтарі на Надроссі",
        TEXT,
    )
    await resident.press("Open my petition")
    assert "waiting for moderation" in resident.text and "Sign" not in resident.buttons()


async def test_an_unverified_resident_is_shown_what_filing_needs(dialogs):
    resident = await english_resident(dialogs)
    await resident.press("Petitions")
    await resident.press("File a petition")
    assert "Only verified residents of the hromada" in resident.text
    assert {"📱 Confirm my phone number", "🏠 Set my home district"} <= set(resident.buttons())
    await resident.press("Confirm my phone number")
    assert "Confirm your phone number." in resident.text


async def test_signing_counts_once_and_the_answer_reaches_the_author_and_every_signer(
    dialogs, factory, clock
):
    author = await english_resident(dialogs, "author")
    author_id = await eligible(factory, clock, author)
    petition_id = await filed(factory, clock, author_id)
    await approved(factory, clock, petition_id)
    signer = await english_resident(dialogs, "signer")
    signer_id = await eligible(factory, clock, signer)
    await signer.press("Petitions")
    await signer.press("Newest")
    await signer.press("Ліхтарі на Надроссі")
    assert "✍️ 1 of 3 signatures · 30 days left" in signer.text  # the author signed first
    await signer.press("Sign")
    assert "Your signature is counted." in signer.text and "2 of 3 signatures" in signer.text
    # An old Sign button pressed again counts nothing more.
    await signer.send(IncomingKind.BUTTON, payload=SignPetition(petition_id).pack())
    assert "already signed" in signer.text and "2 of 3 signatures" in signer.text
    third = await english_resident(dialogs, "third")
    third_id = await eligible(factory, clock, third)
    await third.send(IncomingKind.BUTTON, payload=SignPetition(petition_id).pack())
    assert "under consideration by the city" in third.text
    assert "The city must answer by" in third.text
    assert await recipients(factory, "petition.threshold") == sorted(
        [author_id, signer_id, third_id]
    )
    async with factory() as uow:
        await petitions.answer_petition(
            uow,
            petition_id,
            decision=Decision.PARTIALLY,
            text="Ліхтарі встановимо навесні, на двох кварталах з трьох.",
            actor="ivan",
            now=clock(),
        )
        await uow.commit()
    assert await recipients(factory, "petition.answered") == sorted(
        [author_id, signer_id, third_id]
    )
    await signer.send(IncomingKind.BUTTON, payload=f"open:{petition_id}")
    assert "The city's answer (partially supported):" in signer.text
    assert "Sign" not in " ".join(signer.buttons())


async def test_a_petition_short_of_signatures_closes_and_its_signers_are_told(
    dialogs, factory, clock
):
    author = await english_resident(dialogs, "author")
    author_id = await eligible(factory, clock, author)
    petition_id = await filed(factory, clock, author_id)
    await approved(factory, clock, petition_id)
    clock.advance(days=30, seconds=1)
    async with factory() as uow:
        assert await campaigns.close_due(uow, clock()) == [petition_id]  # the template's sweep
        assert await petitions.sweep(uow, clock()) == ([petition_id],)
        assert await petitions.sweep(uow, clock()) == ([],)  # idempotent
        await uow.commit()
    assert await recipients(factory, "petition.not_enough") == [author_id]
    await author.send(IncomingKind.BUTTON, payload=f"open:{petition_id}")
    assert "closed: not enough signatures" in author.text
    await author.send(IncomingKind.BUTTON, payload=SignPetition(petition_id).pack())
    assert "no longer takes signatures" in author.text
    assert "« Back to the petition" in author.buttons()


async def test_a_deep_link_opens_the_petition_even_for_a_newcomer(dialogs, factory, clock):
    author = await english_resident(dialogs, "author")
    petition_id = await filed(factory, clock, await eligible(factory, clock, author))
    await approved(factory, clock, petition_id)
    await author.send(IncomingKind.BUTTON, payload=f"psh:{petition_id}")
    await author.press("Share the petition")  # a messenger with no address: how to find it
    assert f"send the bot /start p{petition_id}" in author.text
    on_telegram = Resident(dialogs, "t", platform="telegram", language_hint="en")
    await on_telegram.send(IncomingKind.COMMAND, text="start", argument=f"p{petition_id}")
    await on_telegram.press("Share the petition")
    assert f"https://t.me/spilno_test_bot?start=p{petition_id}" in on_telegram.text
    newcomer = Resident(dialogs, "newcomer", language_hint="en")
    await newcomer.send(IncomingKind.COMMAND, text="start", argument=f"p{petition_id}")
    assert f"Petition №{petition_id}" in newcomer.text and "Sign" in " ".join(newcomer.buttons())
    viber = Resident(dialogs, "v", platform="viber", language_hint="en")
    await viber.send(IncomingKind.STARTED, argument=f"p{petition_id}")
    assert f"Petition №{petition_id}" in viber.text
    await viber.press("Share the petition")
    assert f"viber://pa?chatURI=spilnotest&context=p{petition_id}" in viber.text
    # A link to nothing we know is just the start.
    stranger = Resident(dialogs, "stranger", language_hint="en")
    await stranger.send(IncomingKind.COMMAND, text="start", argument="x1")
    assert "Choose your language" in stranger.text


async def test_a_pending_petition_is_only_its_authors_and_not_the_campaign_commands(
    dialogs, factory, clock
):
    author = await english_resident(dialogs, "author")
    petition_id = await filed(factory, clock, await eligible(factory, clock, author))
    other = await english_resident(dialogs, "other")
    await other.send(IncomingKind.BUTTON, payload=f"open:{petition_id}")
    assert "Petition №" not in other.text
    async with factory() as uow:
        with pytest.raises(InvalidTransitionError) as error:
            await campaigns.open_campaign(uow, petition_id, actor="olha", now=clock())
        assert error.value.reason == "own_lifecycle"
    async with factory() as uow:
        with pytest.raises(InvalidTransitionError):
            await campaigns.delete_draft(uow, petition_id, actor="olha", now=clock())


async def test_the_same_person_on_a_linked_messenger_signs_once(dialogs, factory, clock):
    author = await english_resident(dialogs, "author")
    petition_id = await filed(factory, clock, await eligible(factory, clock, author))
    await approved(factory, clock, petition_id)
    signer = await english_resident(dialogs, "signer")
    await signer.send(IncomingKind.CONTACT, phone="+380501112233", contact_proof=PhoneProof.OWN)
    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(signer.identity)
        await homes.set_home_district(uow, citizen, "center", clock())
        await uow.commit()
    await signer.send(IncomingKind.BUTTON, payload=SignPetition(petition_id).pack())
    assert "Your signature is counted." in signer.text
    # The same person opens the Viber bot and confirms the same number: one resident.
    on_viber = Resident(dialogs, "signer-v", platform="viber", language_hint="en")
    await on_viber.command("start")
    await on_viber.press("English")
    # Linked the way a Viber account proves it is the same person: a code from the other bot.
    await signer.command("menu")
    await signer.press("Settings", "Link another messenger")
    code = next(line for line in signer.text.splitlines() if "link code:" in line).split()[-1]
    await on_viber.command("menu")
    await on_viber.press("Settings", "I have a link code")
    await on_viber.say(code)
    await on_viber.press("Yes, it is me")
    await on_viber.send(IncomingKind.BUTTON, payload=SignPetition(petition_id).pack())
    assert "already signed" in on_viber.text and "2 of 3 signatures" in on_viber.text
    async with factory() as uow:
        assert (await petitions.get_petition(uow, petition_id)).signatures == 2
