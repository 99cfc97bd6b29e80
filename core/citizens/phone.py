"""Phone numbers as residents share them: normalised to E.164, then only hashed and masked.

The raw number never leaves this module's callers' stack: core stores its keyed hash (to find
the same person in another messenger) and a masked form for display (`+380 •• ••• •• 67`).
"""

from __future__ import annotations

import phonenumbers

from core.kernel.errors import ValidationError

DEFAULT_REGION = "UA"
HASH_PURPOSE = "phone"
_BULLET = "•"
_RAW_MAX = 32


def normalize(raw: str, region: str = DEFAULT_REGION) -> str:
    """The number in E.164 (`+380501234567`), or ValidationError("phone_invalid").

    Telegram sends international numbers without the `+` (`380501234567`): digits long enough
    to be international are tried that way first, then as a number of `region`.
    """
    text = raw.strip()
    if not text or len(text) > _RAW_MAX:
        raise ValidationError("phone_invalid")
    candidates = [text]
    if text.isascii() and text.isdigit() and len(text) >= 11:
        candidates.insert(0, "+" + text)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # The reason carries no digits: error texts and logs must never show the number.
    raise ValidationError("phone_invalid")


def mask(e164: str) -> str:
    """`+380501234567` → `+380 •• ••• •• 67`: the country and the last two digits only."""
    number = phonenumbers.parse(e164, None)
    national = phonenumbers.national_significant_number(number)
    hidden = _BULLET * (len(national) - 2)
    groups = _groups(hidden, (2, 3)) if len(national) == 9 else _groups(hidden, (3, 3))
    return f"+{number.country_code} {' '.join(groups)} {national[-2:]}".replace("  ", " ")


def _groups(text: str, leading: tuple[int, ...]) -> list[str]:
    """Cut `text` into the leading group sizes, then pairs (how numbers are read aloud)."""
    out: list[str] = []
    rest = text
    for size in leading:
        if len(rest) <= 2:
            break
        out.append(rest[:size])
        rest = rest[size:]
    while rest:
        out.append(rest[:2])
        rest = rest[2:]
    return out
