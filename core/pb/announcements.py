"""Every push a participatory budget sends, through the delivery outbox, in the same
transaction as the change that caused it (rendered once per locale by the outbox).

Given what to say: this module never calls the service back.
"""

from __future__ import annotations

from datetime import datetime

from core.campaigns.audience import MAX_EXPLICIT_CITIZENS, Audience
from core.delivery import outbox
from core.delivery.links import CampaignView, Link, link
from core.delivery.messenger import Button, Message
from core.kernel.i18n import _, format_money, ngettext
from core.kernel.unit_of_work import UnitOfWork
from core.pb.model import Milestone, ParticipatoryBudget, PbResults, Progress, Project

PROGRESS_ICON = {Progress.IN_PROGRESS: "🚧", Progress.DONE: "✅", Progress.CANCELLED: "⛔️"}


def progress_words(progress: Progress) -> str:
    return {
        Progress.PLANNED: _("planned"),
        Progress.IN_PROGRESS: _("in progress"),
        Progress.DONE: _("done"),
        Progress.CANCELLED: _("cancelled"),
    }[progress]


def _open(pb_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button(_("💰 Open the public budget"), link(Link.CAMPAIGN, pb_id)),),)


async def project_reviewed(
    uow: UnitOfWork, pb: ParticipatoryBudget, project: Project, now: datetime
) -> None:
    """The author hears the review's outcome (personal news: at once, even in quiet hours)."""

    def render() -> Message:
        if project.status.value == "accepted":
            text = _(
                "✅ Your project “{title}” is accepted for the vote in “{pb}”. "
                "Its cost on the ballot: {cost}."
            ).format(title=project.title, pb=pb.campaign.title, cost=format_money(project.cost))
        else:
            text = _(
                "Your project “{title}” in “{pb}” was not accepted for the vote. Reason: {reason}"
            ).format(title=project.title, pb=pb.campaign.title, reason=project.reject_reason)
        return Message(text, buttons=_open(pb.id))

    await outbox.enqueue(
        uow,
        kind="pb.reviewed",
        audience=Audience.citizens([project.author_id]),
        render=render,
        now=now,
        campaign_id=pb.id,
        bulk=False,
    )


async def winners(uow: UnitOfWork, outcome: PbResults, now: datetime) -> None:
    """The winners to everyone who proposed or voted, each in their own language."""
    pb = outcome.pb

    def render() -> Message:
        lines = [
            _("💰 The results of “{title}” are in. Thank you for voting!").format(
                title=pb.campaign.title
            )
        ]
        won = outcome.winners()
        if won:
            lines.append(
                ngettext(
                    "{n} project will be implemented:",
                    "{n} projects will be implemented:",
                    len(won),
                ).format(n=len(won))
            )
            lines += [
                f"• {w.project.title} — {format_money(w.project.cost)}, "
                + ngettext("{n} vote", "{n} votes", w.votes).format(n=w.votes)
                for w in won
            ]
        else:
            lines.append(_("No project received enough votes to be funded."))
        button = Button(_("📈 Results"), link(Link.CAMPAIGN, pb.id, CampaignView.RESULTS))
        return Message("\n".join(lines), buttons=((button,),))

    await outbox.enqueue(
        uow,
        kind="pb.winners",
        audience=Audience.participants(pb.id),
        render=render,
        now=now,
        campaign_id=pb.id,
        dedupe_key=f"pb.winners:{pb.id}",
    )


async def milestone(
    uow: UnitOfWork,
    project: Project,
    step: Milestone,
    text: str,
    image: bytes | None,
    voters: list[int],
    now: datetime,
) -> None:
    """The project's voters and its author hear how it is going (with the photo, if any)."""

    def render() -> Message:
        head = _("{icon} “{title}”: {progress}").format(
            icon=PROGRESS_ICON.get(step.status, "📌"),
            title=project.title,
            progress=progress_words(step.status),
        )
        button = Button(_("💰 Open the public budget"), link(Link.CAMPAIGN, project.pb_id))
        return Message(f"{head}\n\n{text}", buttons=((button,),), image=image)

    recipients = sorted({project.author_id, *voters})
    # An explicit audience is capped; a big project's voters go in several broadcasts.
    for start in range(0, len(recipients), MAX_EXPLICIT_CITIZENS):
        await outbox.enqueue(
            uow,
            kind="pb.milestone",
            audience=Audience.citizens(recipients[start : start + MAX_EXPLICIT_CITIZENS]),
            render=render,
            now=now,
            campaign_id=project.pb_id,
            dedupe_key=f"pb.milestone:{step.id}:{start}",
        )
