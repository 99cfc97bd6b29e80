"""Citizens (one person) and the platform identities they own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from core.kernel.errors import SpilnoError

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


class PhoneProof(StrEnum):
    """How far a shared contact proves the number is the sender's own (the adapter says).

    Telegram names the contact's account (`contact.user_id`): equal to the sender it is OWN,
    proven. Viber's share-phone answer and a contact picked from the address book arrive alike:
    CLAIMED, the sender's word only. Anything else (a forwarded or typed Telegram contact) is
    FOREIGN and never confirms anyone."""

    OWN = "own"
    CLAIMED = "claimed"
    FOREIGN = "foreign"


# Platforms whose contacts are proven (`PhoneProof.OWN`): a number a citizen holds without an
# identity on one of them was, at most, claimed.
PROVING_PLATFORMS = frozenset({"telegram"})


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
    # Shown instead of the number (`+380 •• ••• •• 67`); the number itself is never stored.
    phone_masked: str | None = None

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


class VerificationLevel(StrEnum):
    """How sure Spilno is that a citizen is a real, single person."""

    NONE = "none"
    PHONE = "phone"


def verification_level(citizen: Citizen) -> VerificationLevel:
    return VerificationLevel.PHONE if citizen.verified else VerificationLevel.NONE


@dataclass(frozen=True, slots=True)
class VoidedBallot:
    """A poll ballot set aside by a merge: the same person had voted first from elsewhere."""

    campaign_id: int
    voided_ballot_id: int
    voided_citizen_id: int
    standing_ballot_id: int
    standing_cast_at: datetime


@dataclass(frozen=True, slots=True)
class MergeReport:
    """What a merge did, for the audit log and for telling the resident."""

    survivor_id: int
    merged_id: int
    voided_ballots: tuple[VoidedBallot, ...] = ()
    dropped_rows: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResidentCounts:
    """`spilno-admin residents stats`: every count an official sees, none of them personal."""

    total: int
    by_platform: dict[str, int]
    by_level: dict[str, int]
    linked: int  # citizens with identities on two or more platforms
    by_district: dict[str | None, int]  # None: not set


class LinkingError(SpilnoError):
    """Verifying, linking or unlinking messengers was refused; `reason` says why."""

    code = "linking"
