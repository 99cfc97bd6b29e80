"""Typer parsers for ids and counts, shared by every command: checked before any SQL runs.

An id past int64 used to reach the database and come back as an OverflowError traceback;
here it is refused with one translated line (see `app.run_cli`), exit 2.
"""

from __future__ import annotations

from typing import Any

import typer

from core.domain.idea import parse_code
from core.domain.ids import ID_MAX, parse_id
from core.i18n import _

LIMIT_MAX = 10_000


class InvalidValueError(typer.BadParameter):
    """Our parsers' refusal: the message is already translated and says what is allowed."""


def id_value(text: str | int) -> int:
    """An id argument or option: a whole number from 1 to 2^63-1 (defaults come as int)."""
    value = parse_id(str(text))
    if value is None:
        raise InvalidValueError(
            _("{value!r} is not an id: use a whole number from 1 to {max}").format(
                value=text, max=ID_MAX
            )
        )
    return value


def idea_ref(text: str) -> str:
    """An idea as officials name it: its code (ID-2026-0042) or its id."""
    if parse_code(text) is None and parse_id(text) is None:
        raise InvalidValueError(
            _("{value!r} is neither an idea code (like ID-2026-0042) nor an id").format(value=text)
        )
    return text


def limit_value(text: str | int) -> int:
    """How many rows to list: 1 to LIMIT_MAX."""
    value = parse_id(str(text))
    if value is None or value > LIMIT_MAX:
        raise InvalidValueError(
            _("{value!r}: use a whole number from 1 to {max}").format(value=text, max=LIMIT_MAX)
        )
    return value


def id_argument(help: str) -> Any:
    return typer.Argument(help=help, parser=id_value, metavar="ID")


def id_option(help: str) -> Any:
    return typer.Option(help=help, parser=id_value, metavar="ID")


def limit_option(help: str) -> Any:
    return typer.Option(help=help, parser=limit_value, metavar="N")
