"""Personal news to named residents: an author told their idea or petition was published, the
city's answer to its author and every supporter or signer.

`bulk=False`: sent at once, even in quiet hours, unless the resident turned notifications
off. Written to the outbox in the caller's unit of work, so the notice commits (or rolls back)
with the change that caused it; rendered once per locale. Shared by ideas and petitions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from core.campaigns.audience import Audience
from core.delivery import outbox
from core.delivery.messenger import Message
from core.kernel.unit_of_work import UnitOfWork


async def to_citizens(
    uow: UnitOfWork,
    kind: str,
    citizen_ids: Sequence[int],
    render: Callable[[], Message],
    now: datetime,
    *,
    dedupe_key: str | None = None,
) -> int:
    """The broadcast id (duplicates among `citizen_ids` get one message)."""
    return await outbox.enqueue(
        uow,
        kind=kind,
        audience=Audience.citizens(list(dict.fromkeys(citizen_ids))),
        render=render,
        now=now,
        bulk=False,
        dedupe_key=dedupe_key,
    )
