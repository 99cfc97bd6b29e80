"""What a resident follows (topics, districts) and how they want to be notified."""

from __future__ import annotations

from core.citizens.model import Citizen, NotificationMode
from core.hromadas.taxonomy import is_district, is_topic
from core.kernel.errors import ValidationError
from core.kernel.unit_of_work import UnitOfWork

KINDS = {"topic": is_topic, "district": is_district}


async def followed(uow: UnitOfWork, citizen_id: int, kind: str) -> set[str]:
    return {code for k, code in await uow.subscriptions.of(citizen_id) if k == kind}


async def toggle(uow: UnitOfWork, citizen: Citizen, kind: str, code: str) -> bool:
    """Follow or unfollow; True when the resident now follows it.

    Following something means wanting news about it, so notifications that were off come on.
    """
    valid = KINDS.get(kind)
    following = await followed(uow, citizen.id, kind) if valid is not None else set()
    # A retired topic or district can still be unfollowed, no longer followed.
    if valid is None or not (valid(code) or code in following):
        raise ValidationError(f"unknown_{kind}" if valid else "unknown_subscription", code=code)
    now_following = code not in following
    await uow.subscriptions.set(citizen.id, kind, code, now_following)
    if now_following and citizen.notifications == NotificationMode.OFF:
        citizen.notifications = NotificationMode.INSTANT
        await uow.citizens.save(citizen)
    return now_following
