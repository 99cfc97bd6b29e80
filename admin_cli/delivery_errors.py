"""Delivery error codes (audiences, reminders, broadcasts) → one line for an official."""

from __future__ import annotations

from core.campaigns.audience import AudienceKind
from core.hromadas.taxonomy import DISTRICTS, TOPICS
from core.kernel.errors import SpilnoError, ValidationError
from core.kernel.i18n import _
from core.kernel.ids import ID_MAX

_AUDIENCE_FORMS = "all, topic:CODE, district:CODE, org:ID, participants:CAMPAIGN_ID, citizens:ID,ID"


def delivery_error_text(error: SpilnoError) -> str | None:
    """The text for a delivery error, or None when the error is not ours."""
    p = error.params
    if error.code == "broadcast_not_found":
        return _("there is no push with id {id}").format(id=p.get("broadcast_id"))
    if not isinstance(error, ValidationError):
        return None
    match error.reason:
        case "audience_unknown_kind":
            return _("unknown audience {value!r}; use one of: {forms}").format(
                value=p.get("value"), forms=_AUDIENCE_FORMS
            )
        case "audience_unexpected_argument":
            return _("audience {value!r}: «all» takes nothing after it").format(
                value=p.get("value")
            )
        case "audience_missing_argument":
            return _("audience {value!r} needs a value after the colon, e.g. {example}").format(
                value=p.get("value"), example=_example(str(p.get("kind")))
            )
        case "audience_unknown_topic":
            return _("unknown topic {value!r}; topics: {codes}").format(
                value=p.get("value"), codes=", ".join(TOPICS)
            )
        case "audience_unknown_district":
            return _("unknown district {value!r}; districts: {codes}").format(
                value=p.get("value"), codes=", ".join(DISTRICTS)
            )
        case "audience_unknown_org":
            return _("audience {value!r}: there is no organization with that id").format(
                value=p.get("value")
            )
        case "audience_unknown_participants":
            return _("audience {value!r}: there is no campaign with that id").format(
                value=p.get("value")
            )
        case "audience_unknown_event":
            return _("audience {value!r}: there is no event with that id").format(
                value=p.get("value")
            )
        case "audience_bad_id" | "audience_no_citizens":
            return _("audience {value!r}: ids must be whole numbers from 1 to {max}").format(
                value=p.get("audience") or p.get("value") or "", max=ID_MAX
            )
        case "audience_too_many_citizens":
            return _("audience: at most {max} citizens can be listed").format(max=p.get("max"))
        case "bad_reminders":
            return _("--remind {value!r}: write times before closing like 24h,2h or 30m").format(
                value=p.get("value")
            )
        case "too_many_reminders":
            return _("--remind: at most {max} reminders").format(max=p.get("max"))
        case "reminders_need_closing":
            return _("--remind needs --closes: reminders count back from the closing time")
        case "image_too_big":
            return _("--image is larger than {max} MB").format(max=p.get("max_mb"))
    return None


def _example(kind: str) -> str:
    return {
        AudienceKind.TOPIC: "topic:transport",
        AudienceKind.DISTRICT: "district:center",
        AudienceKind.ORG: "org:3",
        AudienceKind.PARTICIPANTS: "participants:12",
        AudienceKind.CITIZENS: "citizens:5,8",
    }.get(kind, "topic:transport")
