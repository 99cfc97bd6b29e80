"""A sample consultation and contest for the demo city (see core/demo/polls.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.campaigns import service as campaigns
from core.campaigns.model import ResultsVisibility
from core.consultations import service as consultations
from core.consultations.model import QuestionSpec, QuestionType, SkipRule
from core.consultations.plan import ConsultationPlan
from core.contests import service as contests
from core.contests.plan import ContestPlan
from core.kernel.unit_of_work import UnitOfWork

DEMO_ACTOR = "demo"


async def seed_demo_consultation_and_contest(uow: UnitOfWork, now: datetime) -> None:
    consultation = await consultations.create_consultation(
        uow,
        ConsultationPlan(
            title="Оновлення парку Олександрія",
            description="Розкажіть, як ви користуєтесь парком і що змінити насамперед. "
            "Це займе 3 хвилини.",
            opens_at=None,
            closes_at=now + timedelta(days=14),
            audience="all",
            visibility=ResultsVisibility.AFTER_CLOSE,
            questions=[
                QuestionSpec(
                    "visits",
                    "Як часто ви буваєте в парку?",
                    QuestionType.SINGLE,
                    options=("Щотижня", "Щомісяця", "Кілька разів на рік", "Ніколи"),
                ),
                QuestionSpec(
                    "why_not",
                    "Що заважає вам приходити частіше?",
                    QuestionType.TEXT,
                    max_length=500,
                    skip_if=SkipRule("visits", "Щотижня"),
                ),
                QuestionSpec(
                    "priorities",
                    "Що зробити насамперед? Оберіть до двох.",
                    QuestionType.MULTIPLE,
                    options=("Освітлення", "Лавки", "Туалети", "Велодоріжки"),
                    max_choices=2,
                ),
                QuestionSpec(
                    "satisfaction",
                    "Як ви оцінюєте стан парку зараз?",
                    QuestionType.SCALE,
                    min_label="Дуже погано",
                    max_label="Чудово",
                ),
            ],
        ),
        actor=DEMO_ACTOR,
        now=now,
    )
    await campaigns.open_campaign(uow, consultation.id, actor=DEMO_ACTOR, now=now)
    contest = await contests.create_contest(
        uow,
        ContestPlan(
            title="Як оживити набережну Росі?",
            problem="Набережна порожня ввечері. Запропонуйте ідею, що зробить її місцем "
            "зустрічей: назва, короткий опис і, якщо хочете, фото.",
            submissions_open_at=now + timedelta(minutes=1),
            submissions_close_at=now + timedelta(days=7),
            voting_opens_at=now + timedelta(days=7),
            voting_close_at=now + timedelta(days=14),
            votes_per_resident=3,
            winners=3,
            entries_per_resident=1,
            premoderation=False,
            audience="all",
        ),
        actor=DEMO_ACTOR,
        now=now,
    )
    await campaigns.open_campaign(uow, contest.id, actor=DEMO_ACTOR, now=now)
