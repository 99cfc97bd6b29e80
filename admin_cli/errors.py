"""Domain error codes → one line for an official, in the configured language."""

from __future__ import annotations

from admin_cli import words
from admin_cli.delivery_errors import delivery_error_text
from admin_cli.org_errors import org_error_text
from core.kernel.errors import (
    CampaignClosedError,
    CampaignNotFoundError,
    CampaignNotOpenError,
    CommentNotFoundError,
    EntryNotFoundError,
    IdeaCallNotOpenError,
    IdeaNotFoundError,
    InvalidTransitionError,
    SpilnoError,
    ValidationError,
)
from core.kernel.i18n import _, ngettext


def error_text(error: SpilnoError) -> str:
    if (org_text := org_error_text(error)) is not None:
        return org_text
    if (delivery_text := delivery_error_text(error)) is not None:
        return delivery_text
    p = error.params
    match error:
        case IdeaNotFoundError():
            return _("there is no idea {ref}").format(ref=p.get("idea"))
        case CommentNotFoundError():
            return _("there is no comment {ref}").format(ref=p.get("comment"))
        case IdeaCallNotOpenError():
            return _("idea call {id} is not open").format(id=p.get("call_id"))
        case InvalidTransitionError() if error.reason == "not_hidden":
            return _("{ref} is not hidden").format(ref=p.get("item"))
        case InvalidTransitionError() if p.get("idea"):
            return _("idea {code} is {status}; it cannot become {target}").format(
                code=p.get("idea"),
                status=words.idea_status(p.get("status")),
                target=words.idea_state(p.get("target")),
            )
        case EntryNotFoundError():
            return _("there is no contest entry with id {id}").format(id=p.get("entry_id"))
        case InvalidTransitionError() if error.reason == "entry_status":
            return _("entry {id} is {status}; it cannot become {target}").format(
                id=p.get("entry_id"),
                status=words.entry_status(p.get("status")),
                target=words.entry_status(p.get("target")),
            )
        case CampaignNotFoundError():
            return _("there is no campaign with id {id}").format(id=p.get("campaign_id"))
        case InvalidTransitionError() if error.reason == "closes_in_past":
            return _(
                "campaign {id} cannot open: its closing time has already passed. Give it a new "
                "one with: spilno-admin campaign edit {id} --closes … (or delete the draft: "
                "spilno-admin campaign delete {id})"
            ).format(id=p.get("campaign_id"))
        case InvalidTransitionError() if error.reason == "not_editable":
            return _(
                "campaign {id} is {status}; only drafts and scheduled campaigns can be edited"
            ).format(id=p.get("campaign_id"), status=words.status(p.get("status")))
        case InvalidTransitionError() if error.reason == "not_deletable":
            return _(
                "campaign {id} is {status}; only drafts can be deleted (close it instead)"
            ).format(id=p.get("campaign_id"), status=words.status(p.get("status")))
        case InvalidTransitionError():
            return _("campaign {id} is {status}; it cannot become {target}").format(
                id=p.get("campaign_id"),
                status=words.status(p.get("status")),
                target=words.status(p.get("target")),
            )
        case ValidationError():
            return validation_text(error)
        case CampaignClosedError():
            return _("the campaign is closed")
        case CampaignNotOpenError():
            return _("the campaign is not open yet")
        case _:
            return _("the operation failed ({code})").format(code=error.code)


def validation_text(error: ValidationError) -> str:
    p = error.params
    match error.reason:
        case "question_empty":
            return _("--question is empty")
        case "question_too_long":
            return _("--question is longer than {max} characters").format(max=p["max"])
        case "too_few_options":
            n = int(p["min"])  # type: ignore[call-overload]
            return ngettext(
                "a poll needs at least {n} --option", "a poll needs at least {n} --option values", n
            ).format(n=n)
        case "too_many_options":
            return _("a poll can have at most {max} options").format(max=p["max"])
        case "option_empty":
            return _("an --option is empty")
        case "option_too_long":
            return _("option {option!r} is longer than {max} characters").format(
                option=p["option"], max=p["max"]
            )
        case "duplicate_options":
            return _("two options are the same")
        case "bad_max_choices":
            return _("--multiple must be between 1 and the number of options ({n})").format(
                n=p["options"]
            )
        case "naive_datetime":
            return _("--{field} needs a time zone").format(field=p.get("field"))
        case "closes_before_opens":
            return _("--closes must be later than --opens")
        case "closes_in_past":
            return _("the closing time {date} has already passed; choose a later one").format(
                date=words.when(p.get("closes_at"))
            )
        case "phases_out_of_order":
            return _(
                "the dates must go in order: submissions open < submissions close "
                "≤ voting opens < voting closes"
            )
        case "text_empty":
            return _("--{field} is empty").format(field=p.get("field"))
        case "text_too_long":
            return _("--{field} is longer than {max} characters").format(
                field=p.get("field"), max=p.get("max")
            )
        case "text_no_words":
            return _("--{field} has no words").format(field=p.get("field"))
        case "text_has_link":
            return _("--{field} must not contain links").format(field=p.get("field"))
        case "bad_threshold":
            return _("--threshold must be between 1 and {max}").format(max=p.get("max"))
        case _:
            return _("invalid input ({reason})").format(reason=error.reason)
