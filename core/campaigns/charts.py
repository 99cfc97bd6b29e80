"""Result charts as PNG bytes: horizontal bars with each label, its count and its percentage.

matplotlib is imported on first use (it is slow to import and the bot rarely needs it), with
the Agg backend: no display, safe in servers and threads of its own.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.kernel.i18n import format_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LABEL_WIDTH = 38  # characters per label line before wrapping
_BAR = "#2f6db5"
_WINNER = "#e0a526"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int
    percent: float
    highlight: bool = False


def bar_chart_png(title: str, bars: Sequence[Bar], *, caption: str = "") -> bytes:
    """One horizontal bar per item, top to bottom in the given order."""
    figure = bar_chart_figure(title, bars, caption=caption)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def bar_label(bar: Bar) -> str:
    """Numbers as the chat writes them: "7 (66,7%)" in Ukrainian, "7 (66.7%)" in English."""
    return f"{format_number(bar.count)} ({format_number(bar.percent)}%)"


def bar_chart_figure(title: str, bars: Sequence[Bar], *, caption: str = "") -> Figure:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    labels = [textwrap.fill(b.label, LABEL_WIDTH) for b in bars] or ["—"]
    counts = [b.count for b in bars] or [0]
    height = 1.6 + 0.55 * sum(label.count("\n") + 1 for label in labels)
    # Figure() rather than pyplot: no global state, nothing to close, thread-safe enough.
    figure = Figure(figsize=(9, max(height, 2.6)), dpi=110)
    axes = figure.subplots()
    positions = list(range(len(labels)))
    colours = [_WINNER if b.highlight else _BAR for b in bars] or [_BAR]
    axes.barh(positions, counts, color=colours, height=0.6)
    axes.set_yticks(positions, labels=labels, fontsize=10)
    axes.invert_yaxis()  # first item on top
    top = max(counts) if max(counts) > 0 else 1
    axes.set_xlim(0, top * 1.3)
    for position, bar in zip(positions, bars, strict=False):
        axes.text(
            bar.count + top * 0.02,
            position,
            bar_label(bar),
            va="center",
            fontsize=10,
        )
    # A figure-level title starts at the left edge, so long questions are not cut off.
    figure.suptitle(textwrap.fill(title, 80), fontsize=12, x=0.01, ha="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.get_major_locator().set_params(integer=True)
    if caption:
        figure.text(0.01, 0.01, caption, fontsize=9, color="#555555")
    figure.tight_layout(rect=(0, 0.04 if caption else 0, 1, 1))
    return figure
