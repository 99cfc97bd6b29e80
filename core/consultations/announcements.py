"""The consultation's results push, through the delivery outbox.

Written in the same transaction as marking the results published, so a repeated sweep never
sends twice. It is given the computed outcome: this module never calls the service back.
"""

from __future__ import annotations

from datetime import datetime

from core.campaigns.audience import Audience
from core.consultations.charts import consultation_charts
from core.consultations.model import ConsultationResults, QuestionType
from core.delivery import outbox
from core.delivery.links import CampaignView, Link, link
from core.delivery.messenger import Button, Message
from core.kernel.i18n import _, ngettext
from core.kernel.unit_of_work import UnitOfWork


async def consultation_results(
    uow: UnitOfWork, outcome: ConsultationResults, now: datetime
) -> None:
    """A short summary (and the first chart) to everyone who submitted."""
    consultation_id = outcome.consultation_id

    def render() -> Message:
        lines = [
            _("📋 Results of the consultation “{title}”").format(title=outcome.title),
            ngettext(
                "{n} resident took part.", "{n} residents took part.", outcome.submissions
            ).format(n=outcome.submissions),
        ]
        for row in outcome.questions:
            if row.question.type == QuestionType.TEXT or not row.choices:
                continue
            top = max(row.choices, key=lambda c: c.count)
            lines.append(f"• {row.question.text} — {top.label} ({top.percent:.0f}%)")
        charts = consultation_charts(outcome)[:1]
        button = Button(
            _("📈 All results"), link(Link.CAMPAIGN, consultation_id, CampaignView.RESULTS)
        )
        return Message(
            "\n".join(lines), buttons=((button,),), image=charts[0][1] if charts else None
        )

    await outbox.enqueue(
        uow,
        kind="consultation.results",
        audience=Audience.participants(consultation_id),
        render=render,
        now=now,
        campaign_id=consultation_id,
        dedupe_key=f"consultation.results:{consultation_id}",
    )
