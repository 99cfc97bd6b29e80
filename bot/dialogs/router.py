"""Routes an Incoming to the dialog step that handles it: by command, by payload action, by kind."""

from __future__ import annotations

from bot.dialogs import (
    campaign_links,
    consultations,
    contests,
    ideas,
    menu,
    orgs,
    polls,
    subscriptions,
)
from bot.dialogs import events as org_events
from bot.dialogs.engine import Handler, Turn
from bot.dialogs.idea_draft import SCREEN_PREFIX as IDEA_SCREENS
from bot.dialogs.refusals import refusal
from bot.ui import IncomingKind, Reply, StaleButtonError, decode_payload
from core.kernel.i18n import _

COMMANDS: dict[str, Handler] = {
    "start": menu.start,
    "help": menu.help_screen,
    "language": menu.language_screen,
    "menu": menu.main_menu,
    "stop": menu.stop,
    "polls": polls.poll_list,
    "ideas": ideas.ideas_menu,
    "consultations": consultations.consultation_list,
    "contests": contests.contest_list,
    "orgs": orgs.org_list,
    "events": org_events.event_list,
}

ACTIONS: dict[str, Handler] = {
    menu.START: menu.start,
    menu.MENU: menu.main_menu,
    menu.HELP: menu.help_screen,
    menu.LANGUAGE: menu.language_screen,
    menu.SET_LANGUAGE: menu.set_language,
    menu.SETTINGS: menu.settings_screen,
    menu.NOTIFICATIONS: menu.set_notifications,
    menu.FOLLOW_TOPICS: subscriptions.topics_screen,
    menu.FOLLOW_DISTRICTS: subscriptions.districts_screen,
    subscriptions.TOGGLE: subscriptions.toggle,
    campaign_links.OPEN: campaign_links.open_campaign,
    polls.LIST: polls.poll_list,
    polls.SHOW: polls.poll_screen,
    polls.VOTE: polls.vote,
    polls.RESULTS: polls.results_screen,
    ideas.MENU: ideas.ideas_menu,
    ideas.NEW: ideas.new_idea,
    ideas.LIST: ideas.idea_list,
    ideas.TOPICS_LIST: ideas.topics_screen,
    ideas.SHOW: ideas.idea_screen,
    ideas.SUPPORT: ideas.support,
    ideas.UNSUPPORT: ideas.unsupport,
    ideas.COMMENTS: ideas.comments_screen,
    ideas.WRITE_COMMENT: ideas.write_comment,
    ideas.REPORT: ideas.report_screen,
    ideas.REPORT_REASON: ideas.report_reason,
    ideas.CALLS: ideas.calls_screen,
    ideas.CALL: ideas.call_screen,
    ideas.STEP_BACK: ideas.step_back,
    ideas.STEP_CANCEL: ideas.step_cancel,
    ideas.STEP_SKIP: ideas.step_skip,
    ideas.STEP_TOPIC: ideas.step_choice,
    ideas.STEP_DISTRICT: ideas.step_choice,
    ideas.STEP_SUBMIT: ideas.step_submit,
    ideas.STEP_RESUME: ideas.resume,
    ideas.STEP_DISCARD: ideas.step_discard,
    consultations.LIST: consultations.consultation_list,
    consultations.SHOW: consultations.consultation_screen,
    consultations.START: consultations.start,
    consultations.CHOOSE: consultations.choose,
    consultations.NEXT: consultations.next_question,
    consultations.BACK: consultations.back,
    consultations.SKIP: consultations.skip,
    consultations.LATER: consultations.continue_later,
    consultations.SUBMIT: consultations.submit,
    consultations.RESULTS: consultations.results_screen,
    consultations.CHARTS: consultations.charts_screen,
    contests.LIST: contests.contest_list,
    contests.SHOW: contests.contest_screen,
    contests.NEW_ENTRY: contests.new_entry,
    contests.SKIP_PHOTO: contests.skip_photo,
    contests.CANCEL: contests.cancel,
    contests.ENTRIES: contests.entries_screen,
    contests.ENTRY: contests.entry_screen,
    contests.VOTE: contests.vote,
    contests.RESULTS: contests.results_screen,
    orgs.LIST: orgs.org_list,
    orgs.SHOW: orgs.org_screen,
    orgs.FOLLOW: orgs.follow,
    orgs.UNFOLLOW: orgs.unfollow,
    org_events.LIST: org_events.event_list,
    org_events.SHOW: org_events.event_screen,
    org_events.RSVP: org_events.rsvp,
}

# Free input (text, a photo, a location) goes to the screen that asked for it:
# dialog_state["screen"] prefix → handler. Any feature with typed steps can add its prefix.
INPUT_SCREENS: dict[str, Handler] = {
    IDEA_SCREENS: ideas.step_input,
    consultations.SCREEN_PREFIX: consultations.typed_answer,
    contests.SCREEN_PREFIX: contests.entry_input,
    orgs.SCREEN: orgs.search_input,
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
        return await menu.welcome(turn)
    if turn.is_new and incoming.kind != IncomingKind.BUTTON:
        # Whatever a newcomer sends first, they start by choosing a language.
        return await menu.start(turn)
    if incoming.kind in INPUT_KINDS and (step := input_handler(turn)) is not None:
        return await step(turn)
    match incoming.kind:
        case IncomingKind.COMMAND:
            handler = COMMANDS.get((incoming.text or "").lower())
            return await handler(turn) if handler else await menu.unknown_command(turn)
        case IncomingKind.BUTTON:
            action, _args = decode_payload(incoming.payload or "")
            handler = ACTIONS.get(action)
            if handler is None:
                raise StaleButtonError(incoming.payload, "unknown action")
            return await handler(turn)
        case IncomingKind.TEXT:
            return await menu.text_without_question(turn)
        case _:
            return await menu.unsupported(turn)


def stale_button(turn: Turn) -> list[Reply]:
    """The answer to a payload that does not decode (the engine has rolled the turn back)."""
    text = _("This button is out of date. Please open the main menu and try again.")
    return [refusal(text, turn)]  # with the way back to where the resident was
