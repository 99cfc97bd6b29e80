"""The ideas dialogs on a fresh SQLite copy, driven by a resident pressing buttons."""

import pytest

from bot.dialogs import Dialogs
from bot.ui import IncomingKind
from core.config import Policies
from core.ideas import service as ideas
from core.ideas.model import IdeaQuery, IdeaStatus, NewIdea
from tests.dialogs import english_resident
from tests.fakes.clock import FakeClock
from tests.fakes.resident import Resident, registered


async def all_ideas(factory):
    async with factory() as uow:
        return await uow.ideas.search(IdeaQuery(public_only=False), offset=0, limit=100)


async def published_idea(factory, clock, title, description="Опис ідеї", author="author-999"):
    async with factory() as uow:
        idea = await ideas.submit_idea(
            uow,
            NewIdea(
                await registered(uow, author, clock()), title, description, "greenery", "center"
            ),
            now=clock(),
            policy=ideas.IdeaPolicy(premoderation=False),
        )
        await uow.commit()
    return idea


async def drafting(dialogs: Dialogs, title: str) -> Resident:
    """A resident who chose English, began proposing an idea and typed its title (step 2)."""
    resident = await english_resident(dialogs)
    await resident.press("Ideas", "Propose an idea")
    await resident.say(title)
    return resident


async def walk_to_preview(resident: Resident, title="Benches in Oleksandriia park"):
    await resident.press("Ideas", "Propose an idea")
    assert "Step 1 of 6" in resident.text
    await resident.say(title)
    assert "Step 2 of 6" in resident.text
    await resident.say("The park has too few benches for older people to rest.")
    await resident.press("Skip")
    assert "Step 4 of 6" in resident.text
    await resident.press("Skip", "Parks and greenery", "Center")
    assert "Please check your idea" in resident.text


async def test_a_resident_proposes_an_idea_step_by_step_and_it_waits_for_moderation(
    dialogs, factory
):
    resident = await english_resident(dialogs)
    assert "💡 Ideas" in resident.buttons()
    await walk_to_preview(resident)
    assert "Benches in Oleksandriia park" in resident.text
    await resident.press("Submit the idea")
    assert "ID-2026-0001 is sent to the moderators" in resident.text
    (idea,) = await all_ideas(factory)
    assert (idea.title, idea.topic, idea.district) == (
        "Benches in Oleksandriia park",
        "greenery",
        "center",
    )
    assert idea.status == IdeaStatus.PENDING
    assert idea.photo_ref is None and idea.latitude is None


async def test_without_premoderation_the_idea_is_published_at_once(dialogs, factory):
    factory.policies = Policies(ideas=ideas.IdeaPolicy(premoderation=False))
    resident = await english_resident(dialogs)
    await walk_to_preview(resident)
    await resident.press("Submit the idea")
    assert "is published" in resident.text
    (idea,) = await all_ideas(factory)
    assert idea.status == IdeaStatus.PUBLISHED


async def test_photo_and_location_are_kept_when_sent_at_their_steps(dialogs, factory):
    resident = await drafting(dialogs, "Fix the fountain")
    await resident.say("The fountain in the center has been dry for two years.")
    await resident.send(IncomingKind.PHOTO, photo_ref="file-123")
    await resident.send(IncomingKind.LOCATION, latitude=49.7968, longitude=30.1311)
    await resident.press("Culture and sport", "Whole city")
    assert "With a photo" in resident.text and "With a location" in resident.text
    await resident.press("Submit the idea")
    (idea,) = await all_ideas(factory)
    assert (idea.photo_ref, idea.latitude, idea.longitude) == ("file-123", 49.7968, 30.1311)


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("🌳🌳🌳", "only emoji or symbols"),
        ("x" * 121, "121 characters, and the limit is 120"),
        ("Visit https://spam.example now", "do not put links in the title"),
    ],
)
async def test_bad_title_input_gets_a_specific_polite_answer_and_the_step_repeats(
    dialogs, factory, typed, answer
):
    resident = await english_resident(dialogs)
    await resident.press("Ideas", "Propose an idea")
    await resident.say(typed)
    assert answer in resident.text
    assert "Step 1 of 6" in resident.text
    assert await all_ideas(factory) == []


async def test_text_at_the_photo_step_asks_for_a_photo_instead(dialogs):
    resident = await drafting(dialogs, "Fix the fountain")
    await resident.say("Dry for two years.")
    await resident.say("here is my photo")
    assert "waiting for a photo" in resident.text
    assert "Step 3 of 6" in resident.text


