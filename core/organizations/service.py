"""Organizations: profiles, followers, linked channels and news posts.

Officials' actions check roles (`officials.require`) and are audit-logged with the
organization's slug in `after["org"]`, which `spilno-admin audit --org SLUG` filters on.
A news post reaches followers through the outbox and every linked channel as an outbox row
of the channel's own identity, in the same transaction as the post.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.audit import service as audit
from core.campaigns.audience import Audience, AudienceKind
from core.delivery import outbox
from core.kernel.errors import ValidationError
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require
from core.organizations import messages as org_messages
from core.organizations.model import (
    DESCRIPTION_MAX,
    NAME_MAX,
    NEWS_MAX,
    Channel,
    NewsPost,
    Organization,
    OrganizationNotFoundError,
    OrganizationProfile,
    RsvpCounts,
    check_slug,
    check_text,
)

# Telegram lets a bot post about 20 messages a minute to one channel.
CHANNEL_POST_SPACING = timedelta(seconds=3)
PROFILE_EVENTS = 5
PROFILE_NEWS = 3


@dataclass(frozen=True, slots=True)
class Published:
    """What a post or an announcement was queued for."""

    broadcast_id: int
    followers: int
    channels: int


async def create_organization(
    uow: UnitOfWork,
    *,
    actor: str,
    slug: str,
    name: str,
    description: str = "",
    logo_ref: str | None = None,
    logo: bytes | None = None,
    now: datetime,
) -> Organization:
    """`logo`: the image itself, `logo_ref`: its file's name."""
    await require(uow, actor, Permission.CREATE_ORGANIZATION)
    slug = check_slug(slug)
    name = check_text(name, field_name="name", max_len=NAME_MAX)
    description = check_text(
        description, field_name="description", max_len=DESCRIPTION_MAX, required=False
    )
    org = await uow.organizations.add(
        slug=slug,
        name=name,
        description=description,
        logo_ref=logo_ref,
        logo=logo,
        created_by=actor,
        now=now,
    )
    if org is None:
        raise ValidationError("slug_taken", value=slug)
    await audit.record(
        uow,
        actor=actor,
        action="org.create",
        object_type="organization",
        object_id=org.id,
        now=now,
        after={"org": org.slug, "name": org.name},
    )
    return org


async def get_by_slug(uow: UnitOfWork, slug: str) -> Organization:
    org = await uow.organizations.get_by_slug((slug or "").strip().lower())
    if org is None:
        raise OrganizationNotFoundError(slug=slug)
    return org


async def get_by_id(uow: UnitOfWork, org_id: int) -> Organization:
    org = await uow.organizations.get(org_id)
    if org is None:
        raise OrganizationNotFoundError(slug=str(org_id))
    return org


async def search(
    uow: UnitOfWork, query: str = "", *, offset: int = 0, limit: int = 20
) -> list[Organization]:
    return await uow.organizations.search((query or "").strip()[:100], offset=offset, limit=limit)


async def follower_counts(uow: UnitOfWork, orgs: list[Organization]) -> dict[int, int]:
    return await uow.organizations.follower_counts([o.id for o in orgs])


async def get_many(uow: UnitOfWork, org_ids: Sequence[int]) -> dict[int, Organization]:
    return await uow.organizations.get_many(org_ids)


async def followed_by(uow: UnitOfWork, citizen_id: int) -> set[int]:
    """Ids of the organizations this resident follows."""
    return await uow.organizations.followed_by(citizen_id)


async def rsvp_counts(uow: UnitOfWork, event_ids: Sequence[int]) -> dict[int, RsvpCounts]:
    return await uow.organizations.rsvp_counts(event_ids)


async def profile(
    uow: UnitOfWork, org_id: int, *, citizen_id: int | None, now: datetime
) -> OrganizationProfile:
    org = await get_by_id(uow, org_id)
    counts = await uow.organizations.follower_counts([org.id])
    following = citizen_id is not None and org.id in await uow.organizations.followed_by(citizen_id)
    return OrganizationProfile(
        organization=org,
        followers=counts.get(org.id, 0),
        following=following,
        events=await uow.organizations.upcoming_events(now, org_id=org.id, limit=PROFILE_EVENTS),
        news=await uow.organizations.latest_news(org.id, limit=PROFILE_NEWS),
    )


async def follow(uow: UnitOfWork, org_id: int, citizen_id: int, now: datetime) -> bool:
    await get_by_id(uow, org_id)
    return await uow.organizations.follow(org_id, citizen_id, now)


async def unfollow(uow: UnitOfWork, org_id: int, citizen_id: int) -> bool:
    return await uow.organizations.unfollow(org_id, citizen_id)


async def link_channel(
    uow: UnitOfWork,
    *,
    actor: str,
    slug: str,
    platform: str,
    chat_id: str,
    username: str | None,
    title: str,
    now: datetime,
) -> Channel:
    """Record a channel the caller has verified (the bot may post there)."""
    org = await get_by_slug(uow, slug)
    await require(uow, actor, Permission.MANAGE_ORGANIZATION, org.id)
    channel = await uow.organizations.link_channel(
        org_id=org.id,
        platform=platform,
        chat_id=chat_id,
        username=username,
        title=title,
        linked_by=actor,
        now=now,
    )
    await audit.record(
        uow,
        actor=actor,
        action="org.link_channel",
        object_type="organization",
        object_id=org.id,
        now=now,
        after={"org": org.slug, "channel": f"{platform}:{username or chat_id}", "title": title},
    )
    return channel


async def channels(uow: UnitOfWork, org_id: int) -> list[Channel]:
    return await uow.organizations.channels(org_id)


async def publish(
    uow: UnitOfWork,
    org: Organization,
    *,
    kind: str,
    render: org_messages.Render,
    now: datetime,
    actor: str,
) -> Published:
    """To followers (bulk, through the outbox) and to every linked channel."""
    broadcast_id = await outbox.enqueue(
        uow,
        kind=kind,
        audience=Audience(AudienceKind.ORG, ref_id=org.id),
        render=render,
        now=now,
        created_by=actor,
    )
    progress = await uow.outbox.progress(broadcast_id)
    followers = progress.total if progress else 0
    posted = await uow.organizations.enqueue_channel_posts(
        broadcast_id, org.id, now=now, spacing=CHANNEL_POST_SPACING
    )
    return Published(broadcast_id, followers, posted)


async def post_news(
    uow: UnitOfWork,
    *,
    actor: str,
    slug: str,
    text: str,
    image: bytes | None = None,
    image_name: str | None = None,
    now: datetime,
) -> tuple[NewsPost, Published]:
    org = await get_by_slug(uow, slug)
    await require(uow, actor, Permission.PUBLISH, org.id)
    text = check_text(text, field_name="text", max_len=NEWS_MAX)
    post = await uow.organizations.add_news(
        org_id=org.id, text=text, image_ref=image_name, created_by=actor, now=now
    )
    published = await publish(
        uow,
        org,
        kind="org.news",
        render=org_messages.news_posted(post, org, image),
        now=now,
        actor=actor,
    )
    await audit.record(
        uow,
        actor=actor,
        action="org.post",
        object_type="news",
        object_id=post.id,
        now=now,
        after={"org": org.slug, "text": text[:200], "broadcast": published.broadcast_id},
    )
    return post, published
