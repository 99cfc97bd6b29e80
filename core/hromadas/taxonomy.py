"""Topics and districts: the lists ideas, campaigns and subscriptions are tagged with.

Codes are stored; names are msgids (marked with N_) that bots and the CLI translate with _().
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(message: str) -> str:
    """Mark a message for extraction without translating it (gettext convention)."""
    return message


TOPICS: Mapping[str, str] = {
    "transport": N_("Transport"),
    "greenery": N_("Parks and greenery"),
    "roads": N_("Roads and sidewalks"),
    "housing": N_("Housing and utilities"),
    "education": N_("Education"),
    "health": N_("Health"),
    "culture": N_("Culture and sport"),
    "safety": N_("Safety"),
    "social": N_("Social support"),
    "other": N_("Other"),
}

DISTRICTS: Mapping[str, str] = {
    "city": N_("Whole city"),
    "center": N_("Center"),
    "zarichchia": N_("Zarichchia"),
    "rotok": N_("Rotok"),
    "hayok": N_("Hayok"),
    "pishchanyi": N_("Pishchanyi"),
}


# Where a resident can live: every district but the whole-city tag (campaigns and ideas use
# "city" for "everywhere"; nobody's home is everywhere).
WHOLE_CITY = "city"
HOME_DISTRICTS: Mapping[str, str] = {
    code: name for code, name in DISTRICTS.items() if code != WHOLE_CITY
}


def is_topic(code: str) -> bool:
    return code in TOPICS


def is_district(code: str) -> bool:
    return code in DISTRICTS


def is_home_district(code: str) -> bool:
    return code in HOME_DISTRICTS
