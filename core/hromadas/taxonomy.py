"""Topics and districts: the lists ideas, campaigns and subscriptions are tagged with.

They come from the current hromada's profile (core/hromadas/current.py), no longer from
constants. Codes are stored; names are the profile's, in the reader's language (uk/en).
Retired ones are hidden from new choices (`is_*`, the lists) and still named for the records
that carry them (`*_name`).
"""

from __future__ import annotations

from core.hromadas.current import current_profile
from core.hromadas.model import WHOLE_HROMADA, District, Topic
from core.kernel.i18n import current_locale


def N_(message: str) -> str:
    """Mark a message for extraction without translating it (gettext convention)."""
    return message


# The tag campaigns and ideas use for "everywhere"; nobody's home is everywhere.
WHOLE_CITY = WHOLE_HROMADA


def topics(*, retired: bool = False) -> tuple[Topic, ...]:
    profile = current_profile()
    return profile.topics if retired else profile.active_topics()


def districts(*, retired: bool = False) -> tuple[District, ...]:
    """Every district including the whole-hromada tag, in the profile's order."""
    profile = current_profile()
    return profile.districts if retired else profile.active_districts()


def home_districts(*, retired: bool = False) -> tuple[District, ...]:
    """Where a resident can live: every district but the whole-hromada tag."""
    return current_profile().home_districts(retired=retired)


def topic_codes() -> list[str]:
    return [t.code for t in topics()]


def district_codes() -> list[str]:
    return [d.code for d in districts()]


def home_district_codes(*, retired: bool = False) -> list[str]:
    return [d.code for d in home_districts(retired=retired)]


def topic_name(code: str) -> str:
    """The topic's name in the current language; an unknown code as it is."""
    found = current_profile().topic(code)
    return code if found is None else found.names.get(current_locale())


def district_name(code: str) -> str:
    found = current_profile().district(code)
    return code if found is None else found.names.get(current_locale())


def is_topic(code: str) -> bool:
    """A topic new records may take (known and not retired)."""
    found = current_profile().topic(code)
    return found is not None and not found.retired


def is_district(code: str) -> bool:
    found = current_profile().district(code)
    return found is not None and not found.retired


def is_home_district(code: str) -> bool:
    return code != WHOLE_CITY and is_district(code)


def is_known_topic(code: str) -> bool:
    """Known, retired or not: for reading what records already store."""
    return current_profile().topic(code) is not None


def is_known_district(code: str) -> bool:
    """Known, retired or not: for reading what records already store."""
    return current_profile().district(code) is not None
