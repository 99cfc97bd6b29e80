"""Routes an Incoming to the dialog step that handles it: by command, by payload action, by kind."""

from __future__ import annotations

from bot.dialogs import menu, polls
from bot.dialogs.engine import Handler, Turn
from bot.ui import IncomingKind, Reply, decode_payload

COMMANDS: dict[str, Handler] = {
    "start": menu.start,
    "help": menu.help_screen,
    "language": menu.language_screen,
    "menu": menu.main_menu,
    "stop": menu.stop,
    "polls": polls.poll_list,
}

ACTIONS: dict[str, Handler] = {
    menu.START: menu.start,
    menu.MENU: menu.main_menu,
    menu.HELP: menu.help_screen,
    menu.LANGUAGE: menu.language_screen,
    menu.SET_LANGUAGE: menu.set_language,
    menu.SETTINGS: menu.settings_screen,
    menu.NOTIFICATIONS: menu.set_notifications,
    polls.LIST: polls.poll_list,
    polls.SHOW: polls.poll_screen,
    polls.VOTE: polls.vote,
    polls.RESULTS: polls.results_screen,
}


async def route(turn: Turn) -> list[Reply]:
    """Typed domain errors propagate: the engine rolls back and explains them politely."""
    incoming = turn.incoming
    if incoming.kind == IncomingKind.STARTED:
        return await menu.welcome(turn)
    if turn.is_new and incoming.kind != IncomingKind.BUTTON:
        # Whatever a newcomer sends first, they start by choosing a language.
        return await menu.start(turn)
    match incoming.kind:
        case IncomingKind.COMMAND:
            handler = COMMANDS.get((incoming.text or "").lower())
            return await handler(turn) if handler else await menu.unknown_command(turn)
        case IncomingKind.BUTTON:
            action, _args = decode_payload(incoming.payload or "")
            handler = ACTIONS.get(action)
            return await handler(turn) if handler else await menu.main_menu(turn)
        case IncomingKind.TEXT:
            return await menu.text_without_question(turn)
        case _:
            return await menu.unsupported(turn)