async def test_back_returns_to_the_previous_step_and_keeps_what_was_typed(dialogs, factory):
    resident = await english_resident(dialogs)
    await walk_to_preview(resident, title="First title")
    for _ in range(6):
        await resident.press("Back")
    assert "Step 1 of 6" in resident.text
    assert "Now: “First title”" in resident.text
    await resident.say("Second title")
    assert "Step 2 of 6" in resident.text


async def test_cancel_deletes_the_draft_and_nothing_is_stored(dialogs, factory):
    resident = await drafting(dialogs, "Some idea")
    await resident.press("Cancel")
    assert "Discard your unfinished idea “Some idea”?" in resident.text
    await resident.press("Yes, discard")
    assert "draft is deleted" in resident.text
    assert "Continue my idea" not in resident.buttons()
    await resident.say("stray text")
    assert "didn't ask for text" in resident.text
    assert await all_ideas(factory) == []


async def test_the_draft_survives_a_restart_and_continues_at_the_same_step(factory, clock):
    before = Dialogs(factory, clock=clock, default_locale="uk")
    resident = await drafting(before, "Lights in the underpass")
    after_restart = Dialogs(factory, clock=clock, default_locale="uk")
    resident.dialogs = after_restart
    await resident.say("It is dark at night and people are afraid to walk there.")
    assert "Step 3 of 6" in resident.text
    await resident.press("Skip", "Skip", "Safety", "Rotok")
    assert "Lights in the underpass" in resident.text


async def test_a_draft_left_for_browsing_can_be_continued(dialogs, factory, clock):
    await published_idea(factory, clock, "Lavky u parku")
    resident = await drafting(dialogs, "My own idea")
    await resident.send(IncomingKind.BUTTON, payload="ideas")
    await resident.press("Newest", "Lavky u parku", "Back to my idea")
    assert "Step 2 of 6" in resident.text


async def test_the_preview_offers_similar_published_ideas(dialogs, factory, clock):
    similar = await published_idea(factory, clock, "More benches in Oleksandriia park")
    await published_idea(factory, clock, "Repair the road to the station")
    resident = await english_resident(dialogs)
    await walk_to_preview(resident, title="Benches in Oleksandriia park")
    assert "Maybe support one of these instead?" in resident.text
    assert similar.code in resident.text
    assert "Repair the road" not in resident.text
    await resident.press("More benches")
    assert "💡 " + similar.code in resident.text


async def test_browse_support_withdraw_and_comment(dialogs, factory, clock):
    idea = await published_idea(factory, clock, "Велодоріжка на Заріччі")
    resident = await english_resident(dialogs)
    await resident.press("Ideas", "Top ideas")
    assert idea.code in resident.text
    await resident.press("Велодоріжка", "Support")
    assert "Thank you for your support" in resident.text
    assert "1 support" in resident.text
    await resident.send(IncomingKind.BUTTON, payload=f"isup:{idea.id}")  # an old button, again
    async with factory() as uow:
        assert (await uow.ideas.get(idea.id)).supports == 1
    await resident.press("Withdraw my support")
    assert "0 supports" in resident.text
    await resident.press("✍️ Comment")
    await resident.say("Чудова ідея, підтримую!")
    assert "Your comment is published" in resident.text
    await resident.press("Comments (1)")
    assert "Чудова ідея" in resident.text


async def test_three_reports_hide_an_idea_and_one_resident_counts_once(dialogs, factory, clock):
    idea = await published_idea(factory, clock, "Купуйте мої вікна")
    residents = [await english_resident(dialogs, f"r{i}") for i in range(3)]
    for number, resident in enumerate(residents):
        await resident.send(IncomingKind.BUTTON, payload=f"ish:{idea.id}")
        await resident.press("Report", "Spam")
        assert "Moderators will look at it" in resident.text
        if number == 0:
            await resident.send(IncomingKind.BUTTON, payload=f"irr:i:{idea.id}:spam")
            assert "already reported" in resident.text
    async with factory() as uow:
        stored = await uow.ideas.get(idea.id)
    assert (stored.reports, stored.hidden) == (3, True)
    assert await all_ideas(factory)
    async with factory() as uow:
        assert await uow.ideas.search(IdeaQuery(), offset=0, limit=10) == []


async def test_my_ideas_show_pending_ones_with_their_status(dialogs, factory):
    resident = await english_resident(dialogs)
    await walk_to_preview(resident)
    await resident.press("Submit the idea")
    await resident.send(IncomingKind.BUTTON, payload="il:my:0")
    assert "waiting for moderation" in resident.text


