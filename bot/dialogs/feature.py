"""What one feature's dialog module contributes to the screens every feature shares.

Each feature module (polls.py, contests.py, orgs.py, …) exports one `Feature`; features.py
lists them once, and router.py (routes, commands, typed input), menu.py (its section),
campaign_links.py (a campaign link opens its kind's screen), refusals.py (the way back) and
errors.py (its texts) compose them from that list. A leaf module: it imports no feature.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.dialogs.turn import Handler, Route, Turn
from bot.ui import Action, Button, Reply
from core.campaigns.model import CampaignKind
from core.kernel.errors import SpilnoError
from core.kernel.i18n import _, format_datetime

Row = tuple[Button, ...]
Params = Mapping[str, object]
Text = Callable[[Params], str]
ErrorKey = tuple[type[SpilnoError], str]
# (turn, campaign id) → the kind's own screen for that campaign.
Opener = Callable[[Turn, int], Awaitable[list[Reply]]]
# (screen, dialog state) → (a button back to this screen, a button to the one above it), or
# None when the screen is not this feature's.
WayBack = Callable[[str, Mapping[str, Any]], tuple[Button | None, Button | None] | None]


def own(error_type: type[SpilnoError]) -> ErrorKey:
    """The key of an error raised without a reason (its reason is its code)."""
    return (error_type, error_type.code)


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """A main-menu button and its line of /help (msgids, translated when shown)."""

    label: str
    action: Action
    help: str
    row: int  # entries with the same row share a row of the menu


@dataclass(frozen=True, slots=True)
class Feature:
    routes: tuple[Route[Any], ...]
    commands: Mapping[str, Handler] = field(default_factory=dict)  # /polls, /contests…
    # Free input (text, a photo, a location) on a screen whose name starts with the prefix.
    input_screens: Mapping[str, Handler] = field(default_factory=dict)
    menu: tuple[MenuEntry, ...] = ()
    # A campaign kind: its screen and its results screen, which campaign links open.
    kind: CampaignKind | None = None
    opener: Opener | None = None
    results: Opener | None = None
    # Deep links into the bot (`https://t.me/<bot>?start=p12`, Viber's `context=p12`): a
    # letter prefix → the screen that opens the id after it (bot/dialogs/campaign_links.py).
    deep_links: Mapping[str, Opener] = field(default_factory=dict)
    # Chat texts for the errors only this feature raises, and the shared campaign refusals
    # (closed, not open yet) in its own words when the error names this kind.
    error_texts: Mapping[ErrorKey, Text] = field(default_factory=dict)
    kind_texts: Mapping[type[SpilnoError], Text] = field(default_factory=dict)
    officials_only: tuple[ErrorKey, ...] = ()  # the resident gets the apology
    # The way back from its screens, buttons for what its refusals mention, and the screens
    # of an answer in progress (a refusal there skips the question that would refuse again).
    way_back: WayBack | None = None
    mentioned: Callable[[SpilnoError], list[Row]] | None = None
    in_progress: tuple[str, ...] = ()


def state_int(state: Mapping[str, Any], key: str) -> int:
    """A non-negative id or page kept in the dialog state; 0 when it is missing or odd."""
    value = state.get(key, 0)
    return value if isinstance(value, int) and value >= 0 else 0


def not_started(p: Params) -> str:
    """A campaign refused for not being open yet, in words that fit any kind."""
    if p.get("opens_at"):
        return _("This has not started yet. It opens on {date}.").format(
            date=format_datetime(p["opens_at"])  # type: ignore[arg-type]
        )
    return _("This has not started yet.")
