"""Every user-facing string has a translation in every shipped locale."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core.kernel import i18n

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("uk", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def source_msgids(packages=("core", "bot", "admin_cli")) -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for package in packages:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


def catalog(locale: str):
    with (i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_msgid_in_the_code_is_translated(locale):
    translations = {}
    for message in catalog(locale):
        if message.id:
            key = message.id if isinstance(message.id, str) else tuple(message.id[:2])
            translations[key] = message.string
    missing = []
    for msgid in sorted(source_msgids(), key=str):
        value = translations.get(msgid)
        if not value or (isinstance(value, tuple) and not all(value)):
            missing.append(msgid)
    assert not missing, f"untranslated in {locale} (run python locales/sync.py): {missing}"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale):
    import re

    for message in catalog(locale):
        if not message.id or not message.string:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set(re.findall(r"\{\w+[^}]*\}", ids[0]))
        for string in strings:
            assert set(re.findall(r"\{\w+[^}]*\}", string)) == expected, (message.id, string)


def test_ukrainian_plurals_have_three_forms():
    with i18n.use_locale("uk"):
        forms = [i18n.ngettext("{n} vote", "{n} votes", n).format(n=n) for n in (1, 3, 5, 21)]
    assert forms == ["1 голос", "3 голоси", "5 голосів", "21 голос"]


def test_dates_are_shown_in_the_city_timezone_and_language():
    moment = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 09:00 in Kyiv (UTC+2 in winter)
    with i18n.use_locale("uk"):
        assert i18n.format_datetime(moment) == "1 грудня 2026, 09:00"
    with i18n.use_locale("en"):
        assert i18n.format_datetime(moment) == "1 December 2026, 09:00"


def test_an_unknown_locale_falls_back_to_ukrainian():
    with i18n.use_locale("de"):
        assert i18n.current_locale() == "uk"


@pytest.mark.parametrize(
    ("locale", "one_day", "two_days"),
    [
        (
            "en",
            "Saturday, 28 November 2026, 18:00–20:00",
            "Saturday, 28 November 2026, 18:00 – 29 November 2026, 10:00",
        ),
        (
            "uk",
            "субота, 28 листопада 2026, 18:00–20:00",
            "субота, 28 листопада 2026, 18:00 – 29 листопада 2026, 10:00",
        ),
    ],
)
def test_event_dates_are_written_like_every_other_date(locale, one_day, two_days):
    from core.organizations.messages import event_when
    from core.organizations.model import Event

    starts = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)  # 18:00 in Kyiv
    event = Event(1, 1, "Толока", starts, "Парк", ends_at=datetime(2026, 11, 28, 18, tzinfo=UTC))
    longer = Event(1, 1, "Толока", starts, "Парк", ends_at=datetime(2026, 11, 29, 8, tzinfo=UTC))
    with i18n.use_locale(locale):
        assert event_when(event) == one_day
        assert event_when(longer) == two_days
        assert i18n.format_datetime(starts) in one_day  # one style on every screen


# «…» around words: Ukrainian quotes. English chat text uses “…”; a lone « or » is an arrow.
UKRAINIAN_QUOTES = re.compile(r"«[^«»\s][^«»]*?»")


def test_english_chat_text_uses_english_quotes_and_ukrainian_keeps_its_own():
    chat = [m for m in source_msgids(("bot", "core")) for m in ([m] if isinstance(m, str) else m)]
    assert [m for m in chat if UKRAINIAN_QUOTES.search(m)] == []
    uk = {m.id: m.string for m in catalog("uk") if isinstance(m.id, str)}
    quoted = [m for m in chat if "“" in m and m in uk]
    assert quoted and all("“" not in uk[m] for m in quoted)