async def test_a_malformed_idea_button_gets_a_polite_answer(dialogs):
    resident = await english_resident(dialogs)
    await resident.send(IncomingKind.BUTTON, payload="ish:notanumber")
    assert resident.replies
    await resident.send(IncomingKind.BUTTON, payload="ish:424242")
    assert resident.replies


async def test_the_demo_city_has_an_open_idea_call_and_ideas_to_support(dialogs, factory, clock):
    from core.demo.polls import seed_demo_city

    async with factory() as uow:
        assert await seed_demo_city(uow, clock())
        await uow.commit()
    resident = await english_resident(dialogs)
    await resident.press("Ideas", "Idea calls from the city", "Олександрія")
    assert "💡 Propose an idea for this call" in resident.buttons()
    await resident.send(IncomingKind.BUTTON, payload="il:new:0")
    assert resident.text.count("ID-2026-") == 3
    await resident.press("Вечірній автобус", "Support")
    assert "1 support" in resident.text


async def test_an_idea_proposed_into_a_call_belongs_to_it(dialogs, factory, clock):
    from core.demo.polls import seed_demo_city

    async with factory() as uow:
        await seed_demo_city(uow, clock())
        await uow.commit()
    resident = await english_resident(dialogs)
    await resident.press("Ideas", "Idea calls from the city", "Олександрія")
    await resident.press("Propose an idea for this call")
    await resident.say("Public toilets near the entrance")
    await resident.say("There is no toilet in the whole park, families leave early.")
    await resident.press("Skip", "Skip", "Parks and greenery", "Center", "Submit the idea")
    mine = [i for i in await all_ideas(factory) if i.title.startswith("Public toilets")]
    assert mine[0].call_id is not None


async def _leave_by_command(resident: Resident, name: str) -> None:
    await resident.command(name)


async def _leave_by_main_menu(resident: Resident) -> None:
    await resident.send(IncomingKind.BUTTON, payload="menu")  # e.g. from an older message


async def _leave_by_changing_language(resident: Resident) -> None:
    await resident.command("language")
    await resident.press("English")


async def _leave_by_restarting_the_bot(resident: Resident) -> None:
    resident.dialogs = Dialogs(
        resident.dialogs._uow_factory, clock=FakeClock(), default_locale="uk"
    )
    await resident.command("start")


LEAVINGS = {
    "/start": lambda r: _leave_by_command(r, "start"),
    "/help": lambda r: _leave_by_command(r, "help"),
    "/language": _leave_by_changing_language,
    "main menu": _leave_by_main_menu,
    "polls": lambda r: _leave_by_command(r, "polls"),
    "restart": _leave_by_restarting_the_bot,
}


@pytest.mark.parametrize("leave", list(LEAVINGS), ids=list(LEAVINGS))
async def test_the_draft_survives_whatever_else_the_resident_opens(dialogs, factory, leave):
    resident = await drafting(dialogs, "Shade over the playground")
    await LEAVINGS[leave](resident)
    await resident.command("ideas")
    await resident.press("Continue my idea")
    assert "Step 2 of 6" in resident.text
    await resident.press("Back")
    assert "Now: “Shade over the playground”" in resident.text


async def test_back_on_the_first_step_keeps_the_draft_in_the_ideas_menu(dialogs, factory):
    resident = await drafting(dialogs, "Shade over the playground")
    await resident.press("Back", "Back")
    assert "saved as a draft" in resident.text
    await resident.press("Continue my idea")
    assert "Now: “Shade over the playground”" in resident.text


async def test_discarding_asks_first_and_no_keeps_the_draft(dialogs, factory):
    resident = await drafting(dialogs, "Shade over the playground")
    await resident.press("Cancel", "No, continue")
    assert "Step 2 of 6" in resident.text
    await resident.command("ideas")
    await resident.press("Propose an idea")  # a second idea would overwrite the first
    assert "unfinished idea “Shade over the playground”" in resident.text
    await resident.press("Discard it", "Yes, discard")
    assert "draft is deleted" in resident.text
    assert "Continue my idea" not in resident.buttons()
    await resident.press("Propose an idea")
    assert "Step 1 of 6" in resident.text


async def test_a_submitted_idea_leaves_no_draft_behind(dialogs, factory):
    resident = await english_resident(dialogs)
    await walk_to_preview(resident)
    await resident.press("Submit the idea", "« Ideas")
    assert "Continue my idea" not in resident.buttons()
