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
from core.citizens.model import IdentityRef, PhoneProof
from core.citizens.tables import CitizenRow, IdentityRow
from core.delivery.tables import BroadcastRow, OutboxRow
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


async def share(person: Resident, phone: str | None, *, proof: PhoneProof | None = None):
    """A contact as the platform's adapter marks it: Telegram proves it is the sender's own,
    Viber cannot (it is only claimed)."""
    if proof is None:
        proof = PhoneProof.CLAIMED if person.identity.platform == "viber" else PhoneProof.OWN
    return await person.send(IncomingKind.CONTACT, phone=phone, contact_proof=proof)


async def share_from_settings(person: Resident, phone: str):
    """Settings → Confirm my phone number → the share button, as a resident does."""
    await person.press("Settings")
    # "📱 Confirm my phone number", or "✅ My phone: …" once confirmed: the same screen.
    await person.press(next(label for label in person.buttons() if "phone" in label))
    return await share(person, phone)


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


async def link_code_of(person: Resident) -> str:
    await person.press("Settings", "Link another messenger")
    line = next(line for line in person.text.splitlines() if "link code:" in line)
    return line.rsplit(" ", 1)[1]


async def claimed_in_viber(dialogs) -> tuple[Resident, Resident]:
    """Telegram proved the number; Viber shares the same one (a claim) and is asked for a code."""
    telegram = await resident(dialogs, "1001", "telegram")
    await share(telegram, PHONE)
    viber = await resident(dialogs, "abc=", "viber")
    await share_from_settings(viber, SAME_PHONE_AS_VIBER)
    return telegram, viber


async def linked_by_phone(dialogs) -> tuple[Resident, Resident]:
    """The same number in both messengers, proven one person by Telegram's link code."""
    telegram, viber = await claimed_in_viber(dialogs)
    await viber.say(await link_code_of(telegram))
    assert "your accounts are now one" in viber.text
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
    await share(olena, None, proof=PhoneProof.FOREIGN)
    assert "not your own contact" in olena.text
    assert "📱 Share my phone number" in olena.buttons()
    assert (await citizen_row(sqlite_uow, olena.identity)).verified_at is None


async def test_an_invalid_number_is_refused_politely(dialogs, sqlite_uow):
    olena = await resident(dialogs, "1001", "telegram")
    await share(olena, "12345")
    assert "does not look like a phone number" in olena.text
    assert "« Main menu" in olena.buttons()
    assert (await citizen_row(sqlite_uow, olena.identity)).verified_at is None


async def test_the_same_number_in_viber_asks_for_a_code_and_then_one_person_votes_once(
    dialogs, sqlite_uow, clock
):
    poll = await open_poll(sqlite_uow, clock)
    telegram, viber = await claimed_in_viber(dialogs)
    assert "already confirmed in Spilno from Telegram" in viber.text
    assert (
        "open Spilno in Telegram → Settings → “🔗 Link another messenger”, then type the "
        "6-digit code here" in viber.text
    )
    assert "Yes, it is me" not in viber.buttons()  # a bare "Yes" proves nothing
    assert "« Settings" in viber.buttons()  # the way back
    # Nothing is merged or changed before the code is right.
    vb_before = await citizen_row(sqlite_uow, viber.identity)
    assert vb_before.verified_at is None and vb_before.phone_hash is None
    assert vb_before.id != (await citizen_row(sqlite_uow, telegram.identity)).id

    await viber.say(await link_code_of(telegram))
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
    await share_from_settings(viber, PHONE)
    await viber.say(await link_code_of(telegram))
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


async def test_saying_no_to_a_proven_holder_changes_nothing(dialogs, sqlite_uow):
    # Both proven in Telegram: an old account of the number's previous owner, say.
    holder = await resident(dialogs, "1001", "telegram")
    await share(holder, PHONE)
    newcomer = await resident(dialogs, "1002", "telegram")
    await share(newcomer, SAME_PHONE_AS_VIBER)
    assert "Is that account yours too?" in newcomer.text
    assert "nothing changes" in newcomer.text
    await newcomer.press("No")
    held = await citizen_row(sqlite_uow, holder.identity)
    assert held.id != (await citizen_row(sqlite_uow, newcomer.identity)).id
    assert held.verified_at is not None and held.phone_masked == MASKED
    assert (await citizen_row(sqlite_uow, newcomer.identity)).verified_at is None


