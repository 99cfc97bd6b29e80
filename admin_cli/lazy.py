"""Command groups imported only when an official uses them.

Importing every command module (and, through them, SQLAlchemy, every kind's tables, charts…)
cost most of a command's second. `spilno-admin` names its groups here with the module that
holds each and its one-line help, so `spilno-admin --help` lists them all without importing
one, and `spilno-admin campaign list` imports the campaign commands only.
tests/unit/test_cli_lazy.py checks each entry's help is the one its module declares.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer import _click as click
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """`module:attribute` naming a `typer.Typer` (a group) or a command function, or a function
    that imports and returns a `typer.Typer`; and its help as the module declares it."""

    target: str | Callable[[], typer.Typer]
    help: str

    def load(self, name: str) -> click.Command:
        if callable(self.target):
            found: Any = self.target()
        else:
            module, _, attribute = self.target.partition(":")
            found = getattr(importlib.import_module(module), attribute)
        if isinstance(found, typer.Typer):
            # A group even when it holds one command, as add_typer made it.
            command: click.Command = typer.main.get_group(found)
        else:  # one command function, as `cli.command(name)(function)` made it
            single = typer.Typer(add_completion=False)
            single.command(name)(found)
            command = typer.main.get_command(single)
        command.name = name
        return command


class LazyGroup(TyperGroup):
    """A Typer group whose `lazy` commands are imported on first use. Commands added the usual
    way (`cli.add_typer`, `cli.command`) work as before, next to them."""

    lazy: Mapping[str, LazyCommand] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        # The lazy ones in the order they are declared, then any added the usual way.
        return [*self.lazy, *(name for name in self.commands if name not in self.lazy)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is not None:
            return command
        lazy = self.lazy.get(cmd_name)
        if lazy is None:
            return None
        if self._listing:  # the group's own help lists it: its name and help are enough
            return TyperCommand(cmd_name, help=lazy.help)
        command = lazy.load(cmd_name)
        self.commands[cmd_name] = command
        return command

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
