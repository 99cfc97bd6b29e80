"""Organization and event errors → a polite sentence for the resident (see errors.py)."""

from __future__ import annotations

from core.kernel.errors import SpilnoError, ValidationError
from core.kernel.i18n import _
from core.organizations.model import (
    EventCancelledError,
    EventNotFoundError,
    OrganizationNotFoundError,
)


def org_error_text(error: SpilnoError) -> str | None:
    match error:
        case OrganizationNotFoundError():
            return _("This organization is no longer available.")
        case EventNotFoundError():
            return _("This event is no longer available.")
        case EventCancelledError():
            return _("This event has been cancelled, so answers are closed.")
        case ValidationError() if error.reason == "event_over":
            return _("This event is already over.")
    return None