async def test_a_bare_yes_never_merges_a_number_claimed_from_viber(dialogs, sqlite_uow):
    telegram, viber = await claimed_in_viber(dialogs)
    # Not even a "Yes" pressed from an old keyboard, or typed as its payload.
    await viber.send(IncomingKind.BUTTON, payload="linkyes")
    assert "out of date" in viber.text
    tg_row = await citizen_row(sqlite_uow, telegram.identity)
    vb_row = await citizen_row(sqlite_uow, viber.identity)
    assert tg_row.id != vb_row.id and vb_row.verified_at is None
    assert tg_row.phone_masked == MASKED and tg_row.verified_at is not None
    assert await sqlite_uow.count("citizens") == 2


async def test_wrong_codes_after_a_claimed_number_count_towards_the_limit(
    dialogs, sqlite_uow, clock
):
    telegram, viber = await claimed_in_viber(dialogs)
    code = await link_code_of(telegram)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for attempt in range(linking.MAX_WRONG_CODES):
        await viber.say(wrong)  # still on the code step: no need to find it again
        assert "not right" in viber.text, attempt
    assert await sqlite_uow.count("link_code_failures") == linking.MAX_WRONG_CODES
    await viber.say(code)
    assert "Too many wrong codes" in viber.text
    vb_row = await citizen_row(sqlite_uow, viber.identity)
    assert vb_row.id != (await citizen_row(sqlite_uow, telegram.identity)).id
    assert vb_row.verified_at is None and vb_row.phone_hash is None

    # An hour later the right code of that account links them at once: the resident asked.
    clock.advance(hours=1, seconds=1)
    code = await link_code_of(telegram)
    await viber.press("Settings")
    await viber.press("I have a link code")
    await viber.say(code)
    assert "your accounts are now one" in viber.text


async def test_a_code_of_another_account_after_a_claimed_number_still_asks(dialogs, sqlite_uow):
    _telegram, viber = await claimed_in_viber(dialogs)
    third = await resident(dialogs, "2002", "telegram")
    await viber.say(await link_code_of(third))
    # Not the account that holds the number: the usual confirmation, nothing linked yet.
    assert "This code is from your account in Telegram. Link it with this one?" in viber.text
    assert (await citizen_row(sqlite_uow, viber.identity)).id != (
        await citizen_row(sqlite_uow, third.identity)
    ).id


async def test_a_viber_contact_counts_only_on_the_verify_screen(dialogs, sqlite_uow):
    telegram = await resident(dialogs, "1001", "telegram")
    await share(telegram, PHONE)
    viber = await resident(dialogs, "abc=", "viber")
    for phone in (SAME_PHONE_AS_VIBER, "+380671112233"):  # held by Telegram, and nobody's
        await share(viber, phone)  # from the main menu: any address-book contact looks so
        assert "cannot confirm your phone number" in viber.text
        assert "📱 Confirm my phone number" in viber.buttons()
        assert "« Main menu" in viber.buttons()
        assert "already confirmed" not in viber.text
    row = await citizen_row(sqlite_uow, viber.identity)
    assert row.verified_at is None and row.phone_hash is None
    assert row.dialog_state.get("screen") != "identity:code"

    await viber.press("Confirm my phone number")
    await share(viber, "+380671112233")
    assert "is confirmed" in viber.text
    assert (await citizen_row(sqlite_uow, viber.identity)).verified_at is not None


