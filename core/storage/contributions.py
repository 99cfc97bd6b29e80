"""What a feature contributes to storage: its repositories and its columns that hold citizens.

A leaf module: campaign kinds list these in their spec (core/<kind>/kind.py), and
core/storage/unit_of_work.py and core/storage/participation.py compose them from the registry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic

from sqlalchemy.ext.asyncio import AsyncSession

from core.kernel.ports import P, Port


@dataclass(frozen=True, slots=True)
class Binding(Generic[P]):
    """`Binding(CONTESTS, SqlContestRepository)`: the port, and how one session implements it."""

    port: Port[P]
    build: Callable[[AsyncSession], P]


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
    # A rule only the kind knows (a participatory budget's ballots: per pot, the ballot
    # submitted first stands): the reference's `merge` carries it out in the kind's sql.py.
    KIND_RULE = "kind_rule"


class OnForget(StrEnum):
    """What "forget me" does to the row."""

    # The row is personal and is deleted.
    DELETE = "delete"
    # The row counts in a published result or is public content (an idea, a comment, an
    # entry): it stays, cut off from the person (re-pointed to an anonymous citizen).
    ANONYMIZE = "anonymize"


# (session, survivor id, merged-away id) → how many of the merged citizen's rows were dropped.
# Called inside the merge's transaction, after both citizen rows are locked.
KindMerge = Callable[[AsyncSession, int, int], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Participation:
    """Forgetting (ANONYMIZE) withdraws it while its campaign is open. Counts in a campaign: `campaign` is the column naming it, directly or through `via`
    (table, key column in this table, campaign column there)."""

    campaign: str
    via: tuple[str, str, str] | None = None
    # A counter on another row that this row adds to: (table, column, key in this table).
    counter: tuple[str, str, str] | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """Forgetting (ANONYMIZE) keeps it, cut off from the person. Words the resident wrote: replaced by the marker; `cleared` columns become NULL/''."""

    text: tuple[str, ...]
    cleared: tuple[str, ...] = ()


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
    # KIND_RULE: the kind's own merge of this column's rows.
    merge: KindMerge | None = None
    # (table, column): a counter on the row of `table` whose id is this row's first `key`
    # column (an idea's supports, a petition's signatures). A merge that drops duplicates
    # recounts it; the rows themselves change through core/storage/tallies.py.
    counted_in: tuple[str, str] | None = None
    # ANONYMIZE: withdrawn while its campaign is open (Participation) or kept with the words
    # replaced (Content); core/storage/resident_data.py carries it out.
    forget_plan: Participation | Content | None = None
