"""The list of one kind's campaigns a resident opens from the menu: one button per campaign
(its icon while it accepts, a lock after), or a plain "none right now" with the way back.

A leaf module: the kinds' dialogs use it, it knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.dialogs.nav import back_to_menu_row, short
from bot.dialogs.turn import Turn
from bot.ui import Action, Button, Reply
from core.campaigns.model import Campaign


def campaign_list(
    turn: Turn,
    found: Sequence[Campaign],
    *,
    icon: str,
    show: Callable[[int], Action],
    intro: str,
    none_open: str,
) -> list[Reply]:
    """`found` as buttons opening `show(campaign id)` under `intro`, or `none_open` if empty."""
    if not found:
        return [Reply(none_open, buttons=(back_to_menu_row(),))]
    rows = [
        (Button((icon if c.is_accepting(turn.now) else "🔒 ") + short(c.title), show(c.id).pack()),)
        for c in found
    ]
    return [Reply(intro, buttons=(*rows, back_to_menu_row()))]
