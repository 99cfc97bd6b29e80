"""Polite words for consultation and contest errors (bot/dialogs/errors.py asks here first)."""

from __future__ import annotations

from core.kernel.errors import (
    AlreadySubmittedError,
    CampaignClosedError,
    CampaignNotOpenError,
    EntryLimitError,
    EntryNotFoundError,
    OwnEntryError,
    SpilnoError,
    ValidationError,
    VoteLimitError,
    WrongPhaseError,
)
from core.kernel.i18n import _, format_datetime, ngettext


def kind_error_text(error: SpilnoError) -> str | None:
    p = error.params
    kind = p.get("kind")
    match error:
        case CampaignClosedError() if kind == "consultation":
            return _("This consultation is closed; answers are no longer accepted.")
        case CampaignClosedError() if kind == "contest":
            return _("This contest is over.")
        case CampaignNotOpenError() if kind in ("consultation", "contest") and p.get("opens_at"):
            return _("This has not started yet. It opens on {date}.").format(
                date=format_datetime(p["opens_at"])  # type: ignore[arg-type]
            )
        case CampaignNotOpenError() if kind in ("consultation", "contest"):
            return _("This has not started yet.")
        case AlreadySubmittedError():
            return _("You have already submitted your answers to this consultation. Thank you!")
        case WrongPhaseError() if error.reason == "submissions_closed":
            return _("Entries are no longer accepted. Voting starts on {date}.").format(
                date=format_datetime(p["voting_opens_at"])  # type: ignore[arg-type]
            )
        case WrongPhaseError():
            return _("Voting has not started yet. It starts on {date}.").format(
                date=format_datetime(p["voting_opens_at"])  # type: ignore[arg-type]
            )
        case VoteLimitError():
            n = int(p.get("limit", 1))  # type: ignore[call-overload]
            return ngettext(
                "You have used your {n} vote. Take it back from another entry to vote here.",
                "You have used all {n} votes. Take one back from another entry to vote here.",
                n,
            ).format(n=n)
        case OwnEntryError():
            return _("You cannot vote for your own entry.")
        case EntryLimitError():
            return _("You have already submitted as many entries as this contest allows.")
        case EntryNotFoundError():
            return _("This entry is no longer available.")
        case ValidationError() if error.reason == "answer_required":
            return _("Please answer this question first.")
        case ValidationError() if error.reason == "answer_too_long":
            return _("Your answer is too long: {length} characters, at most {max}.").format(
                length=p.get("length"), max=p.get("max")
            )
        case ValidationError() if error.reason in ("answer_empty", "buttons_expected"):
            return _("Please answer with the buttons, or type text where the question asks.")
        case ValidationError() if error.reason == "entry_not_approved":
            return _("This entry is not in the vote.")
    return None
