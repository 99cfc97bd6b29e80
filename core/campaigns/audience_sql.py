"""Audiences as SQL: each kind becomes a `Select` of citizen ids for INSERT … SELECT.

Kinds owned by other features register a builder here, like participation does; until the
Organizations feature registers `org`, an organization's followers are nobody:

    from core.campaigns.audience_sql import register_audience
    register_audience("org", lambda org_id: select(FollowerRow.citizen_id).where(...))
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.campaigns.audience import Audience, AudienceKind
from core.campaigns.tables import CampaignRow
from core.citizens.tables import CitizenRow
from core.delivery.tables import SubscriptionRow
from core.storage.participation import participants_query

AudienceBuilder = Callable[[int], Select[tuple[int]]]

_REF_BUILDERS: dict[str, AudienceBuilder] = {}


def register_audience(kind: str, builder: AudienceBuilder) -> None:
    _REF_BUILDERS[str(kind)] = builder


def nobody() -> Select[tuple[int]]:
    return select(CitizenRow.id).where(false())


async def campaign_kind(session: AsyncSession, campaign_id: int) -> str | None:
    return (
        await session.execute(select(CampaignRow.kind).where(CampaignRow.id == campaign_id))
    ).scalar_one_or_none()


async def audience_query(session: AsyncSession, audience: Audience) -> Select[tuple[int]] | None:
    """The audience's citizen ids; None means every citizen (no filter needed)."""
    if audience.kind is AudienceKind.ALL:
        return None
    if audience.kind in (AudienceKind.TOPIC, AudienceKind.DISTRICT):
        return select(SubscriptionRow.citizen_id).where(
            SubscriptionRow.kind == audience.kind.value, SubscriptionRow.code == audience.code
        )
    if audience.kind is AudienceKind.CITIZENS:
        return select(CitizenRow.id).where(CitizenRow.id.in_(audience.citizen_ids))
    assert audience.ref_id is not None
    if audience.kind is AudienceKind.PARTICIPANTS:
        return await participants_of(session, audience.ref_id)
    builder = _REF_BUILDERS.get(audience.kind.value)
    return builder(audience.ref_id) if builder else nobody()


async def participants_of(session: AsyncSession, campaign_id: int) -> Select[tuple[int]]:
    kind = await campaign_kind(session, campaign_id)
    return nobody() if kind is None else participants_query(kind, campaign_id)
