"""Verify by phone, one person across messengers, link codes and unlinking, through the dialogs
on a real SQLite unit of work (issue 16)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.dialogs import Dialogs
from bot.ui import IncomingKind, ShareContact
from core.audit.tables import AuditRow
from core.citizens import linking
from core.citizens.model import IdentityRef
from core.citizens.tables import CitizenRow, IdentityRow
from core.polls import service as polls
from tests.databases import SqliteUnitOfWorkFactory
from tests.fakes.clock import FakeClock
from tests.fakes.resident import Resident

PHONE = "380501234567"  # as Telegram sends it
SAME_PHONE_AS_VIBER = "+380 50 123 45 67"  # the same number, written another way
MASKED = "+380 •• ••• •• 67"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def dialogs(sqlite_uow: SqliteUnitOfWorkFactory, clock: FakeClock) -> Dialogs:
    return Dialogs(sqlite_uow, clock=clock, default_locale="en")


async def resident(dialogs: Dialogs, name: str, platform: str) -> Resident:
    person = Resident(dialogs, name, platform=platform)
    await person.command("start")
    if "English" in person.buttons():  # a newcomer chooses; a returning resident is at the menu
        await person.press("English")
    return person


async def share(person: Resident, phone: str | None, *, own: bool = True):
    return await person.send(IncomingKind.CONTACT, phone=phone, contact_own=own)  # type: ignore[arg-type]


async def citizen_row(factory: SqliteUnitOfWorkFactory, ref: IdentityRef) -> Any:
    """The citizen row behind `ref`, as committed (columns by name)."""
    async with factory.engine.connect() as conn:
        return (
            await conn.execute(
                select(CitizenRow.__table__)
                .join(IdentityRow, IdentityRow.citizen_id == CitizenRow.id)
                .where(
                    IdentityRow.platform == ref.platform,
                    IdentityRow.external_id == ref.external_id,
                )
            )
        ).one()


async def open_poll(factory, clock):
    async with factory() as uow:
        poll = await polls.create_poll(
            uow, question="Which park first?", options=["North", "South"], actor="m", now=clock()
        )
        from core.campaigns import service as campaigns

        await campaigns.open_campaign(uow, poll.id, actor="m", now=clock())
        await uow.commit()
    return poll


async def verified_in_both(dialogs, sqlite_uow) -> tuple[Resident, Resident]:
    telegram = await resident(dialogs, "1001", "telegram")
    await share(telegram, PHONE)
    viber = await resident(dialogs, "abc=", "viber")
    await share(viber, SAME_PHONE_AS_VIBER)
    return telegram, viber


async def test_settings_offers_the_share_contact_button_and_own_number_verifies(
    dialogs, sqlite_uow
):
    olena = await resident(dialogs, "1001", "telegram")
    await olena.press("Settings", "Confirm my phone number")
    shares = [
        b for r in olena.replies for row in r.buttons for b in row if isinstance(b, ShareContact)
    ]
    assert [b.label for b in shares] == ["📱 Share my phone number"]
    assert "Settings" in " ".join(olena.buttons())  # the way back

    await share(olena, PHONE)
    assert MASKED in olena.text and "is confirmed" in olena.text
    assert "vote count once" in olena.text  # what it allows
    assert PHONE not in olena.text and "501234567" not in olena.text
    row = await citizen_row(sqlite_uow, olena.identity)
    assert row.verified_at is not None and row.phone_masked == MASKED
    assert len(row.phone_hash) == 64 and "501234567" not in row.phone_hash

    await olena.press("Settings")
    assert f"✅ My phone: {MASKED}" in olena.buttons()


async def test_a_forwarded_contact_is_refused_with_the_button_again(dialogs, sqlite_uow):
    olena = await resident(dialogs, "1001", "telegram")
    await share(olena, None, own=False)
    assert "not your own contact" in olena.text
    assert "📱 Share my phone number" in olena.buttons()
    assert (await citizen_row(sqlite_uow, olena.identity)).verified_at is None


async def test_an_invalid_number_is_refused_politely(dialogs, sqlite_uow):
    olena = await resident(dialogs, "1001", "telegram")
    await share(olena, "12345")
    assert "does not look like a phone number" in olena.text
    assert "« Main menu" in olena.buttons()
    assert (await citizen_row(sqlite_uow, olena.identity)).verified_at is None


async def test_the_same_number_in_viber_asks_and_then_one_person_votes_once(
    dialogs, sqlite_uow, clock
):
    poll = await open_poll(sqlite_uow, clock)
    telegram, viber = await verified_in_both(dialogs, sqlite_uow)
    assert "already confirmed in Spilno from Telegram" in viber.text
    assert "Is that account yours too?" in viber.text
    # Nothing is merged before the resident says so.
    assert (await citizen_row(sqlite_uow, viber.identity)).verified_at is None

    await viber.press("Yes, it is me")
    assert "your accounts are now one" in viber.text
    tg_row = await citizen_row(sqlite_uow, telegram.identity)
    vb_row = await citizen_row(sqlite_uow, viber.identity)
    assert tg_row.id == vb_row.id  # the older (Telegram) citizen survived
    assert vb_row.phone_masked == MASKED and vb_row.verified_at is not None

    north, south = (o.id for o in poll.options)
    for person, option in ((telegram, north), (viber, south), (telegram, north)):
        async with sqlite_uow() as uow:
            citizen = await uow.citizens.get_by_identity(person.identity)
            await polls.toggle_choice(
                uow, poll_id=poll.id, citizen_id=citizen.id, option_id=option, now=clock()
            )
            await uow.commit()
    assert await sqlite_uow.count("ballots") == 1


async def test_both_had_voted_the_first_ballot_stands_and_the_voiding_is_audited(
    dialogs, sqlite_uow, clock
):
    poll = await open_poll(sqlite_uow, clock)
    telegram = await resident(dialogs, "1001", "telegram")
    viber = await resident(dialogs, "abc=", "viber")
    north, south = (o.id for o in poll.options)
    for person, option in ((viber, north), (telegram, south)):  # Viber voted first
        clock.advance(minutes=1)
        async with sqlite_uow() as uow:
            citizen = await uow.citizens.get_by_identity(person.identity)
            await polls.toggle_choice(
                uow, poll_id=poll.id, citizen_id=citizen.id, option_id=option, now=clock()
            )
            await uow.commit()
    await share(telegram, PHONE)
    await share(viber, PHONE)
    await viber.press("Yes, it is me")
    assert "You had voted in “Which park first?” from both accounts" in viber.text

    async with sqlite_uow() as uow:
        survivor = await uow.citizens.get_by_identity(telegram.identity)
        assert await uow.ballots.choices(poll.id, survivor.id) == {north}  # Viber's, cast first
    async with sqlite_uow.engine.connect() as conn:
        voids = (
            await conn.execute(
                select(AuditRow.__table__.c.after).where(AuditRow.action == "ballot.void")
            )
        ).all()
    assert len(voids) == 1
    recorded = str(voids[0].after)
    assert str(poll.id) in recorded and "telegram:1001" in recorded
    assert str(south) not in recorded.replace(str(poll.id), "")  # never how anyone voted
    assert await sqlite_uow.count("ballots") == 1


async def test_saying_no_changes_nothing(dialogs, sqlite_uow):
    telegram, viber = await verified_in_both(dialogs, sqlite_uow)
    await viber.press("No")
    assert (await citizen_row(sqlite_uow, telegram.identity)).id != (
        await citizen_row(sqlite_uow, viber.identity)
    ).id


async def link_code_of(person: Resident) -> str:
    await person.press("Settings", "Link another messenger")
    line = next(line for line in person.text.splitlines() if "link code:" in line)
    return line.rsplit(" ", 1)[1]


async def test_a_link_code_typed_in_the_other_bot_links_after_a_confirmation(dialogs, sqlite_uow):
    telegram = await resident(dialogs, "1001", "telegram")
    viber = await resident(dialogs, "abc=", "viber")
    code = await link_code_of(telegram)
    assert len(code) == 6 and code.isdigit()
    async with sqlite_uow() as uow:
        stored = (await uow.residents.live_link_codes(FakeClock()()))[0][1]
    assert code not in stored  # only its keyed hash is kept

    await viber.press("Settings", "I have a link code")
    await viber.say(code)
    assert "This code is from your account in Telegram" in viber.text
    await viber.press("Yes, it is me")
    assert "your accounts are now one" in viber.text
    assert (await citizen_row(sqlite_uow, viber.identity)).id == (
        await citizen_row(sqlite_uow, telegram.identity)
    ).id
    assert await sqlite_uow.count("link_codes") == 0  # used up

    # Linked: Settings offers to undo it.
    await viber.press("Settings")
    assert "✂️ Unlink this messenger" in viber.buttons()


async def test_own_and_expired_codes(dialogs, sqlite_uow, clock):
    telegram = await resident(dialogs, "1001", "telegram")
    viber = await resident(dialogs, "abc=", "viber")
    code = await link_code_of(telegram)
    await telegram.press("Settings", "I have a link code")
    await telegram.say(code)
    assert "code of this very messenger" in telegram.text

    clock.advance(minutes=10, seconds=1)
    await viber.press("Settings", "I have a link code")
    await viber.say(code)
    assert "not right, or it has expired" in viber.text


async def test_five_wrong_codes_an_hour_then_even_the_right_one_is_refused(sqlite_uow, clock):
    telegram = await resident(
        Dialogs(sqlite_uow, clock=clock, default_locale="en"), "1", "telegram"
    )
    code = await link_code_of(telegram)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for attempt in range(linking.MAX_WRONG_CODES):
        # A fresh Dialogs each time: the count lives in the database, not in a process.
        viber = await resident(Dialogs(sqlite_uow, clock=clock, default_locale="en"), "v", "viber")
        await viber.press("Settings", "I have a link code")
        await viber.say(wrong)
        assert "not right" in viber.text, attempt
    await viber.press("Settings", "I have a link code")
    await viber.say(code)
    assert "Too many wrong codes" in viber.text
    assert (await citizen_row(sqlite_uow, viber.identity)).id != (
        await citizen_row(sqlite_uow, telegram.identity)
    ).id

    clock.advance(hours=1, seconds=1)  # an hour later the right code works (if still alive)
    code = await link_code_of(telegram)
    await viber.press("Settings", "I have a link code")
    await viber.say(code)
    assert "This code is from your account in Telegram" in viber.text


async def test_bare_digits_only_on_the_code_step_and_letters_are_not_a_try(dialogs, sqlite_uow):
    viber = await resident(dialogs, "abc=", "viber")
    await viber.say("123456")  # not on the code step: just text
    assert "didn't ask for text" in viber.text
    await viber.press("Settings", "I have a link code")
    await viber.say("12a456")
    assert "type the 6 digits" in viber.text
    assert await sqlite_uow.count("link_code_failures") == 0


async def test_unlink_detaches_this_messenger_for_the_future_only(dialogs, sqlite_uow, clock):
    poll = await open_poll(sqlite_uow, clock)
    telegram, viber = await verified_in_both(dialogs, sqlite_uow)
    await viber.press("Yes, it is me")
    person = (await citizen_row(sqlite_uow, viber.identity)).id
    async with sqlite_uow() as uow:
        await polls.toggle_choice(
            uow, poll_id=poll.id, citizen_id=person, option_id=poll.options[0].id, now=clock()
        )
        await uow.commit()

    await viber.press("Settings", "Unlink this messenger", "Yes, unlink")
    assert "separate account" in viber.text
    detached = await citizen_row(sqlite_uow, viber.identity)
    assert detached.id != person and detached.verified_at is None and detached.locale == "en"
    async with sqlite_uow() as uow:
        assert await uow.ballots.choices(poll.id, person) == {poll.options[0].id}  # stays
    await telegram.press("Settings")
    assert "✂️ Unlink this messenger" not in telegram.buttons()  # only one messenger left


async def test_no_phone_number_reaches_a_log_record(dialogs, sqlite_uow, caplog):
    caplog.set_level(logging.DEBUG)
    _telegram, viber = await verified_in_both(dialogs, sqlite_uow)
    await viber.press("Yes, it is me")
    await share(viber, "+380 99 99")  # invalid: refused
    text = "\n".join(record.getMessage() for record in caplog.records)
    text += "\n".join(str(record.__dict__) for record in caplog.records)
    for form in (PHONE, "+" + PHONE, SAME_PHONE_AS_VIBER, "501234567", "99 99"):
        assert form not in text
