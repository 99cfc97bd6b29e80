"""What is wrong with a resident's typed text, in plain words: one explanation for every kind
whose drafts go through `core.kernel.texts.clean_text` (ideas, petitions)."""

from __future__ import annotations

from collections.abc import Mapping

from core.kernel.errors import ValidationError
from core.kernel.i18n import _


def text_problem(
    error: ValidationError,
    names: Mapping[str, str],
    *,
    links: str,
    others: Mapping[str, str] | None = None,
) -> str:
    """`names` names the draft's fields ("The title"); `links` answers a link where the field
    takes none; `others` answers the kind's own reasons (a district, say)."""
    name = names.get(str(error.params.get("field")), _("The text"))
    match error.reason:
        case "text_empty":
            return _("{what} is empty. Please write a few words.").format(what=name)
        case "text_too_long":
            return _(
                "{what} is too long: {length} characters, and the limit is {max}. "
                "Please make it shorter."
            ).format(what=name, length=error.params.get("length"), max=error.params.get("max"))
        case "text_no_words":
            return _("{what} has only emoji or symbols. Please use words.").format(what=name)
        case "text_has_link":
            return links
        case "unknown_topic":
            return _("Please choose a topic from the list.")
    return (others or {}).get(error.reason, _("Sorry, that did not work. Please try again."))
