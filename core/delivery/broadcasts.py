"""Officials' announcements and a campaign's delivery settings (audience, reminders, results)."""

from __future__ import annotations

from datetime import datetime

from core.audit import service as audit
from core.campaigns.audience import Audience, AudienceKind
from core.campaigns.reminders import format_reminders, parse_reminders
from core.campaigns.service import get_campaign
from core.delivery import outbox
from core.delivery.links import Link, link
from core.delivery.messenger import Button, Message
from core.delivery.model import BroadcastProgress
from core.kernel.errors import NotFoundError, ValidationError
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork

MAX_TEXT = 4000  # fits one Telegram message (4096) with room for the caption rules
MAX_CAPTION = 1024  # Telegram's limit for a photo's caption
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class BroadcastNotFoundError(NotFoundError):
    code = "broadcast_not_found"


async def announce(
    uow: UnitOfWork,
    *,
    audience: Audience,
    text: str,
    image: str | bytes | None,
    actor: str,
    now: datetime,
) -> int:
    """An official's own words to an audience (the same text in every language)."""
    text = text.strip()
    if not text:
        raise ValidationError("text_empty", field="text")
    limit = MAX_CAPTION if image is not None else MAX_TEXT
    if len(text) > limit:
        raise ValidationError("text_too_long", field="text", max=limit)
    if isinstance(image, bytes) and len(image) > MAX_IMAGE_BYTES:
        raise ValidationError("image_too_big", max_mb=MAX_IMAGE_BYTES // (1024 * 1024))
    await check_audience(uow, audience)

    def render() -> Message:
        return Message(
            text, buttons=((Button(_("📋 Main menu"), link(Link.MAIN_MENU)),),), image=image
        )

    broadcast_id = await outbox.enqueue(
        uow,
        kind="announcement",
        audience=audience,
        render=render,
        now=now,
        created_by=actor,
    )
    state = await uow.outbox.progress(broadcast_id)
    await audit.record(
        uow,
        actor=actor,
        action="broadcast.send",
        object_type="broadcast",
        object_id=broadcast_id,
        now=now,
        after={
            "audience": str(audience),
            "text": text[:200],
            "image": image is not None,
            "recipients": state.total if state else 0,
        },
    )
    return broadcast_id


async def check_audience(uow: UnitOfWork, audience: Audience) -> None:
    """Refuse an audience naming an organization, campaign or event that does not exist:
    it would silently reach nobody. (Topic and district codes are checked when parsed.)"""
    ref = audience.ref_id
    if ref is None:
        return
    exists = {
        AudienceKind.ORG: lambda: uow.organizations.get(ref),
        AudienceKind.PARTICIPANTS: lambda: uow.campaigns.get(ref),
        AudienceKind.EVENT: lambda: uow.organizations.get_event(ref),
    }.get(audience.kind)
    if exists is not None and await exists() is None:
        raise ValidationError(f"audience_unknown_{audience.kind.value}", value=str(audience))


async def progress(uow: UnitOfWork, broadcast_id: int, now: datetime) -> BroadcastProgress:
    found = await uow.outbox.progress(broadcast_id, now=now)
    if found is None:
        raise BroadcastNotFoundError(broadcast_id=broadcast_id)
    return found


async def recent(uow: UnitOfWork, *, limit: int = 20) -> list[BroadcastProgress]:
    """The latest pushes' progress, newest first."""
    return await uow.outbox.recent(limit=limit)


async def configure_campaign(
    uow: UnitOfWork,
    campaign_id: int,
    *,
    audience: str | None,
    reminders: str,
    send_results: bool,
    actor: str,
    now: datetime,
) -> None:
    """Validate and store who a campaign is pushed to, its reminders and results-on-close."""
    campaign = await get_campaign(uow, campaign_id)
    parsed = Audience.parse(audience) if audience else None
    if parsed is not None:
        await check_audience(uow, parsed)
    normalized_audience = str(parsed) if parsed else None
    offsets = parse_reminders(reminders)
    if offsets and campaign.closes_at is None:
        raise ValidationError("reminders_need_closing")
    await uow.campaigns.set_delivery(
        campaign_id,
        audience=normalized_audience,
        reminders=format_reminders(offsets),
        send_results=send_results,
    )
    await audit.record(
        uow,
        actor=actor,
        action="campaign.delivery",
        object_type="campaign",
        object_id=campaign_id,
        now=now,
        before={
            "audience": campaign.audience,
            "reminders": campaign.reminders,
            "send_results": campaign.send_results,
        },
        after={
            "audience": normalized_audience,
            "reminders": format_reminders(offsets),
            "send_results": send_results,
        },
    )
