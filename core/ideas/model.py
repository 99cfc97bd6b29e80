"""Ideas: a resident's proposal, moderated, supported, discussed and answered by the city."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.campaigns.model import Campaign
from core.hromadas.taxonomy import is_district, is_topic
from core.kernel.errors import ValidationError
from core.kernel.texts import clean_text

TITLE_MAX = 120
DESCRIPTION_MAX = 1500
COMMENT_MAX = 1000
REJECT_REASON_MAX = 500
ANSWER_MAX = 4000
# At this many reports from different residents an idea or comment is hidden until reviewed.
HIDE_AT_REPORTS = 3
DEFAULT_SUPPORT_THRESHOLD = 100
CODE_PREFIX = "ID"

_CODE = re.compile(r"^ID-(\d{4})-(\d{4,})$", re.IGNORECASE)


class IdeaStatus(StrEnum):
    """Moderation and momentum. Whether the city has answered is `OfficialStatus`."""

    PENDING = "pending"
    PUBLISHED = "published"
    THRESHOLD_REACHED = "threshold_reached"
    REJECTED = "rejected"


PUBLIC_STATUSES = (IdeaStatus.PUBLISHED, IdeaStatus.THRESHOLD_REACHED)


class OfficialStatus(StrEnum):
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    IMPLEMENTED = "implemented"
    REJECTED = "rejected"


class ReportReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"


class ReportTarget(StrEnum):
    IDEA = "idea"
    COMMENT = "comment"


class IdeaSort(StrEnum):
    TOP = "top"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class IdeaQuery:
    """What a list page asks for. `public_only` ignores the status/hidden filters."""

    sort: IdeaSort = IdeaSort.NEW
    public_only: bool = True
    topic: str | None = None
    author_id: int | None = None
    call_id: int | None = None
    statuses: tuple[IdeaStatus, ...] = ()
    hidden: bool | None = None
    official_status: OfficialStatus | None = None


@dataclass(frozen=True, slots=True)
class IdeaCall:
    """An idea call: a campaign with a theme and a deadline that ideas are submitted into."""

    campaign: Campaign
    support_threshold: int | None  # None: the deployment's default

    @property
    def id(self) -> int:
        return self.campaign.id


@dataclass(slots=True)
class Idea:
    id: int
    code: str
    author_id: int
    title: str
    description: str
    topic: str
    district: str
    status: IdeaStatus
    created_at: datetime
    call_id: int | None = None
    photo_ref: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    hidden: bool = False
    supports: int = 0
    comments: int = 0
    reports: int = 0
    reject_reason: str | None = None
    official_status: OfficialStatus | None = None
    answer: str | None = None
    answered_at: datetime | None = None
    published_at: datetime | None = None

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES and not self.hidden

    def visible_to(self, citizen_id: int) -> bool:
        """The author always sees their own idea (with its status); others only public ones."""
        return self.is_public or self.author_id == citizen_id


@dataclass(frozen=True, slots=True)
class IdeaComment:
    id: int
    idea_id: int
    author_id: int
    text: str
    created_at: datetime
    hidden: bool = False
    reports: int = 0


@dataclass(frozen=True, slots=True)
class NewIdea:
    """A validated draft, ready to store."""

    author_id: int
    title: str
    description: str
    topic: str
    district: str
    call_id: int | None = None
    photo_ref: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class ReportedItem:
    target: ReportTarget
    item_id: int
    idea_code: str
    text: str
    reports: int
    hidden: bool
    reasons: dict[str, int]


def format_code(year: int, seq: int) -> str:
    return f"{CODE_PREFIX}-{year}-{seq:04d}"


def parse_code(value: str) -> tuple[int, int] | None:
    match = _CODE.match(value.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def validate_title(value: str) -> str:
    return clean_text(value, field="title", max_len=TITLE_MAX)


def validate_description(value: str) -> str:
    # Links to a map or a document help explain an idea, so the description may carry them.
    return clean_text(value, field="description", max_len=DESCRIPTION_MAX, links_allowed=True)


def validate_comment(value: str) -> str:
    return clean_text(value, field="comment", max_len=COMMENT_MAX)


def validate_location(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError("location_incomplete")
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise ValidationError("location_out_of_range")


def validate_new_idea(idea: NewIdea) -> NewIdea:
    if not is_topic(idea.topic):
        raise ValidationError("unknown_topic", topic=idea.topic)
    if not is_district(idea.district):
        raise ValidationError("unknown_district", district=idea.district)
    validate_location(idea.latitude, idea.longitude)
    return NewIdea(
        author_id=idea.author_id,
        title=validate_title(idea.title),
        description=validate_description(idea.description),
        topic=idea.topic,
        district=idea.district,
        call_id=idea.call_id,
        photo_ref=idea.photo_ref,
        latitude=idea.latitude,
        longitude=idea.longitude,
    )


def initial_status(premoderation: bool) -> IdeaStatus:
    return IdeaStatus.PENDING if premoderation else IdeaStatus.PUBLISHED


def reached_threshold(supports: int, threshold: int) -> bool:
    return threshold > 0 and supports >= threshold
