"""The chart of a contest's results, in the current language: winners highlighted."""

from __future__ import annotations

from core.campaigns.charts import Bar, bar_chart_png
from core.contests.model import ContestResults
from core.kernel.i18n import ngettext


def contest_chart(outcome: ContestResults) -> bytes:
    bars = [
        Bar(f"{r.rank}. {r.entry.title}", r.votes, r.percent, highlight=r.winner)
        for r in outcome.ranked
    ]
    caption = ngettext("{n} person voted", "{n} people voted", outcome.voters).format(
        n=outcome.voters
    )
    return bar_chart_png(outcome.contest.campaign.title, bars, caption=caption)
