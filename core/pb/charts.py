"""A participatory budget's result charts, one per pot, in the current language: the projects
by votes, the winners under the PB's rule highlighted."""

from __future__ import annotations

from core.campaigns.charts import Bar, bar_chart_png
from core.hromadas.taxonomy import district_name
from core.kernel.i18n import format_money, ngettext
from core.pb.model import PbResults


def pot_name(code: str) -> str:
    return district_name(code)  # "city" is the whole city's own entry


def pb_charts(outcome: PbResults) -> list[bytes]:
    images = []
    for pot in outcome.pots:
        if not pot.ranked:
            continue
        total = sum(r.votes for r in pot.ranked) or 1
        winners = pot.winners[outcome.pb.rule]
        bars = [
            Bar(
                f"{r.project.title} ({format_money(r.project.cost)})",
                r.votes,
                round(100.0 * r.votes / total, 1),
                highlight=r.project.id in winners,
            )
            for r in pot.ranked
        ]
        caption = ngettext("{n} person voted", "{n} people voted", pot.voters).format(n=pot.voters)
        title = f"{outcome.pb.campaign.title} — {pot_name(pot.pot.code)}"
        images.append(bar_chart_png(title, bars, caption=caption))
    return images
