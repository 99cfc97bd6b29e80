"""What residents type for the city to read (an idea, a petition, a comment, an answer):
trimmed, within its limit, made of words, and without links where links are not wanted.

Shared by ideas and petitions; the error reasons are the ones both chat and CLI explain.
"""

from __future__ import annotations

import re

from core.kernel.errors import ValidationError

_LINK = re.compile(
    r"(https?://|www\.|t\.me/|viber://|\b[\w-]+\.(com|ua|org|net|ru|me|io|info|gov|biz|ly)\b)",
    re.IGNORECASE,
)


def clean_text(
    value: str, *, field: str, max_len: int, links_allowed: bool = False, required: bool = True
) -> str:
    """Return the trimmed text or raise ValidationError(reason, field=…, max=…)."""
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError("text_empty", field=field)
        return ""
    if len(text) > max_len:
        raise ValidationError("text_too_long", field=field, max=max_len, length=len(text))
    # Emoji, stickers-as-text and punctuation alone say nothing a moderator could publish.
    if not any(ch.isalnum() for ch in text):
        raise ValidationError("text_no_words", field=field)
    if not links_allowed and _LINK.search(text):
        raise ValidationError("text_has_link", field=field)
    return text
