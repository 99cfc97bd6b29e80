"""Navigation every screen shares: the main-menu, start and settings actions and the back row.

A leaf module (it imports no feature), so any feature can offer the way back to the menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.ui import Action, Button, Word
from core.delivery.links import Link
from core.kernel.i18n import _


@dataclass(frozen=True, slots=True)
class Start(Action):
    PREFIX = "start"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class OpenMenu(Action):
    PREFIX = Link.MAIN_MENU.value  # messages rendered in core link to it too
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class Help(Action):
    PREFIX = "help"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class Language(Action):
    PREFIX = "lang"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class SetLanguage(Action):
    """`setlang:<code>`; an unknown or missing code keeps the current language."""

    PREFIX = "setlang"
    IGNORES_EXTRA = True
    code: Word | None = None


@dataclass(frozen=True, slots=True)
class Settings(Action):
    PREFIX = "settings"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class Notifications(Action):
    """`notif:<mode>`; "on" (the /stop screen) or anything unknown means "at once"."""

    PREFIX = "notif"
    IGNORES_EXTRA = True
    mode: Word | None = None


@dataclass(frozen=True, slots=True)
class FollowTopics(Action):
    PREFIX = "stopics"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class FollowDistricts(Action):
    PREFIX = "sdistr"
    IGNORES_EXTRA = True


@dataclass(frozen=True, slots=True)
class HomeDistrict(Action):
    """Settings → "My home district" (where the resident lives: decides district campaigns)."""

    PREFIX = "home"
    IGNORES_EXTRA = True


START = Start.PREFIX
MENU = OpenMenu.PREFIX
HELP = Help.PREFIX
LANGUAGE = Language.PREFIX
SET_LANGUAGE = SetLanguage.PREFIX
SETTINGS = Settings.PREFIX
NOTIFICATIONS = Notifications.PREFIX
FOLLOW_TOPICS = FollowTopics.PREFIX
FOLLOW_DISTRICTS = FollowDistricts.PREFIX
HOME_DISTRICT = HomeDistrict.PREFIX


def short(text: str, limit: int = 60) -> str:
    """`text` cut to fit a button label of at most `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def back_to_menu_row() -> tuple[Button, ...]:
    return (Button(_("« Main menu"), OpenMenu().pack()),)


def page_rows(
    page: int, has_next: bool, to_page: Callable[[int], Action]
) -> tuple[tuple[Button, ...], ...]:
    """The « Previous / Next » row of a paged list, or none on a list's only page; `to_page(n)`
    is the action that shows page `n`."""
    nav = []
    if page > 0:
        nav.append(Button(_("« Previous"), to_page(page - 1).pack()))
    if has_next:
        nav.append(Button(_("Next »"), to_page(page + 1).pack()))
    return (tuple(nav),) if nav else ()
