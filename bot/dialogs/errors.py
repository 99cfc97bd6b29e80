"""Every domain error a resident can meet → a polite sentence in their language: ONE table.

Keyed by (error type, reason); core raises codes, never prose. `tests/unit/test_error_texts.py`
walks every error type × reason core can raise and fails when one has no text here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.dialogs.refusals import refusal
from bot.dialogs.turn import Turn
from bot.ui import Reply
from core.delivery.broadcasts import BroadcastNotFoundError
from core.kernel.errors import (
    AlreadySubmittedError,
    CampaignClosedError,
    CampaignNotFoundError,
    CampaignNotOpenError,
    CommentNotFoundError,
    EntryLimitError,
    EntryNotFoundError,
    IdeaCallNotOpenError,
    IdeaNotFoundError,
    IdeaNotPublicError,
    InvalidTransitionError,
    OwnEntryError,
    ResultsHiddenError,
    SpilnoError,
    TooManyChoicesError,
    UnknownOptionError,
    ValidationError,
    VoteLimitError,
    WrongPhaseError,
)
from core.kernel.i18n import _, format_datetime, ngettext
from core.officials.model import PermissionDeniedError
from core.organizations.model import (
    EventCancelledError,
    EventNotFoundError,
    OrganizationNotFoundError,
)

Params = Mapping[str, object]
Text = Callable[[Params], str]
_CAMPAIGN_FILE_KINDS = ("consultation", "contest")


def explain(error: SpilnoError, turn: Turn) -> Reply:
    """The reason, with the way back to the screen the resident was on (never a dead end)."""
    return refusal(error_text(error), turn, error)


def error_text(error: SpilnoError) -> str:
    # The most specific type first: a CampaignNotFoundError is also a NotFoundError.
    for cls in type(error).__mro__:
        if (text := TEXTS.get((cls, error.reason))) is not None:
            return text(error.params)
    return _sorry(error.params)


def _sorry(p: Params) -> str:
    """For errors a resident cannot cause from the chat (an official's command, a bad file)."""
    return _("Sorry, that did not work. Please try again.")


def _date(value: object) -> str:
    return format_datetime(value)  # type: ignore[arg-type]


def _closed(p: Params) -> str:
    if p.get("kind") == "consultation":
        return _("This consultation is closed; answers are no longer accepted.")
    if p.get("kind") == "contest":
        return _("This contest is over.")
    return _("This poll is closed; voting has ended. You can still see its results.")


def _not_open(p: Params) -> str:
    if p.get("kind") in _CAMPAIGN_FILE_KINDS:
        if p.get("opens_at"):
            return _("This has not started yet. It opens on {date}.").format(
                date=_date(p["opens_at"])
            )
        return _("This has not started yet.")
    if p.get("opens_at"):
        return _("This poll is not open yet. It opens on {date}.").format(date=_date(p["opens_at"]))
    return _("This poll is not open yet.")


def _too_many_choices(p: Params) -> str:
    n = int(p.get("max_choices", 1))  # type: ignore[call-overload]
    return ngettext(
        "You can choose at most {n} option. Remove one before choosing another.",
        "You can choose at most {n} options. Remove one before choosing another.",
        n,
    ).format(n=n)


def _results_hidden(p: Params) -> str:
    if p.get("closes_at"):
        return _("Results will be shown after the poll closes on {date}.").format(
            date=_date(p["closes_at"])
        )
    return _("Results will be shown after the poll closes.")


def _vote_limit(p: Params) -> str:
    n = int(p.get("limit", 1))  # type: ignore[call-overload]
    return ngettext(
        "You have used your {n} vote. Take it back from another entry to vote here.",
        "You have used all {n} votes. Take one back from another entry to vote here.",
        n,
    ).format(n=n)


def _gone(p: Params) -> str:
    return _("This item is no longer available.")


def _idea_gone(p: Params) -> str:
    return _("This idea or comment is no longer available.")


def _use_buttons(p: Params) -> str:
    return _("Please answer with the buttons, or type text where the question asks.")


def _own(error_type: type[SpilnoError]) -> tuple[type[SpilnoError], str]:
    """The key of an error raised without a reason (its reason is its code)."""
    return (error_type, error_type.code)


# Reasons only officials meet (CLI commands, settings, files): the resident gets the apology.
_OFFICIALS_ONLY = [
    "audience_bad_id",
    "audience_missing_argument",
    "audience_no_citizens",
    "audience_too_many_citizens",
    "audience_unexpected_argument",
    "audience_unknown_district",
    "audience_unknown_event",
    "audience_unknown_kind",
    "audience_unknown_org",
    "audience_unknown_participants",
    "audience_unknown_topic",
    "bad_digest_hour",
    "bad_max_choices",
    "bad_quiet_hours",
    "bad_reminder",
    "bad_reminders",
    "bad_slug",
    "bad_threshold",
    "closes_before_opens",
    "closes_in_past",
    "description_empty",
    "description_too_long",
    "duplicate_key",
    "duplicate_options",
    "ends_before_starts",
    "image_too_big",
    "location_incomplete",
    "location_out_of_range",
    "naive_datetime",
    "no_questions",
    "option_empty",
    "option_too_long",
    "phases_out_of_order",
    "question_empty",
    "question_too_long",
    "reminder_too_early",
    "reminders_need_closing",
    "skip_on_text",
    "skip_unknown_answer",
    "skip_unknown_question",
    "slug_taken",
    "starts_in_past",
    "text_empty",
    "text_has_link",
    "text_no_words",
    "text_too_long",
    "title_empty",
    "title_too_long",
    "too_few_options",
    "too_many_options",
    "too_many_questions",
    "too_many_reminders",
    "unknown_district",
    "unknown_role",
    "unknown_subscription",
    "unknown_topic",
    "unsupported_locale",
]

TEXTS: dict[tuple[type[SpilnoError], str], Text] = {
    _own(CampaignClosedError): _closed,
    _own(CampaignNotOpenError): _not_open,
    _own(TooManyChoicesError): _too_many_choices,
    _own(ResultsHiddenError): _results_hidden,
    _own(CampaignNotFoundError): _gone,
    _own(UnknownOptionError): _gone,
    _own(IdeaNotFoundError): _idea_gone,
    _own(CommentNotFoundError): _idea_gone,
    _own(IdeaNotPublicError): lambda p: _(
        "This idea is not published right now, so it cannot be supported or discussed."
    ),
    _own(IdeaCallNotOpenError): lambda p: _("This idea call is not accepting ideas right now."),
    _own(AlreadySubmittedError): lambda p: _(
        "You have already submitted your answers to this consultation. Thank you!"
    ),
    (WrongPhaseError, "submissions_closed"): lambda p: _(
        "Entries are no longer accepted. Voting starts on {date}."
    ).format(date=_date(p["voting_opens_at"])),
    (WrongPhaseError, "voting_not_open"): lambda p: _(
        "Voting has not started yet. It starts on {date}."
    ).format(date=_date(p["voting_opens_at"])),
    _own(VoteLimitError): _vote_limit,
    _own(OwnEntryError): lambda p: _("You cannot vote for your own entry."),
    _own(EntryLimitError): lambda p: _(
        "You have already submitted as many entries as this contest allows."
    ),
    _own(EntryNotFoundError): lambda p: _("This entry is no longer available."),
    (ValidationError, "answer_required"): lambda p: _("Please answer this question first."),
    (ValidationError, "answer_too_long"): lambda p: _(
        "Your answer is too long: {length} characters, at most {max}."
    ).format(length=p.get("length"), max=p.get("max")),
    (ValidationError, "answer_empty"): _use_buttons,
    (ValidationError, "buttons_expected"): _use_buttons,
    (ValidationError, "entry_not_approved"): lambda p: _("This entry is not in the vote."),
    _own(OrganizationNotFoundError): lambda p: _("This organization is no longer available."),
    _own(EventNotFoundError): lambda p: _("This event is no longer available."),
    (EventCancelledError, "event_cancelled"): lambda p: _(
        "This event has been cancelled, so answers are closed."
    ),
    (EventCancelledError, "already_cancelled"): lambda p: _(
        "This event has been cancelled, so answers are closed."
    ),
    (ValidationError, "event_over"): lambda p: _("This event is already over."),
    # Only officials meet these; in a chat they get the apology.
    _own(BroadcastNotFoundError): _sorry,
    _own(InvalidTransitionError): _sorry,
    **{
        (InvalidTransitionError, reason): _sorry
        for reason in (
            "closes_in_past",
            "entry_status",
            "idea_status",
            "not_deletable",
            "not_editable",
            "not_hidden",
        )
    },
    **{
        (PermissionDeniedError, reason): _sorry
        for reason in ("not_an_official", "other_organization", "role_lacks_permission")
    },
    **{(ValidationError, reason): _sorry for reason in _OFFICIALS_ONLY},
}
