"""A Messenger that records what it sends and fails on demand (no network)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from core.delivery.messenger import Failure, Message, SendOutcome, Sent, Unreachable


@dataclass
class FakeMessenger:
    platform: str = "telegram"
    sent: list[tuple[str, Message]] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    # Outcomes of the next sends, in order (then sends succeed again).
    failures: deque[Failure] = field(default_factory=deque)

    async def send(self, external_id: str, message: Message) -> SendOutcome:
        if self.failures:
            return self.failures.popleft()
        if external_id in self.blocked:
            return Unreachable("Forbidden: bot was blocked by the user")
        self.sent.append((external_id, message))
        return Sent(str(len(self.sent)))

    def texts_to(self, external_id: str) -> list[str]:
        return [m.text for to, m in self.sent if to == external_id]
