"""Pushes this feature sends through the delivery outbox: winners and consultation results.

Both are written in the same transaction as the state change that causes them (the contest
finishing, the results being marked published), so a repeated sweep never sends twice.
"""

from __future__ import annotations

from datetime import datetime

from core.consultations.model import QuestionType
from core.delivery.messenger import Button, Message
from core.delivery.payloads import encode_payload
from core.kernel.i18n import _, ngettext
from core.kernel.unit_of_work import UnitOfWork

# Payload actions of the chat screens these messages link to (bot/dialogs routes them).
CONTEST_RESULTS_ACTION = "ktr"
CONSULTATION_RESULTS_ACTION = "cres"


async def contest_winners(uow: UnitOfWork, contest_id: int, now: datetime) -> None:
    """Winners to everyone who entered or voted, and to the contest's audience (subscribers)."""
    from core.campaigns.audience import Audience
    from core.contests import service as contests
    from core.delivery import outbox

    outcome = await contests.results(uow, contest_id, now=now, for_official=True)
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
        button = Button(_("📈 Results"), encode_payload(CONTEST_RESULTS_ACTION, contest_id))
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


async def consultation_results(uow: UnitOfWork, consultation_id: int, now: datetime) -> None:
    """A short summary (and the first chart) to everyone who submitted."""
    from core.campaigns.audience import Audience
    from core.campaigns.results_charts import consultation_charts
    from core.consultations import service as consultations
    from core.delivery import outbox

    outcome = await consultations.results(uow, consultation_id, now=now, for_official=True)

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
            _("📈 All results"), encode_payload(CONSULTATION_RESULTS_ACTION, consultation_id)
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
