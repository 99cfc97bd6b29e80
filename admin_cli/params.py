"""Typer parsers for ids and counts, shared by every command: checked before any SQL runs.

An id past int64 used to reach the database and come back as an OverflowError traceback;
here it is refused with one translated line (see `app.run_cli`), exit 2.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import typer

from core.kernel.i18n import _
from core.kernel.ids import ID_MAX, parse_id

LIMIT_MAX = 10_000


class OnOff(StrEnum):
    ON = "on"
    OFF = "off"


class InvalidValueError(typer.BadParameter):
    """Our parsers' refusal: `problem` is translated and has a {name} slot for the option or
    argument, which only Click knows (admin_cli/usage.py fills it in)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _whole_number(low: int, high: int) -> InvalidValueError:
    # The same words usage.py uses for Click's own ranges.
    text = _("{name} must be a whole number from {min} to {max}")
    return InvalidValueError(text.format(name="{name}", min=low, max=high))


def id_value(text: str | int) -> int:
    """An id argument or option: a whole number from 1 to 2^63-1 (defaults come as int)."""
    value = parse_id(str(text))
    if value is None:
        raise _whole_number(1, ID_MAX)
    return value


def idea_ref(text: str) -> str:
    """An idea as officials name it: its code (ID-2026-0042) or its id."""
    from core.ideas.model import parse_code  # the ideas' model: for the commands that take one

    if parse_code(text) is None and parse_id(text) is None:
        raise InvalidValueError(_("{name} must be an idea code (like ID-2026-0042) or an id"))
    return text


def limit_value(text: str | int) -> int:
    """How many rows to list: 1 to LIMIT_MAX."""
    value = parse_id(str(text))
    if value is None or value > LIMIT_MAX:
        raise _whole_number(1, LIMIT_MAX)
    return value


def id_argument(help: str) -> Any:
    return typer.Argument(help=help, parser=id_value, metavar="ID")


def id_option(help: str) -> Any:
    return typer.Option(help=help, parser=id_value, metavar="ID")


def limit_option(help: str) -> Any:
    return typer.Option(help=help, parser=limit_value, metavar="N")


# `--eligible` on every command that creates a campaign (campaign files say `eligible:`).
ELIGIBLE_HELP = (
    "Who may take part: 'verified' (phone-verified residents) and/or "
    "'district:CODE,CODE' (residents of those home districts); repeatable, combinable."
)
