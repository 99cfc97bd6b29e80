"""Eligibility for every kind of participation, on SQLite and PostgreSQL.

The scenarios are the unit tests' own (tests/unit/test_eligibility.py), imported and run here
over the `database_url` backends, so the refusals a city relies on are checked on the database
it runs in production without writing them twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.databases import UnitOfWorkFactory
from tests.unit.test_eligibility import (  # noqa: F401  (collected here, with this module's factory)
    test_a_consultation_answer_is_refused_to_an_unverified_resident,
    test_a_poll_vote_is_refused_for_each_reason_and_accepted_when_eligible,
    test_a_stale_copy_of_the_resident_cannot_change_the_district_twice,
    test_contest_entries_and_votes_are_refused_outside_the_districts,
    test_ideas_in_an_idea_call_are_proposed_and_supported_only_by_those_it_admits,
    test_the_home_district_changes_at_most_once_in_30_days_and_each_change_is_audited,
)


@pytest.fixture
async def factory(database_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    units = UnitOfWorkFactory(database_url)
    yield units
    await units.aclose()
