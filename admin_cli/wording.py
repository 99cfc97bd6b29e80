"""How a value reads in the official's language: the helpers every CLI module shares.

A leaf module, so a kind's CLI module can word its own codes with these while admin_cli/words.py
composes the kinds' tables into the shared ones (kind names, audit actions, push kinds).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from babel import Locale
from babel.numbers import format_decimal

from core.hromadas.taxonomy import N_, district_name, topic_name
from core.kernel.i18n import _, current_locale, format_datetime

NOTHING = "—"
# A resident's verification level, as `campaign results --by verification` groups them.
VERIFICATION: dict[str, str] = {"phone": N_("verified (phone)"), "none": N_("not verified")}


def lookup(table: Mapping[str, str], code: object) -> str:
    """The code's words from `table` (msgids), or the code itself when the table has none."""
    if code is None or code == "":
        return NOTHING
    key = code.value if isinstance(code, StrEnum) else str(code)
    msgid = table.get(key)
    return _(msgid) if msgid else key


def counts(values: Mapping[str, int], table: Mapping[str, str]) -> str:
    """{'pending': 0, 'approved': 3} → "pending approval: 0 · approved: 3", in table order."""
    ordered = [code for code in table if code in values] + [c for c in values if c not in table]
    return " · ".join(f"{lookup(table, code)}: {values[code]}" for code in ordered) or NOTHING


def topic(code: str | None) -> str:
    return topic_name(code) if code else NOTHING


def district(code: str | None) -> str:
    return district_name(code) if code else NOTHING


def home_district(code: str | None) -> str:
    """A resident's home district; "not set" when they have not chosen one."""
    return district(code) if code else _("not set")


def verification(code: str) -> str:
    return lookup(VERIFICATION, code)


def yes_no(value: object) -> str:
    return _("yes") if value else _("no")


def when(value: datetime | str | None) -> str:
    """A moment in the city's time zone, in the official's language; "—" when there is none."""
    if not value:
        return NOTHING
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_datetime(moment)


def number(value: float) -> str:
    return format_decimal(value, locale=Locale.parse(current_locale()))


def percent(value: float) -> str:
    """66.7 → "66.7" in English, "66,7" in Ukrainian: one decimal, the locale's mark."""
    return format_decimal(value, format="0.0", locale=Locale.parse(current_locale()))
