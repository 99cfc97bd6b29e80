"""The consultation's results push, through the delivery outbox.

Written in the same transaction as marking the results published, so a repeated sweep never
sends twice. It is given the computed outcome: this module never calls the service back.
"""

from __future__ import annotations

from datetime import datetime

from core.campaigns import district_results
from core.campaigns.breakdown import ResultsBreakdown
from core.consultations.charts import consultation_charts
from core.consultations.model import ConsultationResults, QuestionResult, QuestionType
from core.delivery.links import CampaignView, Link, link
from core.delivery.messenger import Button, Message
from core.kernel.i18n import _, current_locale, format_number, ngettext
from core.kernel.unit_of_work import UnitOfWork

CHOICE_QUESTIONS = (QuestionType.SINGLE, QuestionType.MULTIPLE)


def _first_choice_question(outcome: ConsultationResults) -> QuestionResult | None:
    return next((q for q in outcome.questions if q.question.type in CHOICE_QUESTIONS), None)


def district_line(
    mine: ConsultationResults, city: ConsultationResults, district: str
) -> str | None:
    """The first choice question's leading option in the resident's district next to the
    whole city: "On “Where?”, your district, Zarichchia: 62% for “Park”; the whole city: 48%."
    Nothing when nobody there (or in the city) answered that question."""
    whole = _first_choice_question(city)
    if whole is None or not whole.respondents or not whole.choices:
        return None
    there = next(q for q in mine.questions if q.question.id == whole.question.id)
    if not there.respondents:
        return None
    index, leading = max(enumerate(whole.choices), key=lambda ic: ic[1].count)  # first on a tie
    return _(
        "On “{question}”, your district, {district}: {share}% for “{option}”;"
        " the whole city: {city}%."
    ).format(
        question=whole.question.text,
        district=district,
        share=format_number(there.choices[index].percent),
        option=leading.label,
        city=format_number(leading.percent),
    )


async def consultation_results(
    uow: UnitOfWork,
    outcome: ConsultationResults,
    by_district: ResultsBreakdown[ConsultationResults] | None,
    now: datetime,
) -> None:
    """A short summary (and the first chart) to everyone who submitted; those who set a home
    district also read their district's answer to the first choice question (`by_district`)."""
    consultation_id = outcome.consultation_id
    # The chart depends on the language only: drawn once per language, not once per district.
    charts: dict[str, bytes | None] = {}

    def chart() -> bytes | None:
        locale = current_locale()
        if locale not in charts:
            drawn = consultation_charts(outcome)[:1]
            charts[locale] = drawn[0][1] if drawn else None
        return charts[locale]

    def render(line: str | None) -> Message:
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
        if line is not None:
            lines += ["", line]
        button = Button(
            _("📈 All results"), link(Link.CAMPAIGN, consultation_id, CampaignView.RESULTS)
        )
        return Message("\n".join(lines), buttons=((button,),), image=chart())

    await district_results.enqueue_to_participants(
        uow,
        kind="consultation.results",
        campaign_id=consultation_id,
        render=render,
        by_district=by_district,
        district_line=district_line,
        now=now,
        dedupe_key=f"consultation.results:{consultation_id}",
    )
