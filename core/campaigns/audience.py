"""Who a push goes to, as the text officials type (`--audience`) and campaigns store.

`all` · `topic:<code>` · `district:<code>` · `org:<id>` · `participants:<campaign_id>` ·
`citizens:<id>,<id>,…`. Only residents who accept notifications are ever reached; the outbox
applies that (and quiet hours) when it resolves an audience into recipients.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.hromadas.taxonomy import is_district, is_known_district, is_known_topic, is_topic
from core.kernel.errors import ValidationError
from core.kernel.ids import parse_id


class AudienceKind(StrEnum):
    ALL = "all"
    TOPIC = "topic"
    DISTRICT = "district"
    ORG = "org"
    PARTICIPANTS = "participants"
    CITIZENS = "citizens"
    EVENT = "event"  # residents who said they will come (+ followers if the event says so)


# Generous, but keeps an explicit list from turning into a hidden bulk audience.
MAX_EXPLICIT_CITIZENS = 10_000


@dataclass(frozen=True, slots=True)
class Audience:
    kind: AudienceKind
    code: str | None = None  # topic or district code
    ref_id: int | None = None  # organization or campaign id
    citizen_ids: tuple[int, ...] = ()

    @classmethod
    def everyone(cls) -> Audience:
        return cls(AudienceKind.ALL)

    @classmethod
    def topic(cls, code: str) -> Audience:
        return cls.parse(f"topic:{code}")

    @classmethod
    def district(cls, code: str) -> Audience:
        return cls.parse(f"district:{code}")

    @classmethod
    def participants(cls, campaign_id: int) -> Audience:
        return cls(AudienceKind.PARTICIPANTS, ref_id=campaign_id)

    @classmethod
    def citizens(cls, ids: list[int] | tuple[int, ...] | set[int]) -> Audience:
        if not ids:
            raise ValidationError("audience_no_citizens")
        return cls(AudienceKind.CITIZENS, citizen_ids=tuple(sorted(set(ids))))

    @classmethod
    def parse(cls, text: str, *, stored: bool = False) -> Audience:
        """Parse `--audience` text; a ValidationError's reason says what is wrong.

        `stored`: read back from a record, so a topic or district retired since it was
        chosen still counts (a new audience must name ones in use)."""
        raw = (text or "").strip()
        kind_text, sep, arg = raw.partition(":")
        kind_text, arg = kind_text.strip().lower(), arg.strip()
        try:
            kind = AudienceKind(kind_text)
        except ValueError:
            raise ValidationError(
                "audience_unknown_kind", value=raw, known=", ".join(k.value for k in AudienceKind)
            ) from None
        if kind is AudienceKind.ALL:
            if sep:
                raise ValidationError("audience_unexpected_argument", value=raw)
            return cls(kind)
        if not arg:
            raise ValidationError("audience_missing_argument", value=raw, kind=kind.value)
        if kind is AudienceKind.TOPIC:
            if not (is_topic(arg) or (stored and is_known_topic(arg))):
                raise ValidationError("audience_unknown_topic", value=arg)
            return cls(kind, code=arg)
        if kind is AudienceKind.DISTRICT:
            if not (is_district(arg) or (stored and is_known_district(arg))):
                raise ValidationError("audience_unknown_district", value=arg)
            return cls(kind, code=arg)
        if kind is AudienceKind.CITIZENS:
            ids = [_positive_int(part, raw) for part in arg.split(",") if part.strip()]
            if not ids:
                raise ValidationError("audience_no_citizens", value=raw)
            if len(ids) > MAX_EXPLICIT_CITIZENS:
                raise ValidationError("audience_too_many_citizens", max=MAX_EXPLICIT_CITIZENS)
            return cls(kind, citizen_ids=tuple(sorted(set(ids))))
        return cls(kind, ref_id=_positive_int(arg, raw))

    def __str__(self) -> str:
        if self.kind is AudienceKind.ALL:
            return "all"
        if self.kind in (AudienceKind.TOPIC, AudienceKind.DISTRICT):
            return f"{self.kind.value}:{self.code}"
        if self.kind is AudienceKind.CITIZENS:
            return "citizens:" + ",".join(str(i) for i in self.citizen_ids)
        return f"{self.kind.value}:{self.ref_id}"


def _positive_int(text: str, whole: str) -> int:
    value = parse_id(text)
    if value is None:  # also past int64: no table could hold it
        raise ValidationError("audience_bad_id", value=text.strip(), audience=whole)
    return value
