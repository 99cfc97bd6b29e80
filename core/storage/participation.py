"""The participation registry: every table that refers to a citizen, in one explicit list.

Two things live here, both written out by hand rather than registered at import time:

- `PARTICIPANTS`: who "took part" in a campaign, per campaign kind — a builder returning a
  single-column `Select` of citizen ids (duplicates are fine: it is used as `citizen_id IN (…)`).
  Reminders go to the audience minus the participants, `participants:<id>` audiences reach them,
  and results-on-close are sent to them. A kind with no builder has no participants.
- `CITIZEN_REFERENCES`: every column that holds a citizen id, with what happens to its rows
  when two citizens become one person (merge), when a resident asks for their data (export)
  and when a resident asks to be forgotten (forget). Linking messengers, "my data" and "forget
  me" are built on this list; `tests/unit/test_participation_registry.py` fails when a table
  refers to citizens and is not listed here, so a new feature cannot forget to say.

A new campaign kind adds its builder to `PARTICIPANTS` and its citizen columns to
`CITIZEN_REFERENCES`: two lines in this file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, false, select

from core.citizens.tables import CitizenRow
from core.consultations.tables import consultation_participants
from core.contests.tables import contest_participants
from core.ideas.tables import idea_call_participants
from core.polls.tables import poll_participants

ParticipationBuilder = Callable[[int], Select[tuple[int]]]

PARTICIPANTS: Mapping[str, ParticipationBuilder] = {
    "poll": poll_participants,
    "idea_call": idea_call_participants,
    "consultation": consultation_participants,
    "contest": contest_participants,
}


def participants_query(kind: str, campaign_id: int) -> Select[tuple[int]]:
    builder = PARTICIPANTS.get(str(kind))
    if builder is None:
        return select(CitizenRow.id).where(false())
    return builder(campaign_id)


def registered_kinds() -> frozenset[str]:
    return frozenset(PARTICIPANTS)


class OnMerge(StrEnum):
    """What a row of the citizen who is merged away becomes (core/storage/merging.py does it;
    the rules are in README, "What Spilno stores about residents")."""

    # Re-pointed to the surviving citizen.
    REASSIGN = "reassign"
    # Re-pointed, unless the survivor already has the same row (same `key` without the
    # citizen): then the survivor's row wins and this one is dropped. One person, one vote.
    KEEP_SURVIVORS = "keep_survivors"
    # Re-pointed, with the per-citizen sequence column `renumbered` moved past the
    # survivor's (a contest entry keeps existing; "entry 1" of both cannot).
    RENUMBER = "renumber"
    # Meaningful only to the merged-away citizen (an unused link code): deleted.
    DROP = "drop"
    # Poll ballots: where both voted, the ballot cast first stands; the other is voided and
    # the voiding audit-logged (who, which campaign, which ballot; never the choices).
    FIRST_BALLOT_STANDS = "first_ballot_stands"
    # Consultation responses: a submitted one beats a draft, the earlier submitted the later.
    SUBMITTED_FIRST = "submitted_first"
    # Contest votes: both citizens' votes together, earliest first, up to the contest's
    # votes-per-resident limit, never for the person's own entry, once per entry.
    EARLIEST_UP_TO_LIMIT = "earliest_up_to_limit"


class OnForget(StrEnum):
    """What "forget me" does to the row."""

    # The row is personal and is deleted.
    DELETE = "delete"
    # The row counts in a published result or is public content (an idea, a comment, an
    # entry): it stays, cut off from the person (re-pointed to an anonymous citizen).
    ANONYMIZE = "anonymize"


@dataclass(frozen=True, slots=True)
class CitizenReference:
    table: str
    column: str
    on_merge: OnMerge
    on_forget: OnForget
    # Part of "my data" (a resident's own export).
    exported: bool = True
    # KEEP_SURVIVORS: the columns that, with the citizen column, make a row a duplicate.
    key: tuple[str, ...] = ()
    # RENUMBER: the per-citizen sequence column.
    renumbered: str | None = None


CITIZEN_REFERENCES: tuple[CitizenReference, ...] = (
    CitizenReference("identities", "citizen_id", OnMerge.REASSIGN, OnForget.DELETE),
    CitizenReference(
        "subscriptions",
        "citizen_id",
        OnMerge.KEEP_SURVIVORS,
        OnForget.DELETE,
        key=("kind", "code"),
    ),
    CitizenReference("ballots", "citizen_id", OnMerge.FIRST_BALLOT_STANDS, OnForget.ANONYMIZE),
    CitizenReference("ideas", "author_id", OnMerge.REASSIGN, OnForget.ANONYMIZE),
    CitizenReference("idea_comments", "author_id", OnMerge.REASSIGN, OnForget.ANONYMIZE),
    CitizenReference(
        "idea_supports", "citizen_id", OnMerge.KEEP_SURVIVORS, OnForget.ANONYMIZE, key=("idea_id",)
    ),
    CitizenReference(
        "idea_reports",
        "citizen_id",
        OnMerge.KEEP_SURVIVORS,
        OnForget.DELETE,
        key=("target", "item_id"),
    ),
    CitizenReference(
        "consultation_responses", "citizen_id", OnMerge.SUBMITTED_FIRST, OnForget.ANONYMIZE
    ),
    CitizenReference(
        "contest_entries",
        "author_id",
        OnMerge.RENUMBER,
        OnForget.ANONYMIZE,
        key=("contest_id",),
        renumbered="author_seq",
    ),
    CitizenReference(
        "contest_participants",
        "citizen_id",
        OnMerge.KEEP_SURVIVORS,
        OnForget.ANONYMIZE,
        key=("contest_id",),
    ),
    # A merge must still hold a contest's votes-per-resident cap across the survivor's entries.
    CitizenReference(
        "contest_votes", "citizen_id", OnMerge.EARLIEST_UP_TO_LIMIT, OnForget.ANONYMIZE
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
