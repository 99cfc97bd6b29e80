"""Domain error codes → a polite sentence in the resident's language."""

from __future__ import annotations

from bot.dialogs.campaign_kind_errors import kind_error_text
from bot.dialogs.engine import Turn
from bot.dialogs.org_errors import org_error_text
from bot.dialogs.refusals import refusal
from bot.ui import Reply
from core.kernel.errors import (
    CampaignClosedError,
    CampaignNotFoundError,
    CampaignNotOpenError,
    CommentNotFoundError,
    IdeaCallNotOpenError,
    IdeaNotFoundError,
    IdeaNotPublicError,
    ResultsHiddenError,
    SpilnoError,
    TooManyChoicesError,
    UnknownOptionError,
)
from core.kernel.i18n import _, format_datetime, ngettext


def explain(error: SpilnoError, turn: Turn) -> Reply:
    """The reason, with the way back to the screen the resident was on (never a dead end)."""
    return refusal(error_text(error), turn, error)


def error_text(error: SpilnoError) -> str:
    if (kind_text := kind_error_text(error)) is not None:
        return kind_text
    if (org_text := org_error_text(error)) is not None:
        return org_text
    params = error.params
    match error:
        case CampaignClosedError():
            return _("This poll is closed; voting has ended. You can still see its results.")
        case CampaignNotOpenError() if params.get("opens_at"):
            return _("This poll is not open yet. It opens on {date}.").format(
                date=format_datetime(params["opens_at"])  # type: ignore[arg-type]
            )
        case CampaignNotOpenError():
            return _("This poll is not open yet.")
        case TooManyChoicesError():
            n = int(params.get("max_choices", 1))  # type: ignore[call-overload]
            return ngettext(
                "You can choose at most {n} option. Remove one before choosing another.",
                "You can choose at most {n} options. Remove one before choosing another.",
                n,
            ).format(n=n)
        case ResultsHiddenError() if params.get("closes_at"):
            return _("Results will be shown after the poll closes on {date}.").format(
                date=format_datetime(params["closes_at"])  # type: ignore[arg-type]
            )
        case ResultsHiddenError():
            return _("Results will be shown after the poll closes.")
        case IdeaNotFoundError() | CommentNotFoundError():
            return _("This idea or comment is no longer available.")
        case IdeaNotPublicError():
            return _(
                "This idea is not published right now, so it cannot be supported or discussed."
            )
        case IdeaCallNotOpenError():
            return _("This idea call is not accepting ideas right now.")
        case CampaignNotFoundError() | UnknownOptionError():
            return _("This item is no longer available.")
        case _:
            return _("Sorry, that did not work. Please try again.")
