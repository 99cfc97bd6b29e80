"""What the dialog tests share: a resident who chose English, and open campaigns to press through."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.dialogs import Dialogs
from core.campaigns import service as campaigns
from core.citizens import verification
from core.citizens.model import Citizen, PhoneProof
from core.consultations import service as consultations
from core.consultations.model import Consultation
from core.consultations.plan import parse_consultation
from core.contests import service as contests
from core.contests.model import Contest
from core.contests.plan import parse_contest
from core.polls import service as polls
from core.polls.model import Poll
from tests.databases import SqliteUnitOfWorkFactory
from tests.fakes.clock import FakeClock
from tests.fakes.resident import Resident

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
KYIV = ZoneInfo("Europe/Kyiv")


async def verify_phone(uow: Any, citizen: Citizen, now: Any) -> None:
    """Verify `citizen` the way a shared contact does, with a number of their own."""
    await verification.verify_phone(
        uow, citizen, f"+38050{citizen.id:07d}", now, proof=PhoneProof.OWN
    )


async def english_resident(dialogs: Dialogs, name: str = "olena") -> Resident:
    resident = Resident(dialogs, name)
    await resident.command("start")
    await resident.press("English")
    return resident


async def stored(factory: SqliteUnitOfWorkFactory, resident: Resident) -> Citizen:
    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(resident.identity)
    assert citizen is not None
    return citizen


async def open_poll(
    factory: SqliteUnitOfWorkFactory,
    clock: FakeClock,
    options: tuple[str, ...] = ("У парку", "Біля школи"),
    **kwargs: Any,
) -> Poll:
    async with factory() as uow:
        poll = await polls.create_poll(
            uow,
            question="Де посадити дерева?",
            options=list(options),
            actor="m",
            now=clock(),
            **kwargs,
        )
        await campaigns.open_campaign(uow, poll.id, actor="m", now=clock())
        await uow.commit()
    return poll


async def open_consultation(
    factory: SqliteUnitOfWorkFactory, clock: FakeClock, closes_in: timedelta = timedelta(days=9)
) -> Consultation:
    """The example consultation ("Оновлення парку"), open now."""
    plan = parse_consultation((EXAMPLES / "consultation.yaml").read_text(), tz=KYIV)
    plan = replace(plan, opens_at=None, closes_at=clock() + closes_in)
    async with factory() as uow:
        consultation = await consultations.create_consultation(uow, plan, actor="m", now=clock())
        await campaigns.open_campaign(uow, consultation.id, actor="m", now=clock())
        await uow.commit()
    return consultation


async def at_first_consultation_question(dialogs: Dialogs, name: str = "olena") -> Resident:
    """A resident who chose English and pressed Start on the example consultation."""
    resident = await english_resident(dialogs, name)
    await resident.press("Consultations", "Оновлення парку", "Start")
    return resident


async def submit_entry(resident: Resident, title: str, description: str) -> None:
    """From a contest's screen, submit an entry without a photo."""
    await resident.press("Submit an entry")
    await resident.say(title)
    await resident.say(description)
    await resident.press("Skip")


async def running_contest(
    factory: SqliteUnitOfWorkFactory, clock: FakeClock, **changes: Any
) -> Contest:
    """The example contest, open: submissions from a minute from now for a day, then a day of
    voting, one vote each, no premoderation (`changes` override any of these)."""
    plan = parse_contest((EXAMPLES / "contest.yaml").read_text(), tz=KYIV)
    now = clock()
    fields = {
        "submissions_open_at": now + timedelta(minutes=1),
        "submissions_close_at": now + timedelta(days=1),
        "voting_opens_at": now + timedelta(days=1),
        "voting_close_at": now + timedelta(days=2),
        "premoderation": False,
        "votes_per_resident": 1,
        **changes,
    }
    async with factory() as uow:
        contest = await contests.create_contest(uow, replace(plan, **fields), actor="m", now=now)
        await campaigns.open_campaign(uow, contest.id, actor="m", now=now)
        await uow.commit()
    return contest
