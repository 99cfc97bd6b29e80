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

from core.campaigns import results
from core.campaigns.audience import Audience
from core.campaigns.model import Campaign, CampaignKind, CampaignStatus
from core.campaigns.registry import KINDS
from core.campaigns.reminders import parse_reminders
from core.delivery import outbox
from core.delivery.links import Link, link
from core.delivery.messenger import Button, Message
from core.hromadas.taxonomy import HOME_DISTRICTS
from core.kernel.errors import ValidationError
from core.kernel.i18n import _, format_datetime, format_number, ngettext
from core.kernel.unit_of_work import UnitOfWork
from core.polls.model import PollResults

log = logging.getLogger(__name__)


def campaign_audience(campaign: Campaign) -> Audience:
    """The stored audience; a campaign without one goes to every subscriber."""
    if not campaign.audience:
        return Audience.everyone()
    try:
        return Audience.parse(campaign.audience)
    except ValidationError:
        # Validated when set; a taxonomy code removed since then must not block the opening.
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


def _results(
    campaign: Campaign, district: tuple[str, PollResults, PollResults] | None = None
) -> Callable[[], Message]:
    def render() -> Message:
        text = _("📊 “{title}” is closed. Thank you for taking part! Here are the results.").format(
            title=campaign.title
        )
        if district is not None:
            text += "\n\n" + _district_line(*district)
        return Message(
            text,
            buttons=((Button(_("📊 See the results"), link(Link.CAMPAIGN, campaign.id)),),),
        )

    return render


async def announce_closed(uow: UnitOfWork, campaign: Campaign, *, now: datetime) -> int | None:
    """Results to participants, when the campaign asks for it.

    Kinds whose outcome is final only later send their own results push from their sweep
    (`results_on_close` off in their spec); `send_results` decides there.
    """
    if not campaign.send_results or not KINDS.spec(campaign.kind).results_on_close:
        return None
    if campaign.kind == CampaignKind.POLL:
        return await _announce_poll_results(uow, campaign, now=now)
    return await outbox.enqueue(
        uow,
        kind=f"{campaign.kind}.results",
        audience=Audience.participants(campaign.id),
        render=_results(campaign),
        now=now,
        campaign_id=campaign.id,
        dedupe_key=f"results:{campaign.id}",
    )


def _district_line(code: str, mine: PollResults, city: PollResults) -> str:
    """ "Your district, Zarichchia: 62 % for “A”; the whole city: 48 %." — the city's leading
    option, so the two numbers compare like with like."""
    leading = max(city.options, key=lambda o: o.votes)  # the first one on a tie
    share = next(o.percent for o in mine.options if o.option_id == leading.option_id)
    return _("Your district, {district}: {share}% for “{option}”; the whole city: {city}%.").format(
        district=_(HOME_DISTRICTS[code]),
        share=format_number(share),
        option=leading.label,
        city=format_number(leading.percent),
    )


async def _announce_poll_results(uow: UnitOfWork, campaign: Campaign, *, now: datetime) -> int:
    """A poll's results push: those who set a home district also get their district's result
    next to the city's (one push per district); the others get the city's alone."""
    breakdown = await results.poll_results_per_district(uow, campaign.id)
    first: int | None = None
    told: list[str | None] = []
    for group in breakdown.groups:
        if group.key not in HOME_DISTRICTS or not group.results.voters:
            continue
        told.append(group.key)
        broadcast_id = await outbox.enqueue(
            uow,
            kind=f"{campaign.kind}.results",
            audience=Audience.participants(campaign.id),
            render=_results(campaign, (group.key, group.results, breakdown.whole)),
            now=now,
            campaign_id=campaign.id,
            dedupe_key=f"results:{campaign.id}:{group.key}",
            home_districts=(group.key,),
        )
        first = first or broadcast_id
    # Everyone else who took part: no district set, or one no longer on the city's list.
    rest = tuple(k for k in HOME_DISTRICTS if k not in told)
    broadcast_id = await outbox.enqueue(
        uow,
        kind=f"{campaign.kind}.results",
        audience=Audience.participants(campaign.id),
        render=_results(campaign),
        now=now,
        campaign_id=campaign.id,
        dedupe_key=f"results:{campaign.id}",
        home_districts=None if not told else (None, *rest, *_stray(breakdown)),
    )
    return first or broadcast_id


def _stray(breakdown: results.PollBreakdown) -> tuple[str, ...]:
    """Districts voters live in that the city's list no longer has."""
    return tuple(g.key for g in breakdown.groups if g.key and g.key not in HOME_DISTRICTS)
