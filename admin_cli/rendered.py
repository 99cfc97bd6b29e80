"""Results rendered where an action runs (in-process, or at the admin API): the same table,
CSV, JSON or PNG charts for a remote official as for a local one. A leaf module."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from admin_cli.context import CliError
from core.kernel.i18n import _


@dataclass(frozen=True, slots=True)
class Rendered:
    """Results as the official asked for them, made where the action runs (in-process or at the
    admin API), so a remote official gets the same table, CSV, JSON or charts: `text` to print
    or write, or `images` (PNG) to write; `head`: the audit log's head the results match."""

    head: str
    text: str | None = None
    images: list[bytes] = field(default_factory=list)


def render(
    fmt: str,
    *,
    to_file: bool,
    print_table: Callable[[], None],
    charts: Callable[[], list[bytes]],
    as_csv: Callable[[], str],
    as_dict: Callable[[], dict[str, object]],
    as_text: Callable[[], str] | None = None,
    head: str,
) -> Rendered:
    if fmt == "png":
        images = charts()
        if not images:
            raise CliError(_("there is nothing to chart (only free-text questions)"))
        return Rendered(head, images=images)
    if fmt == "table" and not to_file:
        return Rendered(head, text=printed(print_table))
    if fmt == "csv":
        text = as_csv()
    elif fmt == "table" and as_text is not None:
        text = as_text()
    else:  # json, and a table written to a file when the kind has no text form
        text = json.dumps(as_dict(), ensure_ascii=False, indent=2) + "\n"
    return Rendered(head, text=text)


def printed(print_it: Callable[[], None]) -> str:
    """What `print_it` prints (a kind's Rich tables print to stdout), as text. Synchronous, so
    no other request of the admin API prints in between."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        print_it()
    return buffer.getvalue()
