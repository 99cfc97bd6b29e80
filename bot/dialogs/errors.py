"""Every domain error a resident can meet → a polite sentence in their language: ONE table.

Keyed by (error type, reason); core raises codes, never prose. A feature's own errors get their
texts in its dialog module (`Feature.error_texts`), composed here from bot/dialogs/features.py,
and a campaign kind words the shared refusals its own way (`Feature.kind_texts`).
`tests/unit/test_error_texts.py` walks every error type × reason core can raise and fails when
one has no text here.
"""

from __future__ import annotations

from bot.dialogs import eligibility
from bot.dialogs.feature import ErrorKey, Params, Text, not_started, own
from bot.dialogs.features import FEATURES
from bot.dialogs.refusals import refusal
from bot.dialogs.turn import Turn
from bot.ui import Reply
from core.campaigns.eligibility import Ineligible
from core.citizens.forget import ResidentNotFoundError
from core.delivery.broadcasts import BroadcastNotFoundError
from core.hromadas.service import HromadaProfileError
from core.kernel.errors import (
    CampaignClosedError,
    CampaignNotFoundError,
    CampaignNotOpenError,
    DistrictChangeTooSoonError,
    InvalidTransitionError,
    NotEligibleError,
    ResultsHiddenError,
    SpilnoError,
    ValidationError,
)
from core.kernel.i18n import _, format_datetime
from core.officials.model import PermissionDeniedError


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


def _kind_text(error_type: type[SpilnoError], p: Params) -> str | None:
    """The shared campaign refusal in the words of the kind it names, if that kind has some."""
    kind = p.get("kind")
    for feature in FEATURES:
        if kind is not None and feature.kind == kind and error_type in feature.kind_texts:
            return feature.kind_texts[error_type](p)
    return None


def _closed(p: Params) -> str:
    # Raised without a kind by the campaign template, whose residents meet it on polls.
    own_words = _kind_text(CampaignClosedError, p)
    return own_words or _("This poll is closed; voting has ended. You can still see its results.")


def _not_open(p: Params) -> str:
    if (own_words := _kind_text(CampaignNotOpenError, p)) is not None:
        return own_words
    if p.get("kind") is not None:
        return not_started(p)
    if p.get("opens_at"):
        return _("This poll is not open yet. It opens on {date}.").format(date=_date(p["opens_at"]))
    return _("This poll is not open yet.")


def _results_hidden(p: Params) -> str:
    if p.get("closes_at"):
        return _("Results will be shown after the poll closes on {date}.").format(
            date=_date(p["closes_at"])
        )
    return _("Results will be shown after the poll closes.")


def _gone(p: Params) -> str:
    return _("This item is no longer available.")


# Reasons only officials meet (CLI commands, settings, files): the resident gets the apology.
_OFFICIALS_ONLY = [
    "bad_hromada_slug",
    "operator_outside_installation",
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
    "bad_channel",
    "eligible_no_districts",
    "eligible_unknown",
    "eligible_unknown_district",
    "bad_digest_hour",
    "bad_identity",
    "bad_quiet_hours",
    "bad_reminder",
    "bad_reminders",
    "bad_slug",
    "closes_before_opens",
    "closes_in_past",
    "description_empty",
    "description_too_long",
    "ends_before_starts",
    "image_too_big",
    "location_incomplete",
    "location_out_of_range",
    "naive_datetime",
    "reminder_too_early",
    "reminders_need_closing",
    "resident_not_found",
    "slug_taken",
    "starts_in_past",
    "text_empty",
    "text_has_link",
    "text_no_words",
    "text_too_long",
    "title_empty",
    "title_too_long",
    "too_many_reminders",
    "unknown_district",
    "unknown_role",
    "unknown_subscription",
    "unknown_topic",
    "unsupported_locale",
]

SHARED_TEXTS: dict[ErrorKey, Text] = {
    own(CampaignClosedError): _closed,
    own(CampaignNotOpenError): _not_open,
    own(ResultsHiddenError): _results_hidden,
    own(CampaignNotFoundError): _gone,
    **{
        (NotEligibleError, reason.value): (lambda p, r=reason.value: eligibility.refusal_text(r, p))
        for reason in Ineligible
    },
    own(DistrictChangeTooSoonError): lambda p: _(
        "You changed your home district less than 30 days ago. You can change it from {date}."
    ).format(date=_date(p["next_change_at"])),
    # Only officials meet these; in a chat they get the apology.
    own(BroadcastNotFoundError): _sorry,
    own(ResidentNotFoundError): _sorry,
    (ResidentNotFoundError, "bad_identity"): _sorry,
    own(InvalidTransitionError): _sorry,
    **{
        (InvalidTransitionError, reason): _sorry
        for reason in ("closes_in_past", "not_deletable", "not_editable", "own_lifecycle")
    },
    **{
        (PermissionDeniedError, reason): _sorry
        for reason in (
            "not_an_official",
            "other_organization",
            "role_lacks_permission",
            "not_an_operator",
        )
    },
    **{(ValidationError, reason): _sorry for reason in _OFFICIALS_ONLY},
    **{(HromadaProfileError, reason): _sorry for reason in ("hromada_exists", "profile_changed")},
}


def _with_features(shared: dict[ErrorKey, Text]) -> dict[ErrorKey, Text]:
    """The shared texts and every feature's own; a key claimed twice would hide one text."""
    texts = dict(shared)
    for feature in FEATURES:
        own_texts = {**feature.error_texts, **dict.fromkeys(feature.officials_only, _sorry)}
        if claimed := texts.keys() & own_texts.keys():
            raise ValueError(f"error texts claimed twice: {claimed}")
        texts.update(own_texts)
    return texts


TEXTS = _with_features(SHARED_TEXTS)
