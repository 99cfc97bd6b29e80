"""Sample ideas for the demo city: an open idea call and a few published ideas to support."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.campaigns import service as campaigns
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.ideas import service as ideas
from core.ideas.model import NewIdea
from core.kernel.unit_of_work import UnitOfWork

DEMO_ACTOR = "demo"
# The sample ideas' author: a neighbour who is never messaged.
DEMO_AUTHOR = IdentityRef("demo", "neighbours")

SAMPLE_IDEAS = [
    (
        "Лавки й тінь уздовж набережної Росі",
        "Літом на набережній ніде сісти в тіні. Пропоную поставити 15 лавок і посадити липи.",
        "greenery",
        "center",
    ),
    (
        "Безпечний перехід біля школи №5",
        "Діти перебігають дорогу без світлофора. Потрібні «лежачий поліцейський» і освітлення.",
        "roads",
        "zarichchia",
    ),
    (
        "Вечірній автобус до Ротка",
        "Останній автобус їде о 20:00, а зміни на заводі закінчуються о 22:00.",
        "transport",
        "rotok",
    ),
]


async def seed_demo_ideas(uow: UnitOfWork, now: datetime) -> None:
    call = await ideas.create_idea_call(
        uow,
        title="Ідеї для оновлення парку Олександрія",
        description="Що змінити в парку першочергово? Найкращі ідеї увійдуть у план робіт 2027.",
        actor=DEMO_ACTOR,
        now=now,
        closes_at=now + timedelta(days=30),
        support_threshold=50,
    )
    await campaigns.open_campaign(uow, call.id, actor=DEMO_ACTOR, now=now)
    author, _new = await citizens.resolve_citizen(uow, DEMO_AUTHOR, now)
    # No messenger serves the "demo" platform: keep the outbox from queueing news for it.
    await citizens.mark_unreachable(uow, DEMO_AUTHOR)
    published = ideas.IdeaPolicy(premoderation=False)
    for title, description, topic, district in SAMPLE_IDEAS:
        await ideas.submit_idea(
            uow, NewIdea(author.id, title, description, topic, district), now=now, policy=published
        )
