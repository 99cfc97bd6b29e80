"""The one apology a resident sees when we fail on our side (a bug, the database away).

A leaf module: the dialog engine and every channel import it without importing each other.
"""

from __future__ import annotations

from core.kernel.i18n import _


def apology() -> str:
    """The apology in the current locale."""
    return _("Sorry, something went wrong on our side. Please try again.")
