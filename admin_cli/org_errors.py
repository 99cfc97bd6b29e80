"""Role refusals and organization errors → one line for an official (see errors.py)."""

from __future__ import annotations

from core.hromadas.taxonomy import N_
from core.kernel.errors import SpilnoError, ValidationError
from core.kernel.i18n import _
from core.officials.model import PermissionDeniedError
from core.organizations.model import (
    EventCancelledError,
    EventNotFoundError,
    OrganizationNotFoundError,
)

_PERMISSIONS = {
    "manage_officials": N_("manage officials' roles"),
    "manage_campaigns": N_("run polls and other campaigns"),
    "moderate": N_("moderate ideas and reports"),
    "create_organization": N_("create organizations"),
    "manage_organization": N_("manage this organization's officials and channel"),
    "publish": N_("publish this organization's news and events"),
}


def org_error_text(error: SpilnoError) -> str | None:
    p = error.params
    match error:
        case PermissionDeniedError():
            what = _(_PERMISSIONS.get(str(p.get("permission")), str(p.get("permission"))))
            if error.reason == "not_an_official":
                return _(
                    "{official} has no role, so may not {what}; a city admin can grant one "
                    "(spilno-admin officials add / org add-official)"
                ).format(official=p.get("official"), what=what)
            if error.reason == "other_organization":
                return _("{official} acts for another organization, so may not {what}").format(
                    official=p.get("official"), what=what
                )
            return _("{official}'s role does not allow them to {what}").format(
                official=p.get("official"), what=what
            )
        case OrganizationNotFoundError():
            return _("there is no organization {slug}").format(slug=p.get("slug"))
        case EventNotFoundError():
            return _("there is no event with id {id}").format(id=p.get("event_id"))
        case EventCancelledError():
            return _("event {id} is already cancelled").format(id=p.get("event_id"))
        case ValidationError():
            return _validation(error)
    return None


def _validation(error: ValidationError) -> str | None:
    p = error.params
    match error.reason:
        case "bad_slug":
            return _(
                "--slug {value!r}: use 2–63 lowercase letters a-z, digits and '-', e.g. green-city"
            ).format(value=p.get("value"))
        case "slug_taken":
            return _("an organization with slug {value} already exists").format(
                value=p.get("value")
            )
        case "unknown_role":
            return _("unknown role {value!r}; use one of: {known}").format(
                value=p.get("value"), known=p.get("known")
            )
        case "bad_reminder":
            return _("--remind: {value!r} is not a duration like 24h, 2h, 30m or 1d").format(
                value=p.get("value")
            )
        case "too_many_reminders":
            return _("--remind: at most {max} reminders").format(max=p.get("max"))
        case "reminder_too_early":
            return _("--remind: at most {max} days before the event").format(max=p.get("max"))
        case "starts_in_past":
            return _("--starts must be in the future")
        case "ends_before_starts":
            return _("--ends must be later than --starts")
    return None
