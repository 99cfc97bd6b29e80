"""A sample organization with an upcoming event and a news post, for the demo city."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.kernel.unit_of_work import UnitOfWork
from core.organizations import events
from core.organizations import service as organizations

DEMO_ACTOR = "demo"


async def seed_demo_organization(uow: UnitOfWork, now: datetime) -> None:
    org = await organizations.create_organization(
        uow,
        actor=DEMO_ACTOR,
        slug="zelene-misto",
        name="ГО «Зелене місто»",
        description="Волонтери, які доглядають парки та сквери громади. Приєднуйтеся!",
        now=now,
    )
    # Saturday-ish morning about five days ahead, on the hour.
    starts = (now + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    await events.create_event(
        uow,
        actor=DEMO_ACTOR,
        slug=org.slug,
        title="Толока в парку Олександрія",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="Парк Олександрія, головний вхід (вул. Соборна)",
        description="Рукавички та мішки дамо на місці. Візьміть воду й гарний настрій.",
        now=now,
    )
    await organizations.post_news(
        uow,
        actor=DEMO_ACTOR,
        slug=org.slug,
        text="Цієї осені ми висадили 40 дерев над Россю. Дякуємо всім, хто допоміг!",
        now=now,
    )
