"""The pushes a campaign's lifecycle causes: opened, reminders before closing, results.

Each runs in the unit of work of the transition that causes it, so a push commits with its
transition or not at all; conditional transitions plus `dedupe_key`s mean two schedulers
racing produce one push. Buttons carry `open:<campaign id>`: the bot opens the screen of that
campaign's kind (bot/dialogs/campaign_links.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from core.campaigns import district_results
from core.campaigns.audience import Audience
from core.campaigns.breakdown import Breakdown
from core.campaigns.model import Campaign, CampaignStatus
from core.campaigns.registry import KINDS
from core.campaigns.reminders import parse_reminders
from core.delivery import outbox
from core.delivery.links import Link, link
from core.delivery.messenger import Button, Message
from core.kernel.errors import ValidationError
from core.kernel.i18n import _, format_datetime, ngettext
from core.kernel.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def campaign_audience(campaign: Campaign) -> Audience:
    """The stored audience; a campaign without one goes to every subscriber."""
    if not campaign.audience:
        return Audience.everyone()
    try:
        return Audience.parse(campaign.audience, stored=True)
    except ValidationError:
        # Validated when set; a code deleted from the profile since must not block the opening
        # (a retired one still counts).
        log.warning("campaign %s has an unusable audience %r", campaign.id, campaign.audience)
        return Audience.everyone()


def _take_part_button(campaign: Campaign) -> tuple[tuple[Button, ...], ...]:
    return ((Button(_("👉 Take part"), link(Link.CAMPAIGN, campaign.id)),),)


def _opened(campaign: Campaign) -> Callable[[], Message]:
    def render() -> Message:
        headline = KINDS.spec(campaign.kind).opened_headline
        lines = [_(headline).format(title=campaign.title)]
        if campaign.description:
            lines.append(campaign.description)
        if campaign.closes_at is not None:
            lines.append(_("Open until {date}.").format(date=format_datetime(campaign.closes_at)))
        return Message("\n\n".join(lines), buttons=_take_part_button(campaign))

    return render


async def announce_opened(uow: UnitOfWork, campaign: Campaign, *, now: datetime) -> int:
    return await outbox.enqueue(
        uow,
        kind=f"{campaign.kind}.opened",
        audience=campaign_audience(campaign),
        render=_opened(campaign),
        now=now,
        campaign_id=campaign.id,
        dedupe_key=f"open:{campaign.id}",
    )


def _reminder(campaign: Campaign, left: timedelta) -> Callable[[], Message]:
    def render() -> Message:
        hours = round(left.total_seconds() / 3600)
        if hours >= 1:
            when = ngettext("{n} hour", "{n} hours", hours).format(n=hours)
        else:
            minutes = max(1, round(left.total_seconds() / 60))
            when = ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
        text = _("⏰ {left} left to take part in “{title}”. Your voice counts!").format(
            left=when, title=campaign.title
        )
        return Message(text, buttons=_take_part_button(campaign))

    return render


def due_reminder(campaign: Campaign, now: datetime) -> int | None:
    """The reminder offset (seconds) due now, if any: the latest one whose moment has passed.

    Earlier offsets that were missed (scheduler down, campaign opened late) are not sent:
    one reminder at a time, and none that would land right on top of the opening push.
    """
    if campaign.status != CampaignStatus.OPEN or campaign.closes_at is None:
        return None
    if now >= campaign.closes_at:
        return None
    try:
        offsets = parse_reminders(campaign.reminders)
    except ValidationError:
        return None
    due = [s for s in offsets if campaign.closes_at - timedelta(seconds=s) <= now]
    if not due:
        return None
    offset = min(due)
    moment = campaign.closes_at - timedelta(seconds=offset)
    if campaign.opens_at is not None and campaign.opens_at >= moment:
        return None
    return offset


async def send_due_reminders(uow: UnitOfWork, now: datetime) -> list[int]:
    """Scheduler sweep: reminders to those in the audience who have not taken part yet."""
    sent = []
    for campaign in await uow.campaigns.list(statuses=[CampaignStatus.OPEN]):
        offset = due_reminder(campaign, now)
        if offset is None or campaign.closes_at is None:
            continue
        await outbox.enqueue(
            uow,
            kind=f"{campaign.kind}.reminder",
            audience=campaign_audience(campaign),
            render=_reminder(campaign, campaign.closes_at - now),
            now=now,
            campaign_id=campaign.id,
            exclude_participants_of=campaign.id,
            dedupe_key=f"remind:{campaign.id}:{offset}",
        )
        sent.append(campaign.id)
    return sent


def _results(campaign: Campaign) -> Callable[[str | None], Message]:
    def render(district_line: str | None) -> Message:
        text = _("📊 “{title}” is closed. Thank you for taking part! Here are the results.").format(
            title=campaign.title
        )
        if district_line is not None:
            text += "\n\n" + district_line
        return Message(
            text,
            buttons=((Button(_("📊 See the results"), link(Link.CAMPAIGN, campaign.id)),),),
        )

    return render


async def announce_closed(uow: UnitOfWork, campaign: Campaign, *, now: datetime) -> int | None:
    """Results to participants, when the campaign asks for it; a kind with a breakdown gives
    those who set a home district their district's result next to the city's.

    Kinds whose outcome is final only later send their own results push from their sweep
    (`results_on_close` off in their spec); `send_results` decides there.
    """
    spec = KINDS.spec(campaign.kind)
    if not campaign.send_results or not spec.results_on_close:
        return None
    hook = spec.breakdown
    return await district_results.enqueue_to_participants(
        uow,
        kind=f"{campaign.kind}.results",
        campaign_id=campaign.id,
        render=_results(campaign),
        by_district=None if hook is None else await hook.load(uow, campaign.id, Breakdown.DISTRICT),
        district_line=None if hook is None else hook.district_line,
        now=now,
        dedupe_key=f"results:{campaign.id}",
    )
