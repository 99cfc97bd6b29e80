"""How commands print what they found: one JSON array for `--json`, else a table or a line
saying there is nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table

from core.kernel.i18n import _

T = TypeVar("T")

WIDTH = 160  # wide enough that titles are not cut in a terminal, and in captured output


def echo_audit_head(head: str) -> None:
    """Printed (on stderr) by `campaign results` and every export: the audit log's state they
    match (`spilno-admin audit verify --head HASH` checks it later)."""
    typer.echo(_("Audit log head: {head}").format(head=head), err=True)


def echo_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False))


def print_table(title: str, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    table = Table(title=title)
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*row)
    Console(width=WIDTH).print(table)


def print_found(
    found: Sequence[T],
    *,
    as_json: bool,
    as_dict: Callable[[T], object],
    nothing: str,
    title: str,
    headers: Sequence[str],
    row: Callable[[T], Sequence[str]],
) -> None:
    """A listing: JSON of every item, `nothing` when there is none, else a table."""
    if as_json:
        echo_json([as_dict(item) for item in found])
    elif not found:
        typer.echo(nothing)
    else:
        print_table(title, headers, (row(item) for item in found))
