"""Typed domain errors: a stable `code`, a machine `reason` and params — never prose for people.

The words live in one table per audience, keyed by (error type, reason): bot/dialogs/errors.py
for residents, admin_cli/errors.py for officials. tests/unit/test_error_texts.py finds every
error type × reason raised in core and fails when either table has no text for it.
"""

from __future__ import annotations


class SettingsError(Exception):
    """Settings are invalid; the message is one readable line naming the setting."""


class SpilnoError(Exception):
    code = "error"

    def __init__(self, reason: str = "", **params: object) -> None:
        # `reason` is a stable machine code (e.g. "question_empty"), never prose for people.
        super().__init__(f"{self.code}: {reason}" if reason else self.code)
        self.reason = reason or self.code
        self.params = params


class NotFoundError(SpilnoError):
    code = "not_found"


class CampaignNotFoundError(NotFoundError):
    code = "campaign_not_found"


class InvalidTransitionError(SpilnoError):
    code = "invalid_transition"


class ValidationError(SpilnoError):
    code = "invalid"


class CampaignNotOpenError(SpilnoError):
    """Voting was attempted before the campaign opened."""

    code = "campaign_not_open_yet"


class CampaignClosedError(SpilnoError):
    code = "campaign_closed"


class TooManyChoicesError(SpilnoError):
    code = "too_many_choices"


class UnknownOptionError(SpilnoError):
    code = "unknown_option"


class ResultsHiddenError(SpilnoError):
    code = "results_hidden"


class CampaignFileError(ValidationError):
    """A consultation or contest file is wrong: `line`, `field` and `problem` say where and why."""

    code = "bad_campaign_file"


class AlreadySubmittedError(SpilnoError):
    code = "already_submitted"


class WrongPhaseError(SpilnoError):
    """A contest action outside its phase (an entry during voting, a vote during submissions)."""

    code = "wrong_phase"


class VoteLimitError(SpilnoError):
    code = "vote_limit"


class OwnEntryError(SpilnoError):
    code = "own_entry"


class EntryLimitError(SpilnoError):
    code = "entry_limit"


class EntryNotFoundError(NotFoundError):
    code = "entry_not_found"


class IdeaNotFoundError(NotFoundError):
    code = "idea_not_found"


class IdeaNotPublicError(SpilnoError):
    """Supporting, commenting on or reporting an idea that is pending, rejected or hidden."""

    code = "idea_not_public"


class IdeaCallNotOpenError(SpilnoError):
    code = "idea_call_not_open"


class CommentNotFoundError(NotFoundError):
    code = "comment_not_found"


class NotEligibleError(SpilnoError):
    """The campaign admits only some residents (verified, living in certain districts).

    Reasons: `not_verified`, `no_district` (home district not set), `wrong_district`; params
    `campaign_id`, `kind`, `verified` (the rule asks for it) and `districts` (codes, or empty).
    """

    code = "not_eligible"


class DistrictChangeTooSoonError(SpilnoError):
    """A home district changes at most once in 30 days; `next_change_at` says when it may."""

    code = "district_change_too_soon"
