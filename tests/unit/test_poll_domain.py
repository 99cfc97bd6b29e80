from datetime import UTC, datetime, timedelta

import pytest

from core.campaigns.model import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    ResultsVisibility,
    initial_status,
    validate_window,
)
from core.citizens.model import IdentityRef, initial_locale
from core.kernel.errors import (
    CampaignClosedError,
    CampaignNotOpenError,
    TooManyChoicesError,
    UnknownOptionError,
    ValidationError,
)
from core.polls.model import Poll, PollOption, compute_results, validate_poll

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def make_poll(
    status: CampaignStatus = CampaignStatus.OPEN,
    *,
    max_choices: int = 1,
    closes_at: datetime | None = None,
    visibility: ResultsVisibility = ResultsVisibility.LIVE,
) -> Poll:
    campaign = Campaign(
        id=1,
        kind=CampaignKind.POLL,
        title="Q?",
        description="",
        status=status,
        opens_at=None,
        closes_at=closes_at,
        results_visibility=visibility,
        created_at=NOW,
        created_by="t",
    )
    return Poll(
        campaign,
        max_choices,
        [PollOption(10, 1, "A"), PollOption(11, 2, "B"), PollOption(12, 3, "C")],
    )


def test_a_poll_needs_two_distinct_non_empty_options():
    assert validate_poll("  Q? ", [" A", "B "], 1) == ("Q?", ["A", "B"])
    for options, reason in (
        (["A"], "too_few_options"),
        (["A", ""], "option_empty"),
        (["Park", "park"], "duplicate_options"),
    ):
        with pytest.raises(ValidationError) as caught:
            validate_poll("Q?", options, 1)
        assert caught.value.reason == reason


def test_multiple_choice_maximum_cannot_exceed_the_options():
    with pytest.raises(ValidationError, match="bad_max_choices"):
        validate_poll("Q?", ["A", "B"], 3)
    with pytest.raises(ValidationError, match="bad_max_choices"):
        validate_poll("Q?", ["A", "B"], 0)


def test_an_empty_question_is_rejected():
    with pytest.raises(ValidationError, match="question_empty"):
        validate_poll("   ", ["A", "B"], 1)


def test_choices_over_the_maximum_are_rejected():
    poll = make_poll(max_choices=2)
    poll.check_choices(frozenset({10, 11}))
    with pytest.raises(TooManyChoicesError):
        poll.check_choices(frozenset({10, 11, 12}))


def test_an_option_of_another_poll_is_rejected():
    with pytest.raises(UnknownOptionError):
        make_poll().check_choices(frozenset({99}))


def test_open_poll_past_its_closing_time_no_longer_accepts_votes():
    poll = make_poll(closes_at=NOW + timedelta(minutes=1))
    assert poll.campaign.is_accepting(NOW)
    with pytest.raises(CampaignClosedError):
        poll.campaign.ensure_accepting(NOW + timedelta(minutes=1))


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.SCHEDULED])
def test_a_poll_not_yet_open_explains_itself(status):
    with pytest.raises(CampaignNotOpenError):
        make_poll(status).campaign.ensure_accepting(NOW)


def test_results_after_close_are_hidden_until_the_poll_closes():
    poll = make_poll(visibility=ResultsVisibility.AFTER_CLOSE, closes_at=NOW + timedelta(hours=1))
    assert not poll.campaign.results_visible_to_residents(NOW)
    assert poll.campaign.results_visible_to_residents(NOW + timedelta(hours=1))
    assert make_poll().campaign.results_visible_to_residents(NOW)


def test_results_count_percent_of_voters():
    results = compute_results(make_poll(max_choices=2), {10: 3, 11: 1}, voters=4)
    assert [(r.label, r.votes, r.percent) for r in results.options] == [
        ("A", 3, 75.0),
        ("B", 1, 25.0),
        ("C", 0, 0.0),
    ]
    assert compute_results(make_poll(), {}, voters=0).options[0].percent == 0.0


def test_a_window_needs_zones_and_order():
    validate_window(NOW, NOW + timedelta(days=1), now=NOW)
    with pytest.raises(ValidationError, match="closes_before_opens"):
        validate_window(NOW, NOW, now=NOW - timedelta(days=1))
    with pytest.raises(ValidationError, match="naive_datetime"):
        validate_window(datetime(2026, 1, 1), None, now=NOW)


@pytest.mark.parametrize(
    ("opens", "closes"),
    [
        (None, NOW),  # closing right now
        (None, NOW - timedelta(minutes=1)),
        (NOW - timedelta(days=40), NOW - timedelta(days=10)),  # the whole window has passed
    ],
)
def test_a_window_that_closes_in_the_past_is_refused(opens, closes):
    with pytest.raises(ValidationError, match="closes_in_past"):
        validate_window(opens, closes, now=NOW)


def test_a_campaign_with_an_opening_time_is_scheduled_otherwise_draft():
    assert initial_status(NOW) == CampaignStatus.SCHEDULED
    assert initial_status(None) == CampaignStatus.DRAFT


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("uk", "uk"), ("ru", "uk"), ("be", "uk"), ("en-GB", "en"), ("de", "en"), (None, "uk")],
)
def test_the_platform_language_picks_the_first_locale(hint, expected):
    assert initial_locale(hint, "uk") == expected


def test_identity_round_trips_through_text():
    assert IdentityRef.parse("telegram:42") == IdentityRef("telegram", "42")
    assert str(IdentityRef("viber", "a:b")) == "viber:a:b"
    with pytest.raises(ValueError):
        IdentityRef.parse("nope")
