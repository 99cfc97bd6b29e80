"""A sample city, so a newcomer running Spilno for the first time has something to vote on."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.campaigns import service as campaigns
from core.campaigns.model import ResultsVisibility
from core.demo.campaign_kinds import seed_demo_consultation_and_contest
from core.demo.ideas import seed_demo_ideas
from core.demo.organizations import seed_demo_organization
from core.hromadas.default import default_profile
from core.hromadas.scope import current_hromada_id
from core.kernel.unit_of_work import UnitOfWork
from core.polls import service as polls

DEMO_ACTOR = "demo"


async def seed_demo_city(uow: UnitOfWork, now: datetime) -> bool:
    """Create the sample polls unless the database already holds campaigns. Returns True if seeded."""
    if await uow.campaigns.count() > 0:
        return False
    # The sample city is Bila Tserkva: its districts and topics are the built-in profile
    # (examples/hromada-bila-tserkva.yaml), stored if the hromada has none yet.
    if await uow.profiles.load(current_hromada_id()) is None:
        await uow.profiles.save(current_hromada_id(), default_profile(), now)
    first = await polls.create_poll(
        uow,
        question="Який проєкт благоустрою громада має зробити першим у 2027 році?",
        description="Бюджет участі: 2 млн грн. Переможець буде реалізований до осені.",
        options=[
            "Сквер над річкою Рось",
            "Велодоріжка вулицею Ярослава Мудрого",
            "Дитячий майданчик на Заріччі",
            "Освітлення парку Олександрія",
        ],
        actor=DEMO_ACTOR,
        now=now,
        closes_at=now + timedelta(days=14),
        visibility=ResultsVisibility.LIVE,
    )
    second = await polls.create_poll(
        uow,
        question="Що змінити в громадському транспорті насамперед?",
        description="Оберіть до двох варіантів. Результати покажемо після завершення.",
        options=[
            "Частіші автобуси у години пік",
            "Нічні маршрути",
            "Оплата карткою в усіх маршрутках",
            "Електронне табло на зупинках",
        ],
        max_choices=2,
        actor=DEMO_ACTOR,
        now=now,
        closes_at=now + timedelta(days=7),
        visibility=ResultsVisibility.AFTER_CLOSE,
    )
    for poll in (first, second):
        await campaigns.open_campaign(uow, poll.id, actor=DEMO_ACTOR, now=now)
    await polls.create_poll(
        uow,
        question="Коли зручніше проводити громадські слухання?",
        options=["У будні ввечері", "У суботу зранку", "Онлайн"],
        actor=DEMO_ACTOR,
        now=now,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=10),
    )
    await seed_demo_ideas(uow, now)
    await seed_demo_consultation_and_contest(uow, now)
    await seed_demo_organization(uow, now)
    return True
