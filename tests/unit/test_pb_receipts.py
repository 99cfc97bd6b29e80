"""Receipts for participatory-budget ballots (issue 17 for PB), on the SQLite template: each
submission gets a new code shown under the confirmation, only the final one is kept, "My
receipts" lists it with its pot, and `receipts: false` in the PB's file turns them off."""

from __future__ import annotations

from core.campaigns.receipts import is_receipt
from core.pb import service as pbs
from core.pb.model import CITY_POT
from core.pb.plan import parse_pb
from core.trust import receipts
from tests.pb import EXAMPLES, KYIV, create, pots, proposed, resident, to_phase, vote
from tests.unit.test_pb_dialogs import verified


async def ballot(factory, pb, citizen, pot=CITY_POT):
    async with factory() as uow:
        return await pbs.ballot(uow, pb.id, citizen, pot)


async def test_each_submission_gets_a_new_receipt_and_my_receipts_lists_the_last(factory, clock):
    pb = await create(factory, clock, pots=pots(city=1_000, rotok=500))
    author = await resident(factory, clock, "author", district="rotok")
    voter = await resident(factory, clock, "voter", district="rotok")
    await to_phase(factory, clock, pb, 0.1)
    a = await proposed(factory, clock, pb, author, "A", 400)
    b = await proposed(factory, clock, pb, author, "B", 300)
    local = await proposed(factory, clock, pb, author, "Local", 200, pot="rotok")
    await to_phase(factory, clock, pb, 2.1)

    await vote(factory, clock, voter, a)
    first = (await ballot(factory, pb, voter)).receipt
    assert first is not None and is_receipt(first)
    await vote(factory, clock, voter, b)  # changed their mind and submitted again
    final = (await ballot(factory, pb, voter)).receipt
    assert final is not None and is_receipt(final) and final != first
    await vote(factory, clock, voter, local)
    district = (await ballot(factory, pb, voter, "rotok")).receipt
    assert district is not None and district not in (first, final)

    async with factory() as uow:
        mine = await receipts.my_receipts(uow, voter)
        nobody = await receipts.my_receipts(uow, author)
    assert sorted((r.campaign_id, r.pot, r.receipt) for r in mine) == sorted(
        [(pb.id, CITY_POT, final), (pb.id, "rotok", district)]
    )
    assert nobody == []


async def test_receipts_false_in_the_file_turns_them_off(factory, clock):
    text = (EXAMPLES / "pb.yaml").read_text() + "receipts: false\n"
    assert parse_pb(text, tz=KYIV).receipts is False
    pb = await create(factory, clock, pots=pots(city=1_000), receipts=False)
    assert pb.campaign.receipts is False
    author = await resident(factory, clock, "author")
    voter = await resident(factory, clock, "voter")
    await to_phase(factory, clock, pb, 0.1)
    a = await proposed(factory, clock, pb, author, "A", 400)
    await to_phase(factory, clock, pb, 2.1)
    await vote(factory, clock, voter, a)
    assert (await ballot(factory, pb, voter)).receipt is None
    async with factory() as uow:
        assert await receipts.my_receipts(uow, voter) == []


async def test_the_confirmation_shows_the_receipt_and_my_receipts_lists_it(factory, dialogs, clock):
    pb = await create(factory, clock, pots=pots(city=1_000))
    author = await resident(factory, clock, "author")
    await to_phase(factory, clock, pb, 0.1)
    await proposed(factory, clock, pb, author, "Парк", 400)
    await to_phase(factory, clock, pb, 2.1)
    olena = await verified(factory, dialogs, clock, "olena")

    await olena.press("Public budget")
    await olena.press(pb.campaign.title[:20])
    await olena.press("Vote: Whole city")
    await olena.press("Парк")
    await olena.press("Add to my ballot")
    await olena.press("Submit my ballot")
    await olena.press("Yes, submit")
    assert "Your ballot is submitted" in olena.text
    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(olena.identity)
    code = (await ballot(factory, pb, citizen.id)).receipt
    assert code and f"Your receipt: {code}." in olena.text

    await olena.command("menu")
    await olena.press("Settings")
    await olena.press("My receipts")
    assert f"{code} — {pb.campaign.title} (Whole city)" in olena.text
