"""A hromada's profile: its names, districts, topics and the rules it sets for itself.

Plain Python. Stored per hromada (core/hromadas/profile_tables.py), written from a YAML file
(core/hromadas/profile_file.py, `spilno-admin hromada apply`), read by everything that once
read fixed constants through core/hromadas/taxonomy.py.

Settings left unset (None) fall back to the installation's SPILNO_* settings, so a hromada
says only what differs from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar

# The district code that tags "the whole hromada" (campaigns, ideas, the city-wide PB pot);
# nobody's home district. Every profile has it.
WHOLE_HROMADA = "city"

CODE_PATTERN = r"^[a-z][a-z0-9_-]{0,31}$"
NAME_MAX = 100
WELCOME_MAX = 2000


@dataclass(frozen=True, slots=True)
class Names:
    """A name in each language residents and officials read (uk, en)."""

    uk: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.uk


@dataclass(frozen=True, slots=True)
class District:
    code: str
    names: Names
    # A starosta district inside a hromada names the district it lies in.
    parent: str | None = None
    # Kept for the records that name it, hidden from new choices.
    retired: bool = False


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    names: Names
    retired: bool = False


@dataclass(frozen=True, slots=True)
class HromadaSettings:
    """What a hromada may set for itself; None = the installation's SPILNO_* setting."""

    timezone: str | None = None
    default_locale: str | None = None
    ideas_support_threshold: int | None = None
    quiet_hours: str | None = None
    digest_hour: int | None = None

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "timezone": self.timezone,
            "default_locale": self.default_locale,
            "ideas_support_threshold": self.ideas_support_threshold,
            "quiet_hours": self.quiet_hours,
            "digest_hour": self.digest_hour,
        }


@dataclass(frozen=True, slots=True)
class HromadaProfile:
    names: Names
    districts: tuple[District, ...]  # in the order residents see them
    topics: tuple[Topic, ...]
    settings: HromadaSettings = field(default_factory=HromadaSettings)
    welcome: Names | None = None  # the /start greeting; None = the built-in one

    def district(self, code: str) -> District | None:
        return next((d for d in self.districts if d.code == code), None)

    def topic(self, code: str) -> Topic | None:
        return next((t for t in self.topics if t.code == code), None)

    def active_districts(self) -> tuple[District, ...]:
        return tuple(d for d in self.districts if not d.retired)

    def active_topics(self) -> tuple[Topic, ...]:
        return tuple(t for t in self.topics if not t.retired)

    def home_districts(self, *, retired: bool = False) -> tuple[District, ...]:
        """Where a resident can live: every district but the whole-hromada tag."""
        return tuple(
            d for d in self.districts if d.code != WHOLE_HROMADA and (retired or not d.retired)
        )

    def as_dict(self) -> dict[str, object]:
        """The profile as `hromada show --json` prints it (codes and both names)."""
        return {
            "name": {"uk": self.names.uk, "en": self.names.en},
            **self.settings.as_dict(),
            "welcome": None
            if self.welcome is None
            else {"uk": self.welcome.uk, "en": self.welcome.en},
            "districts": [
                {
                    "code": d.code,
                    "uk": d.names.uk,
                    "en": d.names.en,
                    "parent": d.parent,
                    "retired": d.retired,
                }
                for d in self.districts
            ],
            "topics": [
                {"code": t.code, "uk": t.names.uk, "en": t.names.en, "retired": t.retired}
                for t in self.topics
            ],
        }


EntryT = TypeVar("EntryT", District, Topic)

Entry = Literal["district", "topic", "setting", "name", "welcome"]
What = Literal[
    "added", "renamed", "retired", "retired_in_use", "restored", "deleted", "moved", "changed"
]


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """One line of what applying a file changes: `district zarichchia renamed`."""

    entry: Entry
    code: str  # the district's or topic's code, the setting's name; "" for the names
    what: What
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True, slots=True)
class ProfilePlan:
    """The profile a file leads to and what changes on the way there."""

    profile: HromadaProfile
    changes: tuple[ProfileChange, ...]


def plan_profile(
    current: HromadaProfile, wanted: HromadaProfile, in_use: Iterable[tuple[Entry, str]]
) -> ProfilePlan:
    """What `wanted` (a file) makes of `current`.

    A district or topic the file leaves out is deleted if no record names it; one in use
    (an idea, a campaign's audience or eligible districts, a resident's home, a subscription,
    a petition, a PB pot) is retired instead — kept for the records, hidden from new choices.
    `retired: true` in the file retires one explicitly; `retired: false` (or leaving the key
    out) brings a retired one back.
    """
    used = set(in_use)
    changes: list[ProfileChange] = []
    if current.names != wanted.names:
        changes.append(
            ProfileChange("name", "", "renamed", _both(current.names), _both(wanted.names))
        )
    before, after = current.settings.as_dict(), wanted.settings.as_dict()
    for key, value in after.items():
        if before[key] != value:
            changes.append(
                ProfileChange("setting", key, "changed", _text(before[key]), _text(value))
            )
    if current.welcome != wanted.welcome:
        changes.append(
            ProfileChange(
                "welcome",
                "",
                "changed",
                None if current.welcome is None else _both(current.welcome),
                None if wanted.welcome is None else _both(wanted.welcome),
            )
        )
    districts = _entries("district", current.districts, wanted.districts, used, changes)
    topics = _entries("topic", current.topics, wanted.topics, used, changes)
    # A retired district kept for its records loses a parent the file deleted.
    codes = {d.code for d in districts}
    districts = tuple(
        d if d.parent is None or d.parent in codes else replace(d, parent=None) for d in districts
    )
    profile = replace(wanted, districts=districts, topics=topics)
    return ProfilePlan(profile, tuple(changes))


def _entries(
    entry: Entry,
    current: tuple[EntryT, ...],
    wanted: tuple[EntryT, ...],
    used: set[tuple[Entry, str]],
    changes: list[ProfileChange],
) -> tuple[EntryT, ...]:
    old = {e.code: e for e in current}
    kept: list[EntryT] = []
    for item in wanted:
        was = old.get(item.code)
        if was is None:
            changes.append(ProfileChange(entry, item.code, "added", None, _both(item.names)))
        else:
            if was.names != item.names:
                changes.append(
                    ProfileChange(entry, item.code, "renamed", _both(was.names), _both(item.names))
                )
            if was.retired != item.retired:
                what: What = "retired" if item.retired else "restored"
                changes.append(ProfileChange(entry, item.code, what))
            if (
                isinstance(was, District)
                and isinstance(item, District)
                and was.parent != item.parent
            ):
                changes.append(ProfileChange(entry, item.code, "moved", was.parent, item.parent))
        kept.append(item)
    named = {item.code for item in wanted}
    for item in current:
        if item.code in named:
            continue
        if (entry, item.code) in used:
            # Kept at the end, retired, so the records that name it still read well.
            if not item.retired:
                changes.append(ProfileChange(entry, item.code, "retired_in_use"))
            kept.append(replace(item, retired=True))
        else:
            changes.append(ProfileChange(entry, item.code, "deleted", _both(item.names), None))
    return tuple(kept)


def _both(names: Names) -> str:
    return names.uk if names.uk == names.en else f"{names.uk} / {names.en}"


def _text(value: object) -> str | None:
    return None if value is None else str(value)
