"""The daily digest: bulk pushes held for `digest` residents become one message each.

Held rows are taken by a conditional UPDATE (held → digested), so two schedulers never build
the same digest twice. Each identity's digest is its own outbox row with a per-recipient body.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import groupby
from typing import Any

from core.delivery.messenger import Button, Message
from core.delivery.model import DigestItem
from core.delivery.outbox import message_to_json, pick_payload
from core.delivery.policy import DeliveryPolicy
from core.kernel.i18n import DEFAULT_LOCALE, _, use_locale
from core.kernel.unit_of_work import UnitOfWork

DIGEST_BATCH = 500  # identities per transaction
MAX_DIGEST_BUTTONS = 6


def build_digest(
    items: Sequence[DigestItem], payloads: dict[int, dict[str, Any]], locale: str | None
) -> Message:
    """The headline of each held push (its first paragraph), and their first button rows."""
    headlines: list[str] = []
    buttons: list[tuple[Button, ...]] = []
    for item in items:
        if item.broadcast_id not in payloads:
            continue
        message = pick_payload(payloads[item.broadcast_id], locale, DEFAULT_LOCALE)
        headlines.append("• " + message.text.split("\n\n")[0])
        if message.buttons and len(buttons) < MAX_DIGEST_BUTTONS:
            buttons.append(message.buttons[0])
    with use_locale(locale or DEFAULT_LOCALE):
        header = _("📬 Your daily digest:")
    return Message("\n\n".join([header, *headlines]), buttons=tuple(buttons))


async def send_due_digests(
    uow: UnitOfWork, now: datetime, *, policy: DeliveryPolicy | None = None
) -> int:
    """Fold one batch of due held rows into digests; the number of identities taken."""
    policy = policy or uow.policies.delivery
    items = await uow.outbox.take_digest(now, identities=DIGEST_BATCH)
    if not items:
        return 0
    payloads = await uow.outbox.payloads(sorted({i.broadcast_id for i in items}))
    broadcast_id = await uow.outbox.add_broadcast(
        kind="digest",
        audience="digest",
        campaign_id=None,
        bulk=True,
        payloads={},
        dedupe_key=None,
        created_by=None,
        now=now,
    )
    assert broadcast_id is not None
    rows = []
    for _identity, group in groupby(items, key=lambda i: i.identity_id):
        mine = list(group)
        body = build_digest(mine, payloads, mine[0].locale)
        if len(body.text.split("\n\n")) > 1:
            rows.append((mine[0], message_to_json(body)))
    await uow.outbox.add_digest_rows(broadcast_id, rows, due_at=policy.release_at(now))
    return len({i.identity_id for i in items})
