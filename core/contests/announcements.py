"""The contest's winners push, through the delivery outbox.

Written in the same transaction as the contest finishing, so a repeated sweep never sends
twice. It is given the computed outcome: this module never calls the service back.
"""

from __future__ import annotations

from datetime import datetime

from core.campaigns import district_results
from core.campaigns.audience import Audience
from core.campaigns.breakdown import ResultsBreakdown
from core.contests.model import ContestResults
from core.delivery import outbox
from core.delivery.links import CampaignView, Link, link
from core.delivery.messenger import Button, Message
from core.kernel.i18n import _, format_number, ngettext
from core.kernel.unit_of_work import UnitOfWork


def district_line(mine: ContestResults, city: ContestResults, district: str) -> str | None:
    """ "Your district, Zarichchia: 62% for “A”; the whole city: 48%." — the city's leading
    entry, its share of the votes cast there and in the whole city."""
    if not city.ranked or not city.ranked[0].votes:
        return None
    leading = city.ranked[0]  # ties: the entry that came first, as the ranking orders them
    share = next((r for r in mine.ranked if r.entry.id == leading.entry.id), None)
    if share is None or not any(r.votes for r in mine.ranked):
        return None
    return _("Your district, {district}: {share}% for “{option}”; the whole city: {city}%.").format(
        district=district,
        share=format_number(share.percent),
        option=leading.entry.title,
        city=format_number(leading.percent),
    )


async def contest_winners(
    uow: UnitOfWork,
    outcome: ContestResults,
    by_district: ResultsBreakdown[ContestResults] | None,
    now: datetime,
) -> None:
    """Winners to everyone who entered or voted (with their district's line, `by_district`),
    and to the contest's audience (subscribers)."""
    contest_id = outcome.contest.id
    title = outcome.contest.campaign.title

    def render(line: str | None = None) -> Message:
        lines = [
            _("🏆 The contest “{title}” is over. Thank you for taking part!").format(title=title)
        ]
        if outcome.winners:
            lines.append(_("Winners:"))
            lines += [
                f"{w.rank}. {w.entry.title} — "
                + ngettext("{n} vote", "{n} votes", w.votes).format(n=w.votes)
                for w in outcome.winners
            ]
        else:
            lines.append(_("No entry received votes, so there are no winners."))
        if line is not None:
            lines += ["", line]
        button = Button(_("📈 Results"), link(Link.CAMPAIGN, contest_id, CampaignView.RESULTS))
        return Message("\n".join(lines), buttons=((button,),))

    await district_results.enqueue_to_participants(
        uow,
        kind="contest.winners",
        campaign_id=contest_id,
        render=render,
        by_district=by_district,
        district_line=district_line,
        now=now,
        dedupe_key=f"contest.winners:{contest_id}:participants",
    )
    await outbox.enqueue(
        uow,
        kind="contest.winners",
        audience=Audience.parse(outcome.contest.audience, stored=True),
        render=render,
        now=now,
        campaign_id=contest_id,
        exclude_participants_of=contest_id,
        dedupe_key=f"contest.winners:{contest_id}:audience",
    )
