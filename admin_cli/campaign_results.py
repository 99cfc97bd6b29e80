"""`campaign show` details and `campaign results` for every kind, from the kind's `CliKind`.

Formats: table, json, csv, png. A PNG with several charts (one per consultation question) is
written as FILE-1.png, FILE-2.png… A kind without results says so in one line.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from admin_cli.context import EXIT_USAGE, fail
from admin_cli.files import write_bytes, write_text
from admin_cli.kind import KindResults
from admin_cli.rendered import Rendered
from admin_cli.rendered import render as render_any
from core.campaigns.model import Campaign
from core.kernel.i18n import _

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

Outcome = tuple[KindResults[Any], object]


async def details(uow: UnitOfWork, campaign: Campaign, now: datetime) -> dict[str, object] | None:
    """What `campaign show` prints for this kind, or None for a kind with no details of its own."""
    from admin_cli.kinds import BY_KIND

    kind = BY_KIND.get(campaign.kind)
    if kind is None or kind.details is None:
        return None
    return await kind.details.load(uow, campaign, now)


def print_details(console: Console, campaign_kind: str, data: dict[str, Any]) -> None:
    from admin_cli.kinds import BY_KIND  # every kind's CLI module: when one is printed

    kind = BY_KIND.get(campaign_kind)  # type: ignore[call-overload]
    if kind is not None and kind.details is not None:
        kind.details.print(console, data)


async def load(
    uow: UnitOfWork, campaign: Campaign, now: datetime, *, compare: bool = False
) -> Outcome | None:
    """The kind's renderer and its results (officials see them at any time), or None; with
    `compare`, every counting rule's outcome side by side (None for a kind with one way)."""
    from admin_cli.kinds import BY_KIND

    kind = BY_KIND.get(campaign.kind)
    renderer = None if kind is None else (kind.compare if compare else kind.results)
    if renderer is None:
        return None
    return renderer, await renderer.load(uow, campaign.id, now)


def render_results(
    results: KindResults[Any], outcome: object, fmt: str, *, to_file: bool, head: str
) -> Rendered:
    return render_any(
        fmt,
        to_file=to_file,
        print_table=lambda: results.print_table(outcome),
        charts=lambda: results.charts(outcome),
        as_csv=lambda: results.as_csv(outcome),
        as_dict=lambda: results.as_dict(outcome),
        as_text=None if results.as_text is None else (lambda: results.as_text(outcome)),  # type: ignore[misc]
        head=head,
    )


def emit(rendered: Rendered, output: Path | None, *, numbered: bool = False) -> None:
    """Print or write what `render` made: charts to OUTPUT (FILE-1.png, FILE-2.png… when there
    are several, or always with `numbered`), text to OUTPUT or the terminal."""
    if rendered.images:
        if output is None:  # the command checks first; a guard for callers that did not
            fail(_("--format png needs --output FILE.png"), EXIT_USAGE)
            return
        images = rendered.images
        paths = (
            [output]
            if len(images) == 1 and not numbered
            else [
                output.with_name(f"{output.stem}-{i}{output.suffix or '.png'}")
                for i in range(1, len(images) + 1)
            ]
        )
        for path, image in zip(paths, images, strict=True):
            write_bytes(path, image)
            typer.echo(_("Chart written to {path}").format(path=path), err=True)
        return
    text = rendered.text or ""
    if output is not None:
        write_text(output, text)
        typer.echo(_("Results written to {path}").format(path=output), err=True)
    else:
        typer.echo(text, nl=False)
