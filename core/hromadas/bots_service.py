"""Setting a hromada's bots: the operator's use cases, audit-logged (the token never is)."""

from __future__ import annotations

from datetime import datetime

from core.audit import service as audit
from core.hromadas.bots import BotChange, BotPlatform, BotStore
from core.kernel.unit_of_work import UnitOfWork


async def set_bot(
    uow: UnitOfWork,
    store: BotStore,
    *,
    slug: str,
    platform: BotPlatform,
    token: str,
    username: str | None,
    actor: str,
    now: datetime,
) -> BotChange:
    """Set the hromada's bot on `platform` (`token` already checked: bots.check_token).

    The bot is stored in its own transaction, then the audit entry is written in `uow`'s."""
    hromada_id = await store.hromada_id(slug)
    change = await store.put(hromada_id, platform, token, username=username, now=now)
    await audit.record(
        uow,
        actor=actor,
        action="hromada.set_bot",
        object_type="bot",
        object_id=change.bot_id,
        now=now,
        after={
            "hromada": slug,
            "platform": platform.value,
            "fingerprint": change.fingerprint,
            "new_token": change.token_changed,
            "username": username,
        },
    )
    return change


async def remove_bot(
    uow: UnitOfWork,
    store: BotStore,
    *,
    slug: str,
    platform: BotPlatform,
    actor: str,
    now: datetime,
) -> bool:
    hromada_id = await store.hromada_id(slug)
    removed = await store.remove(hromada_id, platform)
    if removed:
        await audit.record(
            uow,
            actor=actor,
            action="hromada.remove_bot",
            object_type="hromada",
            object_id=slug,
            now=now,
            before={"platform": platform.value},
        )
    return removed
