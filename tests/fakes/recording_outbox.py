"""A stand-in for core.delivery.outbox that records what would be enqueued, rendered per locale
exactly as the real outbox does (render() inside use_locale), for unit tests without storage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.citizens.model import SUPPORTED_LOCALES
from core.delivery.messenger import Message
from core.kernel.i18n import use_locale


@dataclass
class Enqueued:
    kind: str
    audience: Any
    bulk: bool
    messages: dict[str, Message]


@dataclass
class RecordingOutbox:
    sent: list[Enqueued] = field(default_factory=list)

    async def enqueue(
        self,
        uow: Any,
        *,
        kind: str,
        audience: Any,
        render: Callable[[], Message],
        now: datetime,
        bulk: bool = True,
        **_options: Any,
    ) -> int:
        messages = {}
        for locale in SUPPORTED_LOCALES:
            with use_locale(locale):
                messages[locale] = render()
        self.sent.append(Enqueued(kind, audience, bulk, messages))
        return len(self.sent)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.sent]