async def test_a_telegram_proven_number_claimed_from_viber_moves_to_its_owner_on_no(
    dialogs, sqlite_uow
):
    viber = await resident(dialogs, "abc=", "viber")
    await share_from_settings(viber, SAME_PHONE_AS_VIBER)  # somebody else's number, claimed
    assert "is confirmed" in viber.text
    owner = await resident(dialogs, "1001", "telegram")
    await share(owner, PHONE)  # its owner, proven by Telegram
    assert "already confirmed in Spilno from Viber" in owner.text
    assert "Is that account yours too?" in owner.text
    assert "that account will have to confirm its own number again" in owner.text
    assert (await citizen_row(sqlite_uow, owner.identity)).verified_at is None  # not yet

    await owner.press("No")
    assert f"Your phone number {MASKED} is confirmed" in owner.text
    assert "no longer holds this number" in owner.text
    mine = await citizen_row(sqlite_uow, owner.identity)
    theirs = await citizen_row(sqlite_uow, viber.identity)
    assert mine.id != theirs.id  # nothing merged
    assert mine.verified_at is not None and mine.phone_masked == MASKED
    assert theirs.verified_at is None and theirs.phone_hash is None
    assert theirs.phone_masked is None
    held_hash = mine.phone_hash

    async with sqlite_uow.engine.connect() as conn:
        entries = (
            await conn.execute(
                select(AuditRow.__table__).where(AuditRow.action == "citizens.phone_reassigned")
            )
        ).all()
        notices = (
            await conn.execute(
                select(OutboxRow.identity_id, BroadcastRow.payloads, BroadcastRow.bulk)
                .join(BroadcastRow, BroadcastRow.id == OutboxRow.broadcast_id)
                .where(BroadcastRow.kind == "citizens.phone_reassigned")
            )
        ).all()
        viber_identity = (
            await conn.execute(select(IdentityRow.id).where(IdentityRow.citizen_id == theirs.id))
        ).scalar_one()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor == "telegram:1001" and str(entry.object_id) == str(theirs.id)
    recorded = f"{entry.before} {entry.after}"
    for secret in ("501234567", "67", MASKED, held_hash):  # no number, mask or hash
        assert secret not in recorded.replace(str(theirs.id), "").replace(str(mine.id), "")
    # The other resident is told, in their language, at once (personal, not bulk).
    assert [(n.identity_id, n.bulk) for n in notices] == [(viber_identity, False)]
    assert "confirmed by its owner in another messenger" in notices[0].payloads["en"]["text"]
    assert "підтвердив його власник" in notices[0].payloads["uk"]["text"]
    assert [label for label, _payload in notices[0].payloads["en"]["buttons"][0]] == [
        "📱 Confirm my phone number"
    ]

    # The Viber resident sees it in Settings too, and may confirm again.
    await viber.press("Settings")
    assert "📱 Confirm my phone number" in viber.buttons()


async def test_yes_still_links_a_proven_number_with_the_account_that_claimed_it(
    dialogs, sqlite_uow
):
    viber = await resident(dialogs, "abc=", "viber")
    await share_from_settings(viber, SAME_PHONE_AS_VIBER)
    owner = await resident(dialogs, "1001", "telegram")
    await share(owner, PHONE)
    await owner.press("Yes, it is me")
    assert "your accounts are now one" in owner.text
    assert (await citizen_row(sqlite_uow, owner.identity)).id == (
        await citizen_row(sqlite_uow, viber.identity)
    ).id
    async with sqlite_uow.engine.connect() as conn:
        actions = (await conn.execute(select(AuditRow.action))).scalars().all()
    assert "citizens.merge" in actions and "citizens.phone_reassigned" not in actions


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
    telegram, viber = await linked_by_phone(dialogs)
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
    _telegram, viber = await linked_by_phone(dialogs)
    await share_from_settings(viber, "+380 99 99")  # invalid: refused
    text = "\n".join(record.getMessage() for record in caplog.records)
    text += "\n".join(str(record.__dict__) for record in caplog.records)
    for form in (PHONE, "+" + PHONE, SAME_PHONE_AS_VIBER, "501234567", "99 99"):
        assert form not in text
