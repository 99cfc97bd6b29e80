"""The contest's winners push, through the delivery outbox.

Written in the same transaction as the contest finishing, so a repeated sweep never sends
twice. It is given the computed outcome: this module never calls the service back.
"""

from __future__ import annotations

from datetime import datetime

from core.campaigns.audience import Audience
from core.contests.model import ContestResults
from core.delivery import outbox
from core.delivery.links import CampaignView, Link, link
from core.delivery.messenger import Button, Message
from core.kernel.i18n import _, ngettext
from core.kernel.unit_of_work import UnitOfWork


async def contest_winners(uow: UnitOfWork, outcome: ContestResults, now: datetime) -> None:
    """Winners to everyone who entered or voted, and to the contest's audience (subscribers)."""
    contest_id = outcome.contest.id
    title = outcome.contest.campaign.title

    def render() -> Message:
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
        button = Button(_("📈 Results"), link(Link.CAMPAIGN, contest_id, CampaignView.RESULTS))
        return Message("\n".join(lines), buttons=((button,),))

    await outbox.enqueue(
        uow,
        kind="contest.winners",
        audience=Audience.participants(contest_id),
        render=render,
        now=now,
        campaign_id=contest_id,
        dedupe_key=f"contest.winners:{contest_id}:participants",
    )
    await outbox.enqueue(
        uow,
        kind="contest.winners",
        audience=Audience.parse(outcome.contest.audience),
        render=render,
        now=now,
        campaign_id=contest_id,
        exclude_participants_of=contest_id,
        dedupe_key=f"contest.winners:{contest_id}:audience",
    )
