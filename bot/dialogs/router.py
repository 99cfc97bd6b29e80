"""Routes an Incoming to the dialog step that handles it: by command, by payload action, by kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.dialogs import (
    campaign_links,
    home_district,
    identity,
    menu,
    privacy,
    receipts,
    subscriptions,
)
from bot.dialogs.features import FEATURES
from bot.dialogs.refusals import refusal
from bot.dialogs.turn import Handler, Route, Turn, compose
from bot.ui import IncomingKind, Reply, StaleButtonError, decode_payload
from core.kernel.i18n import _

COMMANDS: dict[str, Handler] = {
    "start": campaign_links.start,
    "help": menu.help_screen,
    "language": menu.language_screen,
    "menu": menu.main_menu,
    "stop": menu.stop,
} | {name: handler for feature in FEATURES for name, handler in feature.commands.items()}

# Every feature declares its own (action, handler) table; a prefix claimed twice stops start-up.
ACTIONS: Mapping[str, Route[Any]] = compose(
    menu.ROUTES,
    subscriptions.ROUTES,
    home_district.ROUTES,
    receipts.ROUTES,
    privacy.ROUTES,
    campaign_links.ROUTES,
    *(feature.routes for feature in FEATURES),
)

# Free input (text, a photo, a location) goes to the screen that asked for it:
# dialog_state["screen"] prefix → handler, as each feature declares, in FEATURES' order.
INPUT_SCREENS: dict[str, Handler] = {
    prefix: handler for feature in FEATURES for prefix, handler in feature.input_screens.items()
}
INPUT_KINDS = (IncomingKind.TEXT, IncomingKind.PHOTO, IncomingKind.LOCATION)


def input_handler(turn: Turn) -> Handler | None:
    screen = str(turn.citizen.dialog_state.get("screen", ""))
    for prefix, handler in INPUT_SCREENS.items():
        if screen.startswith(prefix):
            return handler
    return None


async def route(turn: Turn) -> list[Reply]:
    """Typed domain errors propagate: the engine rolls back and explains them politely."""
    incoming = turn.incoming
    if incoming.kind == IncomingKind.STARTED:
        return await campaign_links.welcome(turn)
    if turn.is_new and incoming.kind != IncomingKind.BUTTON:
        # Whatever a newcomer sends first, they start by choosing a language (or, coming by
        # a deep link, on the screen it opens).
        return await campaign_links.start(turn)
    if incoming.kind in INPUT_KINDS and (step := input_handler(turn)) is not None:
        return await step(turn)
    match incoming.kind:
        case IncomingKind.COMMAND:
            handler = COMMANDS.get((incoming.text or "").lower())
            return await handler(turn) if handler else await menu.unknown_command(turn)
        case IncomingKind.BUTTON:
            payload = incoming.payload or ""
            action = ACTIONS.get(decode_payload(payload)[0])
            if action is None:
                raise StaleButtonError(incoming.payload, "unknown action")
            return await action(turn, payload)
        case IncomingKind.TEXT:
            return await menu.text_without_question(turn)
        case IncomingKind.CONTACT:
            # The resident's own number verifies them wherever they share it.
            return await identity.contact(turn)
        case _:
            return await menu.unsupported(turn)


def stale_button(turn: Turn) -> list[Reply]:
    """The answer to a payload that does not decode (the engine has rolled the turn back)."""
    text = _("This button is out of date. Please open the main menu and try again.")
    return [refusal(text, turn)]  # with the way back to where the resident was
