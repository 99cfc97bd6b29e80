"""The shape of a hromada's YAML profile (pydantic), field by field.

`core/hromadas/profile_file.py` validates officials' files against it with line numbers; the
profile shipped inside the package (core/hromadas/bila-tserkva.yaml) goes through the same
model. Checks across entries (duplicate codes, parents) are profile_file's.
"""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints
from pydantic_core import PydanticCustomError

from core.delivery.policy import DeliveryPolicy
from core.hromadas.model import (
    CODE_PATTERN,
    NAME_MAX,
    WELCOME_MAX,
    District,
    HromadaProfile,
    HromadaSettings,
    Names,
    Topic,
)
from core.kernel.errors import ValidationError

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=CODE_PATTERN)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)]
Welcome = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=WELCOME_MAX)
]


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "unknown_timezone", "unknown time zone {value} (e.g. Europe/Kyiv)", {"value": value}
        ) from None
    return value


def _quiet_hours(value: str) -> str:
    try:
        DeliveryPolicy.from_text(value, 0)
    except ValidationError:
        raise PydanticCustomError(
            "bad_quiet_hours", "quiet hours look like 22:00-09:00 (or off)", {"value": value}
        ) from None
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NamesModel(_Model):
    uk: Name
    en: Name

    def names(self) -> Names:
        return Names(self.uk, self.en)


class WelcomeModel(_Model):
    uk: Welcome
    en: Welcome


class TopicModel(_Model):
    code: Code
    uk: Name
    en: Name
    retired: StrictBool = False

    def topic(self) -> Topic:
        return Topic(self.code, Names(self.uk, self.en), self.retired)


class DistrictModel(TopicModel):
    parent: Code | None = None

    def district(self) -> District:
        return District(self.code, Names(self.uk, self.en), self.parent, self.retired)


class ProfileModel(_Model):
    name: NamesModel
    timezone: Annotated[str, AfterValidator(_timezone)] | None = None
    default_language: Literal["uk", "en"] | None = None
    ideas_support_threshold: Annotated[int, Field(ge=1, le=1_000_000, strict=True)] | None = None
    quiet_hours: Annotated[str, AfterValidator(_quiet_hours)] | None = None
    digest_hour: Annotated[int, Field(ge=0, le=23, strict=True)] | None = None
    welcome: WelcomeModel | None = None
    districts: Annotated[list[DistrictModel], Field(min_length=1, max_length=200)]
    topics: Annotated[list[TopicModel], Field(min_length=1, max_length=100)]

    def profile(self) -> HromadaProfile:
        return HromadaProfile(
            names=self.name.names(),
            districts=tuple(d.district() for d in self.districts),
            topics=tuple(t.topic() for t in self.topics),
            settings=HromadaSettings(
                timezone=self.timezone,
                default_locale=self.default_language,
                ideas_support_threshold=self.ideas_support_threshold,
                quiet_hours=self.quiet_hours,
                digest_hour=self.digest_hour,
            ),
            welcome=None if self.welcome is None else Names(self.welcome.uk, self.welcome.en),
        )
