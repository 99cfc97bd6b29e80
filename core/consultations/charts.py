"""Charts of a consultation's results, in the current language."""

from __future__ import annotations

from core.campaigns.charts import Bar, bar_chart_png
from core.consultations.model import ConsultationResults, QuestionType
from core.kernel.i18n import _, format_number, ngettext


def consultation_charts(
    outcome: ConsultationResults, *, group: str | None = None
) -> list[tuple[int, bytes]]:
    """(question position, PNG) for every question with choices; free text has no chart.
    `group`: whose answers these are (a district), named in each title."""
    charts = []
    for row in outcome.questions:
        if row.question.type == QuestionType.TEXT:
            continue
        caption = ngettext("{n} answer", "{n} answers", row.respondents).format(n=row.respondents)
        if row.average is not None:
            caption += " · " + _("average {value}").format(value=format_number(row.average))
        bars = [Bar(c.label, c.count, c.percent) for c in row.choices]
        title = f"{row.question.position}. {row.question.text}"
        if group is not None:
            title += f" — {group}"
        charts.append((row.question.position, bar_chart_png(title, bars, caption=caption)))
    return charts
