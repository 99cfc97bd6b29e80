"""Refusals that never strand the resident: every "no" offers the way back to where they were.

`way_back` reads the screen the resident was on (their dialog state) and offers that screen and
the list above it; `mentioned` adds what the refusal's words point at ("you can still see its
results" → a Results button). Both end with the main menu. When the refused thing is gone, or
no longer takes answers, the way back skips the screen that would only refuse again. Each
feature says the way back from its own screens (`Feature.way_back`, bot/dialogs/features.py).
"""

from __future__ import annotations

from typing import Any

from bot.dialogs import eligibility
from bot.dialogs.feature import Row
from bot.dialogs.features import FEATURES
from bot.dialogs.nav import Settings, back_to_menu_row
from bot.dialogs.turn import Turn
from bot.ui import Button, Reply
from core.kernel.errors import (
    AlreadySubmittedError,
    CampaignClosedError,
    CampaignNotOpenError,
    IdeaNotPublicError,
    NotEligibleError,
    NotFoundError,
    SpilnoError,
    UnknownOptionError,
)
from core.kernel.i18n import _

# The refused thing no longer exists: its own screen would only refuse again.
_GONE = (NotFoundError, UnknownOptionError, IdeaNotPublicError)
# The campaign takes no more answers: the question being answered would only refuse again.
_NO_LONGER_ACCEPTING = (CampaignClosedError, CampaignNotOpenError, AlreadySubmittedError)
_IN_PROGRESS = tuple(prefix for feature in FEATURES for prefix in feature.in_progress)


def refusal(
    text: str, turn: Turn, error: SpilnoError | None = None, extra: tuple[Row, ...] = ()
) -> Reply:
    """A polite "no" with buttons: what it mentions, the way back, the main menu."""
    rows = [*extra, *mentioned(error), *way_back(turn.citizen.dialog_state, error)]
    unique: list[Row] = []
    seen: set[str] = set()
    for row in rows:
        if row[0].payload not in seen:
            seen.add(row[0].payload)
            unique.append(row)
    return Reply(text, buttons=(*unique, back_to_menu_row()))


def mentioned(error: SpilnoError | None) -> list[Row]:
    """Buttons for what the refusal's text points at."""
    if error is None:
        return []
    if isinstance(error, NotEligibleError):
        # "Only verified residents … You have not confirmed your phone number yet."
        return eligibility.refusal_rows(error.reason, error.params)
    return [row for f in FEATURES if f.mentioned is not None for row in f.mentioned(error)]


def way_back(state: dict[str, Any], error: SpilnoError | None = None) -> list[Row]:
    """The screen the resident was on and the list above it, as rows of buttons."""
    screen = str(state.get("screen", ""))
    here, above = _screens(screen, state)
    gone = isinstance(error, _GONE)
    closed = isinstance(error, _NO_LONGER_ACCEPTING) and screen.startswith(_IN_PROGRESS)
    rows = [] if here is None or gone or closed else [(here,)]
    if above is not None:
        rows.append((above,))
    return rows


def _screens(screen: str, state: dict[str, Any]) -> tuple[Button | None, Button | None]:
    """(a button back to this screen, a button to the list or screen above it)."""
    for feature in FEATURES:
        if feature.way_back is not None and (found := feature.way_back(screen, state)):
            return found
    if screen in ("settings", "stopics", "sdistr", "home"):
        return None, Button(_("« Settings"), Settings().pack())
    return None, None
