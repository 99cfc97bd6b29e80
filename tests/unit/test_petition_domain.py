"""Petitions' rules without storage: the answer term in working days, thresholds, days left."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.campaigns.model import Campaign, CampaignKind, CampaignStatus, ResultsVisibility
from core.kernel.errors import ValidationError
from core.petitions.model import (
    NewPetition,
    Petition,
    PetitionPolicy,
    PetitionStatus,
    answer_deadline,
    check_policy,
    is_working_day,
    reached_threshold,
    validate_new_petition,
)

KYIV = ZoneInfo("Europe/Kyiv")


def kyiv(*args: int) -> datetime:
    return datetime(*args, tzinfo=KYIV)


def test_ten_working_days_skip_weekends_and_start_the_day_after():
    # Reached on Wednesday 2 December 2026: Thu 3, Fri 4, Mon 7 … Wed 16 is the tenth.
    due = answer_deadline(kyiv(2026, 12, 2, 15, 30), KYIV)
    assert due == kyiv(2026, 12, 17, 0, 0)  # the end of Wednesday 16 December


def test_a_threshold_reached_on_saturday_counts_from_monday():
    due = answer_deadline(kyiv(2026, 12, 5, 11, 0), KYIV)
    assert due == kyiv(2026, 12, 19, 0, 0)  # Mon 7 … Fri 18


def test_public_holidays_are_not_working_days_in_peacetime():
    # 2021: Independence Day (Tue 24 August) and its bridge day (Mon 23 August) were off; the
    # bridge day was worked off on Saturday 28 August, a working day.
    assert not is_working_day(date(2021, 8, 24))
    assert not is_working_day(date(2021, 8, 23))
    assert is_working_day(date(2021, 8, 28))
    reached = kyiv(2021, 8, 19, 10, 0)  # Thursday
    # Fri 20; (Sat, Sun, Mon 23, Tue 24 off) Wed 25, Thu 26, Fri 27, Sat 28; Mon 30, Tue 31,
    # Wed 1, Thu 2, Fri 3 September: the tenth.
    assert answer_deadline(reached, KYIV) == kyiv(2021, 9, 4, 0, 0)


def test_under_martial_law_public_holidays_are_working_days():
    # Law No. 2136-IX: no days off for holidays since 24 February 2022; the calendar knows.
    assert is_working_day(date(2026, 8, 24))  # Independence Day, a Monday
    due = answer_deadline(kyiv(2026, 8, 21, 9, 0), KYIV)  # Friday
    assert due == kyiv(2026, 9, 5, 0, 0)  # Mon 24 Aug … Fri 4 Sep, ten working days


def test_the_day_is_the_hromadas_not_utc():
    # 22:30 UTC on Thursday 3 December is already Friday 00:30 in Kyiv: the term counts from
    # Monday there (Fri 18 December is the tenth), from Friday in UTC (Thu 17 December).
    thursday_night = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)  # Friday 00:30 in Kyiv
    assert answer_deadline(thursday_night, KYIV) == kyiv(2026, 12, 19, 0, 0)
    assert answer_deadline(thursday_night, ZoneInfo("UTC")) == datetime(
        2026, 12, 18, 0, 0, tzinfo=ZoneInfo("UTC")
    )


@pytest.mark.parametrize(
    ("signatures", "threshold", "reached"),
    [(249, 250, False), (250, 250, True), (251, 250, True), (0, 0, False), (5, 0, False)],
)
def test_the_threshold_is_reached_at_exactly_the_number(signatures, threshold, reached):
    assert reached_threshold(signatures, threshold) is reached


def _petition(status: PetitionStatus, closes_at: datetime | None, **kw: object) -> Petition:
    campaign = Campaign(
        id=7,
        kind=CampaignKind.PETITION,
        title="Освітлення на Заріччі",
        description="Прошу встановити ліхтарі.",
        status=CampaignStatus.OPEN if status == PetitionStatus.OPEN else CampaignStatus.CLOSED,
        opens_at=None,
        closes_at=closes_at,
        results_visibility=ResultsVisibility.LIVE,
        created_at=kyiv(2026, 12, 1),
        created_by="resident:1",
    )
    return Petition(
        campaign=campaign,
        author_id=1,
        addressee="Міська рада",
        topic="roads",
        status=status,
        signatures=3,
        threshold=250,
        submitted_at=kyiv(2026, 12, 1),
        **kw,  # type: ignore[arg-type]
    )


def test_days_left_round_up_and_end_with_the_period():
    now = kyiv(2026, 12, 1, 12, 0)
    petition = _petition(PetitionStatus.OPEN, now + timedelta(days=2, hours=1))
    assert petition.days_left(now) == 3
    assert petition.days_left(now + timedelta(days=2, minutes=30)) == 1
    assert petition.days_left(now + timedelta(days=3)) is None  # no longer signable


def test_overdue_only_while_under_consideration_past_the_term():
    due = kyiv(2026, 12, 17)
    waiting = _petition(PetitionStatus.THRESHOLD_REACHED, None, answer_due_at=due)
    assert not waiting.is_overdue(due - timedelta(seconds=1))
    assert waiting.is_overdue(due)
    answered = _petition(PetitionStatus.ANSWERED, None, answer_due_at=due)
    assert not answered.is_overdue(due + timedelta(days=30))


def test_a_new_petition_keeps_to_the_hromadas_text_limit():
    draft = NewPetition(1, "Міська рада", "Ліхтарі", "x" * 101, "roads")
    with pytest.raises(ValidationError) as error:
        validate_new_petition(draft, PetitionPolicy(text_max=100))
    assert (error.value.reason, error.value.params["max"]) == ("text_too_long", 100)
    assert validate_new_petition(draft, PetitionPolicy(text_max=101)).text == "x" * 101
    with pytest.raises(ValidationError, match="unknown_topic"):
        validate_new_petition(NewPetition(1, "Рада", "Ліхтарі", "Текст", "nope"), PetitionPolicy())


def test_a_policy_no_petition_could_live_under_is_refused():
    assert check_policy(PetitionPolicy(days=90, threshold=6000)).threshold == 6000
    for policy, reason in (
        (PetitionPolicy(days=0), "petition_days"),
        (PetitionPolicy(threshold=0), "bad_threshold"),
        (PetitionPolicy(text_max=5000), "petition_text_max"),
    ):
        with pytest.raises(ValidationError) as error:
            check_policy(policy)
        assert error.value.reason == reason
