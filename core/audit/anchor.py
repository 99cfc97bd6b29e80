"""Anchoring: post the audit log's head hash with the date to the city's public channel.

Once a head is public, nobody can rewrite the log before it unnoticed: `audit verify --head
HASH` tells whether the log still leads to it. The post goes through the outbox (one row for
the channel's hidden identity), so the delivery workers send it with every other message,
paced and retried; the anchoring itself is an audit entry naming the head it published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core.audit import service as audit
from core.citizens.model import SUPPORTED_LOCALES
from core.delivery.messenger import Message
from core.delivery.outbox import message_to_json
from core.kernel.errors import ValidationError
from core.kernel.i18n import _, current_timezone, use_locale
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require

# A public @username (5–32 letters, digits, underscores) or a numeric chat id.
_USERNAME = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
_CHAT_ID = re.compile(r"^-?\d{1,20}$")


def normalize_chat(value: str) -> str:
    """'@name', 'name', 't.me/name' or a numeric id; anything else is refused."""
    text = value.strip()
    for prefix in ("https://t.me/", "http://t.me/", "t.me/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if _CHAT_ID.match(text):
        return text
    text = "@" + text.lstrip("@")
    if not _USERNAME.match(text):
        raise ValidationError("bad_channel", value=value)
    return text


@dataclass(frozen=True, slots=True)
class Anchored:
    seq: int
    head: str
    chat: str
    broadcast_id: int
    queued: bool  # False: today's daily anchor was already queued (by another scheduler)


async def anchor(
    uow: UnitOfWork,
    *,
    chat: str,
    actor: str,
    now: datetime,
    platform: str = "telegram",
    daily: bool = False,
) -> Anchored:
    """Queue the post of the current head to `chat`. `daily`: at most one per chat and day
    (the scheduler's job; several schedulers may race)."""
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    chat = normalize_chat(chat)
    seq, head = await uow.audit.head()
    day = now.astimezone(current_timezone()).date().isoformat()  # the city's date

    def render() -> Message:
        return Message(
            _(
                "Spilno audit log, {date}: {n} entries, head {head}.\n"
                "Anyone can check that the log still contains this entry: "
                "spilno-admin audit verify --head {head}"
            ).format(date=day, n=seq, head=head)
        )

    payloads = {}
    for locale in SUPPORTED_LOCALES:
        with use_locale(locale):
            payloads[locale] = message_to_json(render())
    key = f"audit-anchor:{platform}:{chat}:{day}" if daily else None
    broadcast_id = await uow.outbox.add_broadcast(
        kind="audit.anchor",
        audience=f"chat:{platform}:{chat}",
        campaign_id=None,
        bulk=False,
        payloads=payloads,
        dedupe_key=key,
        created_by=actor,
        now=now,
    )
    if broadcast_id is None:  # today's anchor is already queued
        existing = await uow.outbox.broadcast_id_by_key(key or "")
        return Anchored(seq, head, chat, existing or 0, queued=False)
    await uow.outbox.enqueue_chat(broadcast_id, platform=platform, chat=chat, now=now)
    await audit.record(
        uow,
        actor=actor,
        action="audit.anchor",
        object_type="audit",
        object_id=seq,
        now=now,
        after={"head": head, "seq": seq, "chat": f"{platform}:{chat}"},
    )
    return Anchored(seq, head, chat, broadcast_id, queued=True)
