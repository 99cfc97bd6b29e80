"""Settings → notifications and what to follow, and the button in campaign pushes (on SQLite)."""

from __future__ import annotations

from core.campaigns import service as campaigns
from core.citizens.model import IdentityRef, NotificationMode
from core.polls import service as polls
from tests.dialogs import english_resident
from tests.fakes.resident import Resident


async def mode_of(factory, resident: Resident) -> NotificationMode:
    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(resident.identity)
    assert citizen is not None
    return citizen.notifications


async def test_a_resident_switches_to_one_daily_digest_in_settings(dialogs, factory):
    resident = await english_resident(dialogs)
    await resident.press("Settings")
    assert "✅ 🔔 At once" in resident.buttons()

    await resident.press("Once a day")

    assert await mode_of(factory, resident) is NotificationMode.DIGEST
    assert "one daily digest at 19:00" in resident.text
    assert "✅ 📬 Once a day" in resident.buttons()


async def test_turning_notifications_off_and_back_on_with_buttons(dialogs, factory):
    resident = await english_resident(dialogs)
    await resident.press("Settings", "🔕 Off")
    assert await mode_of(factory, resident) is NotificationMode.OFF
    assert "Notifications are off" in resident.text

    await resident.press("At once")
    assert await mode_of(factory, resident) is NotificationMode.INSTANT


async def test_following_a_topic_ticks_it_and_pressing_again_unfollows(dialogs, factory):
    resident = await english_resident(dialogs)
    await resident.press("Settings", "Topics I follow")

    await resident.press("Transport")
    assert "You now follow “Transport”" in resident.text
    assert "✅ Transport" in resident.buttons()
    await resident.press("Transport")
    assert "no longer follow" in resident.text
    assert "Transport" in resident.buttons() and "✅ Transport" not in resident.buttons()


async def test_following_a_district_after_stop_turns_notifications_back_on(dialogs, factory):
    resident = await english_resident(dialogs)
    await resident.command("stop")
    await resident.press("Main menu", "Settings", "My part of the city")

    await resident.press("Center")

    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(resident.identity)
        assert await uow.subscriptions.of(citizen.id) == {("district", "center")}
    assert await mode_of(factory, resident) is NotificationMode.INSTANT


async def test_a_forged_follow_button_gets_a_polite_answer_and_changes_nothing(dialogs, factory):
    resident = await english_resident(dialogs)
    from bot.ui import IncomingKind

    replies = await resident.send(IncomingKind.BUTTON, payload="follow:topic:mars")

    assert replies and "Traceback" not in resident.text
    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(resident.identity)
        assert await uow.subscriptions.of(citizen.id) == set()


async def test_the_take_part_button_of_a_poll_push_opens_the_poll(dialogs, factory, clock):
    resident = await english_resident(dialogs)
    async with factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Where to plant trees?",
            options=["Park", "School"],
            actor="m",
            now=clock(),
        )
        await campaigns.open_campaign(uow, poll.id, actor="m", now=clock())
        await uow.commit()
    async with factory() as uow:
        (push,) = await uow.outbox.recent()
        payloads = await uow.outbox.payloads([push.id])
    (take_part,) = payloads[push.id]["en"]["buttons"][0]
    assert take_part[0] == "👉 Take part"

    from bot.ui import IncomingKind

    await resident.send(IncomingKind.BUTTON, payload=take_part[1])

    assert "Where to plant trees?" in resident.text
    assert "Park" in resident.buttons()
    assert IdentityRef("test", "olena") == resident.identity
