"""Citizens (one person) and the platform identities they own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

SUPPORTED_LOCALES = ("uk", "en")
# A home district changes at most this often: residence decides eligibility, so it must not
# flip per vote.
DISTRICT_CHANGE_INTERVAL = timedelta(days=30)
# Residents whose platform language is close to Ukrainian start in Ukrainian.
_UKRAINIAN_FIRST = frozenset({"uk", "ru", "be"})


@dataclass(frozen=True, slots=True)
class IdentityRef:
    """`platform:external_id`, e.g. `telegram:12345`, `viber:abc=`, `console:olena`."""

    platform: str
    external_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"

    @classmethod
    def parse(cls, value: str) -> IdentityRef:
        platform, sep, external_id = value.partition(":")
        if not sep or not platform or not external_id:
            raise ValueError(f"identity must look like platform:id, got {value!r}")
        return cls(platform, external_id)


class NotificationMode(StrEnum):
    INSTANT = "instant"
    DIGEST = "digest"  # bulk pushes wait for one daily message at SPILNO_DIGEST_HOUR
    OFF = "off"


@dataclass(slots=True)
class Citizen:
    id: int
    locale: str | None  # None until the resident chooses a language
    dialog_state: dict[str, Any] = field(default_factory=dict)
    notifications: NotificationMode = NotificationMode.INSTANT
    # Written only by their own services (verification, district), never by `save`.
    verified_at: datetime | None = None
    home_district: str | None = None
    home_district_set_at: datetime | None = None

    @property
    def verified(self) -> bool:
        """Verified by phone: the resident shared their own number."""
        return self.verified_at is not None

    @property
    def district_changeable_at(self) -> datetime | None:
        """When the home district may change again; None: now (never set)."""
        if self.home_district is None or self.home_district_set_at is None:
            return None
        return self.home_district_set_at + DISTRICT_CHANGE_INTERVAL

    def can_change_district(self, now: datetime) -> bool:
        moment = self.district_changeable_at
        return moment is None or now >= moment

    def effective_locale(self, fallback: str) -> str:
        return self.locale or fallback


def initial_locale(language_hint: str | None, default: str) -> str:
    """Pick the first language for a resident from the platform's hint (before they choose)."""
    if not language_hint:
        return default
    primary = language_hint.split("-")[0].lower()
    if primary in _UKRAINIAN_FIRST:
        return "uk"
    if primary in SUPPORTED_LOCALES:
        return primary
    return "en"
