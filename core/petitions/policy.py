"""A hromada's petition rules and their bounds: what settings and profiles set (core/config.py
reads them for every command, so they live apart from the petitions' model)."""

from __future__ import annotations

from dataclasses import dataclass

from core.campaigns.model import DESCRIPTION_MAX

# One Telegram message holds 4096 characters; the petition's title and buttons go with it.
TEXT_MAX_LIMIT = DESCRIPTION_MAX
THRESHOLD_MAX = 10_000_000
DAYS_MAX = 366


@dataclass(frozen=True, slots=True)
class PetitionPolicy:
    """The hromada's petition rules (SPILNO_PETITION_*), carried as `uow.policies.petitions`.

    Each hromada's statute sets its own threshold and period; `residents_only` admits only
    residents who said which part of the hromada they live in (a home district).
    """

    days: int = 90
    threshold: int = 250
    text_max: int = 2000
    residents_only: bool = True


__all__ = ["DAYS_MAX", "TEXT_MAX_LIMIT", "THRESHOLD_MAX", "PetitionPolicy"]
