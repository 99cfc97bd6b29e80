"""`campaign results ID --by district|verification`: what every kind's breakdown shares.

One group per district (then a district no longer on the city's list, then "not set"), or
verified / not verified, and the whole city; each kind's `KindBreakdownView` lays its results
out (admin_cli/polls.py, contests.py, consultations.py) with the helpers here. Table, JSON, CSV,
or PNG (the kind's charts for each group: FILE-1.png, FILE-2.png, …). A leaf: no kind module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rich.table import Table

from admin_cli.kind import KindBreakdownView
from admin_cli.rendered import Rendered
from admin_cli.rendered import render as render_any
from admin_cli.wording import home_district, percent, verification
from core.campaigns.breakdown import Breakdown, GroupResults, ResultsBreakdown
from core.kernel.i18n import _

R = TypeVar("R")

NOT_SET = "not_set"  # the CSV's code for participants without a home district
TOTAL = "total"  # the CSV's code for the whole city's rows


def group_label(by: Breakdown, key: str | None) -> str:
    if by is Breakdown.VERIFICATION:
        return verification(key or "")
    return home_district(key)


def group_header(by: Breakdown) -> str:
    return _("District") if by is Breakdown.DISTRICT else _("Verification")


def groups_as_dicts(
    breakdown: ResultsBreakdown[R], counted: str, body: Callable[[R], dict[str, object]]
) -> list[dict[str, object]]:
    """Each group as JSON: its code (null: no home district), its words, how many from it
    are counted (under the kind's name for them: voters, submissions) and the kind's body."""
    return [
        {
            "group": g.key,
            "label": group_label(breakdown.by, g.key),
            counted: g.counted,
            **body(g.results),
        }
        for g in breakdown.groups
    ]


def csv_rows(breakdown: ResultsBreakdown[R], whole_counted: int) -> list[GroupResults[R]]:
    """The groups, then the whole city as the group `total`."""
    return [*breakdown.groups, GroupResults(TOTAL, breakdown.whole, whole_counted)]


def csv_key(key: str | None) -> str:
    return key or NOT_SET


def cell(count: int, share: float) -> str:
    return f"{count} ({percent(share)}%)"


def columns_table(title: str, breakdown: ResultsBreakdown[Any], *, caption: str = "") -> Table:
    """A table with one column per group and the whole city last (rows: options, entries)."""
    table = Table(title=title, caption=caption or None, title_justify="left")
    table.add_column("")
    for g in breakdown.groups:
        table.add_column(group_label(breakdown.by, g.key), justify="right")
    table.add_column(_("Whole city"), justify="right", style="bold")
    return table


def chart_title(title: str, breakdown: ResultsBreakdown[R], group: GroupResults[R]) -> str:
    return f"{title} — {group_label(breakdown.by, group.key)}"


def render(
    view: KindBreakdownView[Any],
    breakdown: ResultsBreakdown[Any],
    fmt: str,
    *,
    to_file: bool,
    head: str,
) -> Rendered:
    """Every format as `campaign results` makes it (admin_cli/campaign_results.py): the table
    written to a file is its JSON; PNG charts are numbered FILE-1.png, FILE-2.png… always."""
    return render_any(
        fmt,
        to_file=to_file,
        print_table=lambda: view.print_table(breakdown),
        charts=lambda: view.charts(breakdown),
        as_csv=lambda: view.as_csv(breakdown),
        as_dict=lambda: view.as_dict(breakdown),
        head=head,
    )
