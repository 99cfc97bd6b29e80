"""`campaign results ID --by district|verification`: a poll's results per group of voters.

One row per group (every district, then "not set"; or verified / not verified) and the whole
city last; table, JSON, CSV, or PNG (one chart per group: FILE-1.png, FILE-2.png, …).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from admin_cli import words
from admin_cli.context import EXIT_USAGE, fail
from admin_cli.files import write_bytes, write_text
from core.campaigns.breakdown import Breakdown
from core.campaigns.results import GroupResults, PollBreakdown
from core.kernel.i18n import _
from core.polls.model import PollResults

NOT_SET = "not_set"  # the CSV's code for voters without a home district


def group_label(by: Breakdown, key: str | None) -> str:
    if by is Breakdown.VERIFICATION:
        return words.verification(key or "")
    return words.home_district(key)


def _options(results: PollResults) -> list[dict[str, object]]:
    return [
        {"id": r.option_id, "label": r.label, "votes": r.votes, "percent": r.percent}
        for r in results.options
    ]


def as_dict(breakdown: PollBreakdown) -> dict[str, object]:
    return {
        "campaign_id": breakdown.whole.poll_id,
        "question": breakdown.whole.question,
        "by": breakdown.by.value,
        "groups": [
            {
                "group": g.key,  # null: no home district set
                "label": group_label(breakdown.by, g.key),
                "voters": g.results.voters,
                "options": _options(g.results),
            }
            for g in breakdown.groups
        ],
        "total": {"voters": breakdown.whole.voters, "options": _options(breakdown.whole)},
    }


def as_csv(breakdown: PollBreakdown) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([breakdown.by.value, "voters", "option_id", "option", "votes", "percent"])
    rows = [*breakdown.groups, GroupResults("total", breakdown.whole)]
    for g in rows:
        for r in g.results.options:
            writer.writerow(
                [g.key or NOT_SET, g.results.voters, r.option_id, r.label, r.votes, r.percent]
            )
    return buffer.getvalue()


def print_table(breakdown: PollBreakdown) -> None:
    whole = breakdown.whole
    table = Table(title=whole.question, caption=_("Voters: {n}").format(n=whole.voters))
    table.add_column(_("District") if breakdown.by is Breakdown.DISTRICT else _("Verification"))
    table.add_column(_("Voters"), justify="right")
    for option in whole.options:
        table.add_column(option.label, justify="right")

    def cells(results: PollResults) -> list[str]:
        return [f"{r.votes} ({words.percent(r.percent)}%)" for r in results.options]

    for g in breakdown.groups:
        label = group_label(breakdown.by, g.key)
        table.add_row(label, str(g.results.voters), *cells(g.results))
    table.add_section()
    table.add_row(_("Whole city"), str(whole.voters), *cells(whole))
    Console(width=160).print(table)


def charts(breakdown: PollBreakdown) -> list[bytes]:
    from core.campaigns.charts import Bar, bar_chart_png

    images = []
    for g in breakdown.groups:
        title = f"{breakdown.whole.question} — {group_label(breakdown.by, g.key)}"
        bars = [Bar(o.label, o.votes, o.percent) for o in g.results.options]
        caption = _("Voters: {n}").format(n=g.results.voters)
        images.append(bar_chart_png(title, bars, caption=caption))
    return images


def emit(breakdown: PollBreakdown, fmt: str, output: Path | None) -> None:
    if fmt == "png":
        if output is None:
            fail(_("--format png needs --output FILE.png"), EXIT_USAGE)
            return
        for i, image in enumerate(charts(breakdown), start=1):
            path = output.with_name(f"{output.stem}-{i}{output.suffix or '.png'}")
            write_bytes(path, image)
            typer.echo(_("Chart written to {path}").format(path=path), err=True)
        return
    if fmt == "table" and output is None:
        print_table(breakdown)
        return
    if fmt == "csv":
        text = as_csv(breakdown)
    else:  # json, or a table written to a file (as `campaign results` does)
        text = json.dumps(as_dict(breakdown), ensure_ascii=False, indent=2) + "\n"
    if output is not None:
        write_text(output, text)
        typer.echo(_("Results written to {path}").format(path=output), err=True)
    else:
        typer.echo(text, nl=False)
