"""Refusals that never strand the resident: every "no" offers the way back to where they were.

`way_back` reads the screen the resident was on (their dialog state) and offers that screen and
the list above it; `mentioned` adds what the refusal's words point at ("you can still see its
results" → a Results button). Both end with the main menu. When the refused thing is gone, or
no longer takes answers, the way back skips the screen that would only refuse again.
"""

from __future__ import annotations

from typing import Any

from bot.dialogs import consultations, contests, eligibility, events, ideas, identity, orgs, polls
from bot.dialogs.idea_draft import COMMENT_SCREEN
from bot.dialogs.idea_draft import SCREEN_PREFIX as IDEA_STEP_PREFIX
from bot.dialogs.nav import SETTINGS, back_to_menu_row
from bot.dialogs.turn import Turn
from bot.ui import Button, Reply, encode_payload
from core.kernel.errors import (
    AlreadySubmittedError,
    CampaignClosedError,
    CampaignNotOpenError,
    IdeaNotPublicError,
    NotEligibleError,
    NotFoundError,
    SpilnoError,
    UnknownOptionError,
    VoteLimitError,
)
from core.kernel.i18n import _

Row = tuple[Button, ...]

# The refused thing no longer exists: its own screen would only refuse again.
_GONE = (NotFoundError, UnknownOptionError, IdeaNotPublicError)
# The campaign takes no more answers: the question being answered would only refuse again.
_NO_LONGER_ACCEPTING = (CampaignClosedError, CampaignNotOpenError, AlreadySubmittedError)
_IN_PROGRESS = (consultations.SCREEN_PREFIX + ":",)


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
    params = error.params if error is not None else {}
    match error:
        case CampaignClosedError() if params.get("kind") is None and params.get("campaign_id"):
            # "This poll is closed … You can still see its results."
            poll_id = params["campaign_id"]
            return [(Button(_("📈 Results"), encode_payload(polls.RESULTS, poll_id)),)]
        case NotEligibleError():
            # "Only verified residents … You have not confirmed your phone number yet."
            return eligibility.refusal_rows(error.reason, params)
        case VoteLimitError() if params.get("contest_id"):
            # "Take one back from another entry": the entries are where that is done.
            contest_id = params["contest_id"]
            return [(Button(_("« All entries"), encode_payload(contests.ENTRIES, contest_id, 0)),)]
    return []


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
    if screen.startswith(IDEA_STEP_PREFIX) and screen != COMMENT_SCREEN:
        return Button(_("📝 Back to my idea"), encode_payload(ideas.STEP_RESUME)), _ideas()
    if screen.startswith(consultations.SCREEN_PREFIX + ":"):
        return _question(state), _consultation(state)
    if screen.startswith(contests.SCREEN_PREFIX):
        return _contest(state), _all_contests()
    match screen:
        case "polls":
            return None, Button(_("« All polls"), encode_payload(polls.LIST, _int(state, "page")))
        case "poll":
            poll = Button(_("« Back to the poll"), encode_payload(polls.SHOW, _int(state, "poll")))
            return poll, Button(_("« All polls"), encode_payload(polls.LIST, 0))
        case "consultations":
            return None, _all_consultations()
        case "consultation":
            return _consultation(state), _all_consultations()
        case "contests":
            return None, _all_contests()
        case "contest":
            return _contest(state), _all_contests()
        case "contest_entries":
            page = _int(state, "page")
            entries = Button(
                _("« All entries"), encode_payload(contests.ENTRIES, _int(state, "k"), page)
            )
            return entries, _contest(state)
        case "contest_entry":
            entry = Button(
                _("« Back to the entry"), encode_payload(contests.ENTRY, _int(state, "e"))
            )
            return entry, Button(
                _("« All entries"), encode_payload(contests.ENTRIES, _int(state, "k"), 0)
            )
        case "ideas":
            return None, _ideas()
        case "ideas_list" if state.get("list") in ("top", "new", "my"):
            listed = encode_payload(ideas.LIST, str(state["list"]), _int(state, "page"))
            return Button(_("« Back to the list"), listed), _ideas()
        case "ideas_list":
            return None, _ideas()
        case "idea" | "idea_comments" | "idea:comment":
            idea = Button(_("« Back to the idea"), encode_payload(ideas.SHOW, _int(state, "idea")))
            return idea, _ideas()
        case orgs.SCREEN:
            return None, Button(
                _("« Organizations"), encode_payload(orgs.LIST, _int(state, "page"))
            )
        case "org":
            org = Button(
                _("« Back to the organization"), encode_payload(orgs.SHOW, _int(state, "org"))
            )
            return org, Button(_("« Organizations"), encode_payload(orgs.LIST, 0))
        case "events":
            return None, Button(_("« All events"), encode_payload(events.LIST, _int(state, "page")))
        case "event":
            event = Button(
                _("« Back to the event"), encode_payload(events.SHOW, _int(state, "event"))
            )
            return event, Button(_("« All events"), encode_payload(events.LIST, 0))
        case "settings" | "stopics" | "sdistr" | "home":
            return None, Button(_("« Settings"), encode_payload(SETTINGS))
        case identity.VERIFY_SCREEN:
            verify = Button(_("📱 Confirm my phone number"), identity.Verify().pack())
            return verify, Button(_("« Settings"), encode_payload(SETTINGS))
        case identity.CODE_SCREEN:
            again = Button(_("🔢 Type the code again"), identity.EnterLinkCode().pack())
            return again, Button(_("« Settings"), encode_payload(SETTINGS))
        case _ if screen.startswith(identity.SCREEN_PREFIX):
            return None, Button(_("« Settings"), encode_payload(SETTINGS))
    return None, None


def _int(state: dict[str, Any], key: str) -> int:
    value = state.get(key, 0)
    return value if isinstance(value, int) and value >= 0 else 0


def _ideas() -> Button:
    return Button(_("« Ideas"), encode_payload(ideas.MENU))


def _question(state: dict[str, Any]) -> Button:
    # "Start" resumes on the question the resident is on (it lives on their response row).
    return Button(
        _("« Back to the question"), encode_payload(consultations.START, _int(state, "c"))
    )


def _consultation(state: dict[str, Any]) -> Button:
    return Button(
        _("« Back to the consultation"), encode_payload(consultations.SHOW, _int(state, "c"))
    )


def _all_consultations() -> Button:
    return Button(_("« All consultations"), encode_payload(consultations.LIST))


def _contest(state: dict[str, Any]) -> Button:
    return Button(_("« Back to the contest"), encode_payload(contests.SHOW, _int(state, "k")))


def _all_contests() -> Button:
    return Button(_("« All contests"), encode_payload(contests.LIST))
