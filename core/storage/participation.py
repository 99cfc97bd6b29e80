"""Who "took part" in a campaign, per campaign kind: a registry of SQL queries.

Reminders go to the audience minus the participants, `participants:<id>` audiences reach them,
and results-on-close are sent to them. Each feature declares what taking part means for its
own kind, next to its tables, by registering a builder that returns a `Select` of citizen ids:

    # core/ideas/tables.py (imported by core/storage/schema.py)
    from sqlalchemy import select
    from core.storage.participation import register_participation

    def _idea_call_participants(campaign_id: int) -> Select[tuple[int]]:
        return select(IdeaRow.author_id).where(IdeaRow.call_id == campaign_id)

    register_participation("idea_call", _idea_call_participants)

The query must be a single-column SELECT of citizen ids (duplicates are fine: it is used as
`citizen_id IN (…)`). Registering the same kind twice replaces the builder (module reloads in
tests). A kind with no builder has no participants: reminders go to the whole audience.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, false, select

from core.citizens.tables import CitizenRow

ParticipationBuilder = Callable[[int], Select[tuple[int]]]

_BUILDERS: dict[str, ParticipationBuilder] = {}


def register_participation(kind: str, builder: ParticipationBuilder) -> None:
    _BUILDERS[str(kind)] = builder


def participants_query(kind: str, campaign_id: int) -> Select[tuple[int]]:
    builder = _BUILDERS.get(str(kind))
    if builder is None:
        return select(CitizenRow.id).where(false())
    return builder(campaign_id)


def registered_kinds() -> frozenset[str]:
    return frozenset(_BUILDERS)
