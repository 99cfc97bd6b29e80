"""A scripted resident: sends commands and text, presses buttons it sees, like a person would."""

from __future__ import annotations

import itertools
from datetime import datetime

from bot.dialogs import Dialogs
from bot.ui import Button, Incoming, IncomingKind, Reply
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.kernel.unit_of_work import UnitOfWork

_update_ids = itertools.count(1)


class Resident:
    def __init__(
        self,
        dialogs: Dialogs,
        name: str = "olena",
        *,
        platform: str = "test",
        language_hint: str | None = None,
    ) -> None:
        self.dialogs = dialogs
        self.identity = IdentityRef(platform, name)
        self.language_hint = language_hint
        self.replies: list[Reply] = []

    async def send(self, kind: IncomingKind, **fields: str | None) -> list[Reply]:
        incoming = Incoming(
            self.identity,
            kind,
            update_id=str(next(_update_ids)),
            language_hint=self.language_hint,
            **fields,  # type: ignore[arg-type]
        )
        self.replies = await self.dialogs.handle(incoming)
        return self.replies

    async def command(self, name: str) -> list[Reply]:
        return await self.send(IncomingKind.COMMAND, text=name)

    async def say(self, text: str) -> list[Reply]:
        return await self.send(IncomingKind.TEXT, text=text)

    def button(self, label_part: str) -> Button:
        for reply in reversed(self.replies):
            for row in reply.buttons:
                for button in row:
                    if label_part in button.label:
                        return button
        raise AssertionError(f"no button with {label_part!r} in {self.buttons()}")

    async def press(self, *label_parts: str) -> list[Reply]:
        """Press the buttons named by `label_parts` in turn, each among the latest replies."""
        for label_part in label_parts:
            await self.send(IncomingKind.BUTTON, payload=self.button(label_part).payload)
        return self.replies

    def buttons(self) -> list[str]:
        return [b.label for r in self.replies for row in r.buttons for b in row]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)


async def registered(uow: UnitOfWork, name: str, now: datetime, *, platform: str = "test") -> int:
    """The id of a stored citizen behind `name` (registered on first use): what the database's
    foreign keys require of every author, voter and supporter a test makes up."""
    citizen, _is_new = await citizens.resolve_citizen(uow, IdentityRef(platform, name), now)
    return citizen.id
