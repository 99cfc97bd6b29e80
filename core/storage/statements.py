"""Hot-path statements, built once. Building a SQLAlchemy statement costs more CPU than the
database needs to run it, so what runs on every vote or update is prepared here with bind
parameters and reused (the compiled form is cached by SQLAlchemy as well)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import BigInteger, bindparam, delete, func, insert, select, text, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY

from core.storage.models import (
    BallotChoiceRow,
    BallotRow,
    CampaignRow,
    CitizenRow,
    IdentityRow,
    PollOptionRow,
    PollRow,
    ProcessedUpdateRow,
)

campaigns = CampaignRow.__table__
polls = PollRow.__table__
options = PollOptionRow.__table__
ballots = BallotRow.__table__
choices = BallotChoiceRow.__table__
citizens = CitizenRow.__table__
identities = IdentityRow.__table__
processed = ProcessedUpdateRow.__table__

POLL_WITH_OPTIONS = (
    select(
        campaigns,
        polls.c.max_choices,
        options.c.id.label("option_id"),
        options.c.position.label("option_position"),
        options.c.label.label("option_label"),
    )
    .join(polls, polls.c.campaign_id == campaigns.c.id)
    .join(options, options.c.campaign_id == campaigns.c.id)
    .where(campaigns.c.id == bindparam("campaign_id"))
    .order_by(options.c.position)
)

BALLOT_CHOICES = (
    select(choices.c.option_id)
    .join(ballots, ballots.c.id == choices.c.ballot_id)
    .where(
        ballots.c.campaign_id == bindparam("campaign_id"),
        ballots.c.citizen_id == bindparam("citizen_id"),
    )
)

TAKE_CHOICES = (
    delete(choices)
    .where(choices.c.ballot_id == bindparam("ballot_id"))
    .returning(choices.c.option_id)
)
INSERT_CHOICES = insert(choices)

SAVE_CITIZEN = (
    update(citizens)
    .where(citizens.c.id == bindparam("citizen_id"))
    .values(
        locale=bindparam("new_locale"),
        notifications=bindparam("new_notifications"),
        dialog_state=bindparam("new_dialog_state"),
    )
)

CITIZEN_BY_IDENTITY = (
    select(citizens, identities.c.reachable)
    .join(identities, identities.c.citizen_id == citizens.c.id)
    .where(
        identities.c.platform == bindparam("platform"),
        identities.c.external_id == bindparam("external_id"),
    )
)


def _dialect(name: str) -> Any:
    return sqlite if name == "sqlite" else postgresql


@cache
def lock_ballot(dialect: str) -> Any:
    """Insert-or-touch the ballot, returning its id; ON CONFLICT DO UPDATE takes the row lock."""
    stmt = _dialect(dialect).insert(ballots)
    return stmt.on_conflict_do_update(
        index_elements=[ballots.c.campaign_id, ballots.c.citizen_id],
        set_={"updated_at": stmt.excluded.updated_at},
    ).returning(ballots.c.id)


@cache
def record_update(dialect: str) -> Any:
    return _dialect(dialect).insert(processed).on_conflict_do_nothing()


@cache
def claim_update_and_find_sender() -> Any:
    """PostgreSQL: record the update (ON CONFLICT DO NOTHING) and read its sender, one round trip.

    One row always: `claimed` (1 the first time, 0 for a redelivery) and the citizen's columns
    plus `reachable`, all NULL when nobody has this identity yet.
    """
    claimed = (
        postgresql.insert(processed)
        .values(
            platform=bindparam("platform"),
            update_id=bindparam("update_id"),
            processed_at=bindparam("processed_at"),
        )
        .on_conflict_do_nothing()
        .returning(processed.c.update_id)
        .cte("claimed")
    )
    counted = select(func.count().label("claimed")).select_from(claimed).subquery("counted")
    sender = CITIZEN_BY_IDENTITY.subquery("sender")
    return select(counted.c.claimed, sender).select_from(counted.outerjoin(sender, true()))


# PostgreSQL: make a (locked) ballot's choices exactly `option_ids` in one round trip. Both parts
# see the same snapshot, taken after lock_ballot's row lock was granted, so no concurrent vote
# on this ballot can slip between them.
REPLACE_CHOICES = text(
    "WITH gone AS (DELETE FROM ballot_choices"
    " WHERE ballot_id = :ballot_id AND option_id <> ALL(:option_ids))"
    " INSERT INTO ballot_choices (ballot_id, option_id, campaign_id)"
    " SELECT :ballot_id, chosen, :campaign_id FROM unnest(:option_ids) AS chosen"
    " ON CONFLICT (ballot_id, option_id) DO NOTHING"
).bindparams(
    bindparam("ballot_id", type_=BigInteger),
    bindparam("campaign_id", type_=BigInteger),
    bindparam("option_ids", type_=ARRAY(BigInteger)),
)
