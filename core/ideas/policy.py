"""Deployment settings for ideas: what settings and profiles set (core/config.py reads them for
every command, so they live apart from the ideas' model)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IdeaPolicy:
    """Deployment settings for ideas (SPILNO_IDEAS_PREMODERATION, …_SUPPORT_THRESHOLD).

    Carried by the unit of work (`uow.policies.ideas`), set from settings by core/bootstrap.py.
    """

    premoderation: bool = True
    support_threshold: int = 100
