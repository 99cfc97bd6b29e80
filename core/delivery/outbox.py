"""The outbox: how every feature sends a push, in the same transaction as what caused it.

    broadcast_id = await outbox.enqueue(
        uow, kind="poll.opened", audience=Audience.parse("topic:transport"),
        render=lambda: Message(_("New poll: {title}").format(title=...), buttons=...),
        now=now, campaign_id=poll.id,
    )

`render()` runs once per supported locale inside `use_locale`, so `_()` inside it translates;
the rendered messages go into one broadcast row. Then one outbox row per reachable identity of
every recipient is inserted with one INSERT … SELECT (no Python loop over residents). Nothing
commits here: the caller's unit of work commits the push with its state change, or neither.

Who is skipped or delayed:
- `off` (Settings or /stop) — never messaged, bulk or personal: we told them "no more
  notifications" and mean it.
- `bulk=True` (campaign pushes, reminders, results, announcements): residents in `digest` mode
  get it in their next daily digest; everyone else gets it now, or at the end of quiet hours.
- `bulk=False` (personal news about the resident's own action, e.g. "your idea was approved"):
  sent at once to `instant` and `digest` residents alike, even in quiet hours — it is their own
  business, few in number, and they usually just acted.
- unreachable identities (blocked the bot) and console identities are never enqueued.
Direct replies to what a resident just did never go through here: the dialogs answer at once.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

from core.campaigns.audience import Audience
from core.citizens.model import SUPPORTED_LOCALES
from core.delivery.messenger import Button, Message
from core.delivery.policy import DeliveryPolicy
from core.kernel.i18n import use_locale
from core.kernel.unit_of_work import UnitOfWork


async def enqueue(
    uow: UnitOfWork,
    *,
    kind: str,
    audience: Audience,
    render: Callable[[], Message],
    now: datetime,
    campaign_id: int | None = None,
    exclude_participants_of: int | None = None,
    bulk: bool = True,
    dedupe_key: str | None = None,
    created_by: str | None = None,
    policy: DeliveryPolicy | None = None,
    home_districts: tuple[str | None, ...] | None = None,
    except_home_districts: tuple[str, ...] = (),
) -> int:
    """Write a broadcast and its outbox rows; return the broadcast id.

    `exclude_participants_of`: leave out those who already took part in that campaign
    (reminders). `home_districts`: only residents living in one of these districts (None in
    it: those who set none); `except_home_districts`: leave out those living in one of these. `dedupe_key`: a second enqueue with the same key (two schedulers racing)
    inserts nothing and returns the first broadcast's id.
    """
    policy = policy or uow.policies.delivery
    payloads = {}
    for locale in SUPPORTED_LOCALES:
        with use_locale(locale):
            payloads[locale] = message_to_json(render())
    broadcast_id = await uow.outbox.add_broadcast(
        kind=kind,
        audience=str(audience),
        campaign_id=campaign_id,
        bulk=bulk,
        payloads=payloads,
        dedupe_key=dedupe_key,
        created_by=created_by,
        now=now,
    )
    if broadcast_id is None:
        assert dedupe_key is not None
        existing = await uow.outbox.broadcast_id_by_key(dedupe_key)
        assert existing is not None
        return existing
    await uow.outbox.enqueue_audience(
        broadcast_id,
        audience,
        now=now,
        bulk=bulk,
        release_at=policy.release_at(now) if bulk else now,
        digest_at=policy.next_digest_at(now) if bulk else None,
        exclude_participants_of=exclude_participants_of,
        home_districts=home_districts,
        except_home_districts=except_home_districts,
    )
    return broadcast_id


def message_to_json(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": message.text,
        "buttons": [[[b.label, b.payload] for b in row] for row in message.buttons],
    }
    if isinstance(message.image, bytes):
        data["image_b64"] = base64.b64encode(message.image).decode("ascii")
    elif message.image is not None:
        data["image"] = message.image
    return data


def message_from_json(data: dict[str, Any]) -> Message:
    image: str | bytes | None = data.get("image")
    if "image_b64" in data:
        image = base64.b64decode(data["image_b64"])
    return Message(
        text=data["text"],
        buttons=tuple(
            tuple(Button(label, payload) for label, payload in row) for row in data["buttons"]
        ),
        image=image,
    )


def pick_payload(payloads: dict[str, Any], locale: str | None, default_locale: str) -> Message:
    data = payloads.get(locale or default_locale) or payloads.get(default_locale)
    if data is None:
        data = next(iter(payloads.values()))
    return message_from_json(data)
