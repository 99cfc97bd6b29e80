"""Babel gettext with the locale in a ContextVar; dates in the city's time zone.

Catalogs are compiled from `core/locales/<lang>/LC_MESSAGES/messages.po` in memory on first
use, so neither a checkout nor an install needs a separate compile step. They ship inside the
`core` package and are found through importlib.resources, so a wheel or `pip install .` speaks
Ukrainian as well as an editable checkout does.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as _babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

from core.citizens.model import SUPPORTED_LOCALES

LOCALES_DIR: Traversable = files("core") / "locales"
DOMAIN = "messages"
DEFAULT_LOCALE = "uk"

_locale: ContextVar[str] = ContextVar("spilno_locale", default=DEFAULT_LOCALE)
# One city per deployment: the time zone is process-wide configuration, not per request.
_city_timezone = ZoneInfo("Europe/Kyiv")
# A hromada's own time zone (its profile), for the task serving it; None = the process-wide one.
_hromada_timezone: ContextVar[ZoneInfo | None] = ContextVar("spilno_hromada_tz", default=None)


@cache
def translations(locale: str) -> NullTranslations:
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.is_file():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def current_locale() -> str:
    return _locale.get()


def set_locale(locale: str) -> None:
    _locale.set(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _locale.set(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _locale.reset(token)


def set_timezone(tz: ZoneInfo) -> None:
    global _city_timezone
    _city_timezone = tz


def use_hromada_timezone(name: str | None) -> None:
    """Set by the unit of work from the hromada's profile (validated there)."""
    _hromada_timezone.set(None if name is None else _zone(name))


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def current_timezone() -> ZoneInfo:
    return _hromada_timezone.get() or _city_timezone


def gettext(message: str) -> str:
    return translations(_locale.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_locale.get()).ungettext(singular, plural, n)


_ = gettext


def format_datetime(value: datetime) -> str:
    """A moment as residents read it: in the city's time zone and the current language."""
    return _babel_format_datetime(
        value, "d MMMM y, HH:mm", tzinfo=current_timezone(), locale=Locale.parse(_locale.get())
    )


def format_number(value: float) -> str:
    return format_decimal(value, locale=Locale.parse(_locale.get()))


def format_money(hryvnias: int) -> str:
    """Whole hryvnias as residents read them: "1 240 000 ₴" in Ukrainian, "1,240,000 UAH"."""
    return format_currency(
        hryvnias,
        "UAH",
        format="#,##0\u00a0¤",
        locale=Locale.parse(_locale.get()),
        currency_digits=False,
    )
