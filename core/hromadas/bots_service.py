"""Setting a hromada's bots: the operator's use case, audit-logged (the token never is)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.audit import service as audit
from core.hromadas.bots import BotChange, BotPlatform, BotStore
from core.kernel.unit_of_work import UnitOfWork
from core.officials.service import require_operator


@dataclass(frozen=True, slots=True)
class BotWish:
    """Set this platform's bot to `token` (checked: bots.check_token), or remove it (None)."""

    platform: BotPlatform
    token: str | None
    username: str | None = None

    def __repr__(self) -> str:  # never the token in a log line or a traceback
        return f"BotWish({self.platform.value}, remove={self.token is None})"


async def set_bots(
    uow: UnitOfWork,
    store: BotStore,
    *,
    slug: str,
    wishes: list[BotWish],
    actor: str,
    now: datetime,
) -> list[BotChange | bool]:
    """Each wish's outcome: its BotChange, or for a removal whether there was a bot.

    The bots are stored first, each in its own transaction, then the audit entries go into
    `uow`'s (on SQLite a writer waits for the other: audit last, it never holds the lock
    while a bot is written). Only the installation's operator may (a bot's token is the key
    to a hromada's residents); `uow` is an operator unit of work, and the entries go into the
    hromada's own audit log."""
    await require_operator(uow, actor)
    # The check only read: end its transaction, so `uow` holds no SQLite lock while the store
    # writes the bots in transactions of their own; the audit entries open a new one.
    await uow.rollback()
    hromada_id = await store.hromada_id(slug)
    done: list[BotChange | bool] = []
    for wish in wishes:
        if wish.token is None:
            done.append(await store.remove(hromada_id, wish.platform))
        else:
            done.append(
                await store.put(
                    hromada_id, wish.platform, wish.token, username=wish.username, now=now
                )
            )
    for wish, result in zip(wishes, done, strict=True):
        if isinstance(result, BotChange):
            await audit.record(
                uow,
                actor=actor,
                action="hromada.set_bot",
                object_type="bot",
                object_id=result.bot_id,
                now=now,
                hromada_id=hromada_id,
                after={
                    "hromada": slug,
                    "platform": wish.platform.value,
                    "fingerprint": result.fingerprint,
                    "new_token": result.token_changed,
                    "username": wish.username,
                },
            )
        elif result:
            await audit.record(
                uow,
                actor=actor,
                action="hromada.remove_bot",
                object_type="hromada",
                object_id=slug,
                now=now,
                hromada_id=hromada_id,
                before={"platform": wish.platform.value},
            )
    return done
