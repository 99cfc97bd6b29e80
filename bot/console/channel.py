"""The console channel (`spilno chat`): the same dialogs in a terminal, buttons as numbers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.dialogs import Dialogs
from bot.ui import Button, Incoming, IncomingKind, Reply
from core.domain.citizen import IdentityRef
from core.i18n import _

PLATFORM = "console"
QUIT_WORDS = frozenset({"/quit", "/exit", "/q"})

ReadLine = Callable[[], Awaitable[str | None]]


async def read_stdin_line() -> str | None:
    try:
        return await asyncio.to_thread(input, "> ")
    except EOFError:
        return None


class ConsoleChannel:
    def __init__(self, dialogs: Dialogs, name: str, *, read_line: ReadLine, out: TextIO) -> None:
        self._dialogs = dialogs
        self._identity = IdentityRef(PLATFORM, name)
        self._read_line = read_line
        self._out = out
        self._buttons: list[Button] = []

    def render(self, replies: list[Reply]) -> None:
        buttons: list[Button] = []
        for reply in replies:
            self._out.write("\n" + reply.text + "\n")
            for row in reply.buttons:
                cells = []
                for button in row:
                    buttons.append(button)
                    cells.append(f"[{len(buttons)}] {button.label}")
                self._out.write("   ".join(cells) + "\n")
        if buttons:
            self._buttons = buttons
        self._out.flush()

    def parse(self, line: str) -> Incoming | None:
        text = line.strip()
        if not text:
            return None
        if text.isdigit() and 1 <= int(text) <= len(self._buttons):
            return Incoming(
                self._identity, IncomingKind.BUTTON, payload=self._buttons[int(text) - 1].payload
            )
        if text.startswith("/"):
            return Incoming(self._identity, IncomingKind.COMMAND, text=text[1:].split()[0])
        return Incoming(self._identity, IncomingKind.TEXT, text=text)

    async def send(self, incoming: Incoming) -> None:
        self.render(await self._dialogs.handle(incoming))

    async def run(self) -> None:
        self._out.write(_("Spilno — type the number of a button, or /quit to leave.") + "\n")
        await self.send(Incoming(self._identity, IncomingKind.COMMAND, text="start"))
        while True:
            line = await self._read_line()
            if line is None or line.strip().lower() in QUIT_WORDS:
                self._out.write("\n")
                return
            incoming = self.parse(line)
            if incoming is not None:
                await self.send(incoming)
