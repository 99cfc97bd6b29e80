"""The console channel (`spilno chat`): the same dialogs in a terminal, buttons by key or label.

Each button gets a key in brackets: numbers, or letters when some label is itself a number (a
0–10 scale), so "8" always means the button labelled 8. Typing a button's label presses it too.
A typed number that is no button gets a polite "no such button" instead of becoming text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import string
from collections.abc import Awaitable, Callable, Iterator
from typing import TextIO

from bot.dialogs import Dialogs
from bot.ui import Button, Incoming, IncomingKind, Reply
from core.citizens.model import IdentityRef
from core.kernel.i18n import _, use_locale

PLATFORM = "console"
QUIT_WORDS = frozenset({"/quit", "/exit", "/q"})
_MARKS = "✅"  # a chosen option's mark is not part of what residents type

ReadLine = Callable[[], Awaitable[str | None]]


async def read_stdin_line() -> str | None:
    try:
        return await asyncio.to_thread(input, "> ")
    except EOFError:
        return None


def _normalized(label: str) -> str:
    """A label as a resident would type it: no check mark, emoji or arrows, any letter case."""
    text = label.strip().removeprefix(_MARKS)
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end].casefold()


def _letter_key(index: int) -> str:
    """a, b, … z, aa, ab, … for the index-th button (0-based)."""
    letters = string.ascii_lowercase
    key = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, len(letters))
        key = letters[rest] + key
    return key


def button_keys(buttons: list[Button]) -> list[str]:
    """Numbers, unless a label is a number: then letters, so shortcuts never collide with labels."""
    if any(_normalized(b.label).isdigit() for b in buttons):
        return [_letter_key(i) for i in range(len(buttons))]
    return [str(i) for i in range(1, len(buttons) + 1)]


@contextlib.contextmanager
def quiet_terminal_logs() -> Iterator[None]:
    """Log lines to the terminal would interleave with the chat: only warnings while it runs."""
    raised: list[tuple[logging.Handler, int]] = []
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            raised.append((handler, handler.level))
            handler.setLevel(max(handler.level, logging.WARNING))
    try:
        yield
    finally:
        for handler, level in raised:
            handler.setLevel(level)


class ConsoleChannel:
    def __init__(self, dialogs: Dialogs, name: str, *, read_line: ReadLine, out: TextIO) -> None:
        self._dialogs = dialogs
        self._identity = IdentityRef(PLATFORM, name)
        self._read_line = read_line
        self._out = out
        self._buttons: list[Button] = []
        self._keys: list[str] = []

    def render(self, replies: list[Reply]) -> None:
        buttons = [button for reply in replies for row in reply.buttons for button in row]
        keys = button_keys(buttons)
        index = 0
        for reply in replies:
            if reply.document is not None:  # a terminal shows the file's text
                document = reply.document
                self._out.write(f"\n[{document.filename}]\n" + document.data.decode() + "\n")
            self._out.write("\n" + reply.text + "\n")
            for row in reply.buttons:
                cells = []
                for button in row:
                    cells.append(f"[{keys[index]}] {button.label}")
                    index += 1
                self._out.write("   ".join(cells) + "\n")
        if buttons:
            self._buttons, self._keys = buttons, keys
        self._out.flush()

    def button_for(self, text: str) -> Button | None:
        """The button this typed text means: its key, or its label."""
        typed = text.strip()
        if typed.casefold() in self._keys:
            return self._buttons[self._keys.index(typed.casefold())]
        wanted = _normalized(typed)
        matches = [b for b in self._buttons if wanted and _normalized(b.label) == wanted]
        return matches[0] if len(matches) == 1 else None

    def parse(self, line: str) -> Incoming | None:
        """The update this line means; None for an empty line or a number that is no button."""
        text = line.strip()
        if not text:
            return None
        if text.startswith("/"):
            return Incoming(self._identity, IncomingKind.COMMAND, text=text[1:].split()[0])
        button = self.button_for(text)
        if button is not None:
            return Incoming(self._identity, IncomingKind.BUTTON, payload=button.payload)
        if text.isdigit():
            return None
        return Incoming(self._identity, IncomingKind.TEXT, text=text)

    async def send(self, incoming: Incoming) -> None:
        self.render(await self._dialogs.handle(incoming))

    async def no_such_button(self, typed: str) -> None:
        with use_locale(await self._dialogs.locale_for(self._identity)):
            keys = ", ".join(self._keys) if self._keys else "—"
            self._out.write(
                "\n"
                + _(
                    "There is no button “{typed}” here. Type one of: {keys}, or a button's label."
                ).format(typed=typed, keys=keys)
                + "\n"
            )
        self._out.flush()

    async def run(self) -> None:
        with quiet_terminal_logs():
            await self._converse()

    async def _converse(self) -> None:
        self._out.write(_("Spilno — type a button's key or label, or /quit to leave.") + "\n")
        await self.send(Incoming(self._identity, IncomingKind.COMMAND, text="start"))
        while True:
            line = await self._read_line()
            if line is None or line.strip().lower() in QUIT_WORDS:
                self._out.write("\n")
                return
            incoming = self.parse(line)
            if incoming is not None:
                await self.send(incoming)
            elif line.strip():
                await self.no_such_button(line.strip())
