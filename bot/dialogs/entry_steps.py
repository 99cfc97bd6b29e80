"""The steps of a resident's entry into a campaign (a contest's solution, a budget's project):
typed title and description checked before the next step, then a photo or "Skip".

The kind keeps its own step order and wording of each prompt; these are the pieces they share.
"""

from __future__ import annotations

from bot.dialogs.feature import Row
from bot.ui import Button, Reply
from core.kernel.i18n import _


def ask(text: str, *, cancel: str, skip: str | None = None, extra: tuple[Row, ...] = ()) -> Reply:
    """A step's prompt: the kind's own rows, then "Skip: no photo" (on the photo step), then
    "Cancel"; `cancel` and `skip` are the packed actions."""
    rows: list[Row] = list(extra)
    if skip is not None:
        rows.append((Button(_("Skip: no photo"), skip),))
    rows.append((Button(_("✖️ Cancel"), cancel),))
    return Reply(text, buttons=tuple(rows))


def no_photo() -> str:
    """The photo step got something else."""
    return _("Please send a photo, or press “Skip: no photo”.")


def length_refusal(text: str, max_len: int, refusal: str) -> str | None:
    """None when `text` (stripped) has 1 to `max_len` characters; else `refusal`, a translated
    text with {n} (the limit) and {length} (what was sent)."""
    if text and len(text) <= max_len:
        return None
    return refusal.format(n=max_len, length=len(text))


def description_refusal(text: str, max_len: int) -> str | None:
    return length_refusal(
        text,
        max_len,
        _(
            "The description must be 1 to {n} characters long; yours has "
            "{length}. Please send it again."
        ),
    )
