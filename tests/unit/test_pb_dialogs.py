"""A participatory budget in the chat (channel-neutral dialogs on the SQLite template): a
resident proposes a project with buttons and typed answers, then builds a knapsack ballot with
a running total, is refused an overflowing project (told by how much), removes one, submits
with a confirmation, changes it, and reads the results and the project's progress."""

from __future__ import annotations

from bot.ui import IncomingKind
from core.citizens import home_district as homes
from core.pb import service as pbs
from core.pb.model import PbPhase, Progress, ProjectStatus
from tests.dialogs import english_resident, stored, verify_phone
from tests.pb import create, pots, proposed, resident, to_phase


async def verified(factory, dialogs, clock, name: str, district: str | None = None):
    person = await english_resident(dialogs, name)
    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(person.identity)
        await verify_phone(uow, citizen, clock())
        if district:
            citizen = await uow.citizens.get(citizen.id)
            await homes.set_home_district(uow, citizen, district, clock())
        await uow.commit()
    return person


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


async def test_proposing_a_project_in_chat_goes_to_review(factory, dialogs, clock):
    pb = await create(factory, clock, pots=pots(city=2_000_000, rotok=400_000))
    await to_phase(factory, clock, pb, 0.1)
    olena = await verified(factory, dialogs, clock, "olena", district="rotok")

    await olena.press("Public budget")
    await olena.press(pb.campaign.title[:20])
    assert "Proposals are accepted until" in olena.text
    await olena.press("Propose a project")
    assert "Step 1 of 5" in olena.text
    await olena.say("Сквер біля школи")
    await olena.say("Лавки, ліхтарі й дерева біля школи №3.")
    assert "Step 3 of 5" in olena.text
    assert {"Whole city", "Rotok"} <= set(olena.buttons())
    await olena.press("Rotok")
    await olena.say("пів мільйона")
    assert "whole number of hryvnias" in olena.text
    await olena.say("500 000")
    assert "more than the whole budget" in olena.text and "400,000" in plain(olena.text)
    await olena.say("350 000 грн")
    assert "Step 5 of 5" in olena.text
    await olena.send(IncomingKind.PHOTO, photo_ref="AgACphoto")
    assert "Your project is saved" in olena.text

    async with factory() as uow:
        (project,) = await pbs.list_projects(uow, pb.id)
    assert (project.title, project.pot, project.cost, project.photo_ref, project.status) == (
        "Сквер біля школи",
        "rotok",
        350_000,
        "AgACphoto",
        ProjectStatus.SUBMITTED,
    )
    await olena.press("My projects")
    assert "waiting for review" in olena.text


async def test_unverified_residents_are_told_how_to_take_part(factory, dialogs, clock):
    pb = await create(factory, clock)
    await to_phase(factory, clock, pb, 0.1)
    taras = await english_resident(dialogs, "taras")
    await taras.press("Public budget")
    await taras.press(pb.campaign.title[:20])
    assert "Propose a project" not in taras.buttons()
    assert any("Confirm my phone number" in b for b in taras.buttons())


async def test_a_knapsack_ballot_in_chat_from_choice_to_results_and_progress(
    factory, dialogs, clock
):
    pb = await create(factory, clock, pots=pots(city=2_000_000))
    author = await resident(factory, clock, "author")
    await to_phase(factory, clock, pb, 0.1)
    park = await proposed(factory, clock, pb, author, "Парк", 1_000_000)
    lights = await proposed(factory, clock, pb, author, "Ліхтарі", 240_000)
    pool = await proposed(factory, clock, pb, author, "Басейн", 900_000)
    await to_phase(factory, clock, pb, 2.5)
    olena = await verified(factory, dialogs, clock, "olena")

    await olena.press("Public budget")
    await olena.press(pb.campaign.title[:20])
    await olena.press("Vote: Whole city")
    assert "0 projects chosen, 0 UAH of 2,000,000 UAH" in plain(olena.text)
    await olena.press("Парк")
    await olena.press("Add to my ballot")
    await olena.press("Back to the ballot")
    await olena.press("Ліхтарі")
    await olena.press("Add to my ballot")
    assert "2 projects chosen, 1,240,000 UAH of 2,000,000 UAH" in plain(olena.text)
    await olena.press("Back to the ballot")
    await olena.press("Басейн")
    await olena.press("Add to my ballot")
    assert "over the budget by 140,000 UAH" in plain(olena.text)
    assert "« Back to the ballot" in olena.buttons()  # the refusal offers the way back
    await olena.press("Back to the ballot")
    await olena.press("Ліхтарі")
    await olena.press("Remove from my ballot")
    await olena.press("Back to the ballot")
    await olena.press("Басейн")
    await olena.press("Add to my ballot")
    assert "2 projects chosen, 1,900,000 UAH of 2,000,000 UAH" in plain(olena.text)

    await olena.press("Submit my ballot")
    assert "Submit your ballot for Whole city?" in olena.text and "Парк" in olena.text
    await olena.press("Yes, submit")
    assert "Your ballot is submitted" in olena.text
    async with factory() as uow:
        me = await stored(factory, olena)
        ballot = await pbs.ballot(uow, pb.id, me.id, "city")
    assert ballot.cast == {park.id, pool.id}

    # Changing it afterwards: the change counts once it is submitted again.
    await olena.press("Басейн")
    await olena.press("Remove from my ballot")
    await olena.press("Back to the ballot")
    assert "submit the ballot again" in olena.text

    await to_phase(factory, clock, pb, 4.5)  # voting closed, results announced
    async with factory() as uow:
        assert (await pbs.get_pb(uow, pb.id)).phase == PbPhase.IMPLEMENTATION
        await pbs.add_milestone(
            uow,
            park.id,
            status=Progress.IN_PROGRESS,
            text="Висадили 40 дерев",
            image=None,
            actor="m",
            now=clock(),
        )
        await uow.commit()
    await olena.press("« Back to the public budget")
    await olena.press("Results and progress")
    assert "🏆 Парк" in olena.text and "🏆 Басейн" in olena.text and "▫️ Ліхтарі" in olena.text
    await olena.press("🏆 Парк")
    assert "Progress:" in olena.text and "Висадили 40 дерев" in olena.text
    assert "won; in progress" in olena.text
    _ = lights
