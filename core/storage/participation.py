"""The participation registry: every table that refers to a citizen, in one explicit list.

Two things live here, composed from the campaign kinds' specs (core/campaigns/registry.py) and
the shared features' lines below, rather than registered at import time:

- `PARTICIPANTS`: who "took part" in a campaign, per campaign kind — a builder returning a
  single-column `Select` of citizen ids (duplicates are fine: it is used as `citizen_id IN (…)`).
  Reminders go to the audience minus the participants, `participants:<id>` audiences reach them,
  and results-on-close are sent to them. A kind with no builder has no participants.
- `CITIZEN_REFERENCES`: every column that holds a citizen id, with what happens to its rows
  when two citizens become one person (merge), when a resident asks for their data (export)
  and when a resident asks to be forgotten (forget). Linking messengers, "my data" and "forget
  me" are built on this list; `tests/unit/test_participation_registry.py` fails when a table
  refers to citizens and is not listed, so a new feature cannot forget to say.

A campaign kind lists its builder and its citizen columns in its own spec (core/<kind>/kind.py);
a shared feature with a citizen column adds it to `SHARED_REFERENCES` here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, false, select

from core.campaigns.kinds import Participants
from core.campaigns.registry import KINDS
from core.citizens.tables import CitizenRow
from core.storage.contributions import CitizenReference, OnForget, OnMerge

__all__ = [
    "CITIZEN_REFERENCES",
    "PARTICIPANTS",
    "CitizenReference",
    "OnForget",
    "OnMerge",
    "participants_query",
    "registered_kinds",
]

ParticipationBuilder = Participants

if TYPE_CHECKING:  # composed on first use: the module's __getattr__ below
    PARTICIPANTS: Mapping[str, ParticipationBuilder]
    CITIZEN_REFERENCES: tuple[CitizenReference, ...]


@cache
def _participants() -> Mapping[str, ParticipationBuilder]:
    return KINDS.participants()


def participants_query(kind: str, campaign_id: int) -> Select[tuple[int]]:
    builder = _participants().get(str(kind))
    if builder is None:
        return select(CitizenRow.id).where(false())
    return builder(campaign_id)


def registered_kinds() -> frozenset[str]:
    return frozenset(_participants())


SHARED_REFERENCES: tuple[CitizenReference, ...] = (
    CitizenReference("identities", "citizen_id", OnMerge.REASSIGN, OnForget.DELETE),
    CitizenReference(
        "subscriptions",
        "citizen_id",
        OnMerge.KEEP_SURVIVORS,
        OnForget.DELETE,
        key=("kind", "code"),
    ),
    CitizenReference(
        "org_followers", "citizen_id", OnMerge.KEEP_SURVIVORS, OnForget.DELETE, key=("org_id",)
    ),
    CitizenReference(
        "event_rsvps", "citizen_id", OnMerge.KEEP_SURVIVORS, OnForget.DELETE, key=("event_id",)
    ),
    # Linking messengers (issue 16): an unused code dies with its citizen; wrong tries add up.
    CitizenReference("link_codes", "citizen_id", OnMerge.DROP, OnForget.DELETE, exported=False),
    CitizenReference(
        "link_code_failures", "citizen_id", OnMerge.REASSIGN, OnForget.DELETE, exported=False
    ),
)


@cache
def _citizen_references() -> tuple[CitizenReference, ...]:
    return SHARED_REFERENCES + KINDS.citizen_columns()


def __getattr__(name: str) -> Any:
    """`PARTICIPANTS` and `CITIZEN_REFERENCES`, composed on first use: they load every kind
    (core/campaigns/registry.py), which a module that only names this one does not need."""
    if name == "PARTICIPANTS":
        return _participants()
    if name == "CITIZEN_REFERENCES":
        return _citizen_references()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
