"""PB counting and ballot rules, without a database: knapsack and approval ballots, Kyiv's
greedy rule (ties, budgets that fit nothing), cross-checked against pabutools' greedy, and the
Method of Equal Shares."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from pabutools.election.pabulib import parse_pabulib_from_string

from core.pb import rules
from core.pb.model import (
    CITY_POT,
    ChoiceLimitError,
    OverBudgetError,
    PbRule,
    Pot,
    Project,
    ProjectStatus,
    Tallied,
    VotingStyle,
    check_addition,
    greedy_winners,
    parse_cost,
)

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def project(pid: int, cost: int) -> Project:
    return Project(
        pid, 1, 1, CITY_POT, f"p{pid}", "d", cost, cost, None, ProjectStatus.ACCEPTED, NOW
    )


def tallied(*rows: tuple[int, int, int]) -> list[Tallied]:
    return [Tallied(project(pid, cost), votes) for pid, cost, votes in rows]


KNAPSACK = Pot(CITY_POT, 2_000_000, VotingStyle.KNAPSACK)


def test_knapsack_ballot_takes_what_fits_and_says_by_how_much_the_rest_overflows():
    check_addition(KNAPSACK, [1_000_000, 240_000], 760_000, pb_id=1)  # exactly the budget
    with pytest.raises(OverBudgetError) as refused:
        check_addition(KNAPSACK, [1_000_000, 240_000], 800_000, pb_id=1)
    assert refused.value.params["over"] == 40_000


def test_approval_ballot_counts_projects_not_money():
    pot = Pot(CITY_POT, 100, VotingStyle.APPROVAL, max_choices=2)
    check_addition(pot, [90], 1_000_000, pb_id=1)  # cost does not matter
    with pytest.raises(ChoiceLimitError) as refused:
        check_addition(pot, [90, 10], 1, pb_id=1)
    assert refused.value.params["limit"] == 2


def test_greedy_skips_what_does_not_fit_and_takes_the_next_that_does():
    rows = tallied((1, 600, 50), (2, 700, 40), (3, 300, 30), (4, 200, 10))
    # 1 (600) fits, 2 (700) would make 1300 > 1000: skipped; 3 (300) fits; 4 no longer fits.
    assert greedy_winners(rows, 1000) == [1, 3]


def test_greedy_breaks_ties_by_the_cheaper_project_then_the_earlier_one():
    rows = tallied((1, 500, 10), (2, 400, 10), (3, 400, 10))
    assert greedy_winners(rows, 900) == [2, 3]  # both cost 400: 2 was proposed first
    assert greedy_winners(rows, 800) == [2, 3]
    assert greedy_winners(rows, 500) == [2]


def test_a_budget_that_fits_nothing_funds_nothing():
    rows = tallied((1, 5_000, 9), (2, 7_000, 3))
    assert greedy_winners(rows, 4_999) == []
    for rule in PbRule:
        assert rules.winners(rule, rows, [frozenset({1, 2})] * 3, 4_999) == frozenset()


def test_projects_nobody_voted_for_never_win():
    rows = tallied((1, 100, 0), (2, 100, 1))
    assert greedy_winners(rows, 1_000) == [2]
    assert rules.winners(PbRule.GREEDY, rows, [frozenset({2})], 1_000) == {2}
    assert rules.winners(PbRule.EQUAL_SHARES, rows, [frozenset({2})], 1_000) == {2}


def test_greedy_agrees_with_pabutools_greedy_on_random_elections():
    generator = random.Random(20)
    for _round in range(200):
        count = generator.randint(1, 9)
        costs = {
            pid: generator.choice([100, 200, 250, 400, 500, 900]) for pid in range(1, count + 1)
        }
        ballots = [
            frozenset(p for p in costs if generator.random() < 0.4)
            for _voter in range(generator.randint(0, 12))
        ]
        votes = {pid: sum(pid in b for b in ballots) for pid in costs}
        rows = tallied(*((pid, costs[pid], votes[pid]) for pid in costs))
        budget = generator.choice([0, 150, 500, 1000, 1500])
        ours = set(greedy_winners(rows, budget))
        assert ours == rules.winners(PbRule.GREEDY, rows, ballots, budget), (costs, ballots, budget)


def test_equal_shares_is_proportional_where_greedy_serves_only_the_majority():
    # 6 voters want the three "north" projects, 4 want the "south" ones; budget for 5 of them.
    rows = tallied(
        (1, 100, 6), (2, 100, 6), (3, 100, 6), (4, 100, 6), (5, 100, 6), (6, 100, 4), (7, 100, 4)
    )
    ballots = [frozenset({1, 2, 3, 4, 5})] * 6 + [frozenset({6, 7})] * 4
    assert rules.winners(PbRule.GREEDY, rows, ballots, 500) == {1, 2, 3, 4, 5}
    shares = rules.winners(PbRule.EQUAL_SHARES, rows, ballots, 500)
    assert shares & {6, 7}, "the minority's 40% of the money funds some of what it wants"
    assert sum(100 for _p in shares) <= 500


def test_pabulib_text_reads_back_with_pabutools_own_parser():
    rows = tallied((1, 500, 2), (2, 300, 1))
    text = rules.pabulib_text(
        description={"country": "Ukraine", "unit": "Bila Tserkva"},
        rows=rows,
        ballots=[("a1", frozenset({1, 2})), ("b2", frozenset({1}))],
        budget=800,
        max_choices=None,
    )
    instance, profile = parse_pabulib_from_string(text)
    assert instance.budget_limit == 800
    assert {p.name: p.cost for p in instance} == {"1": 500, "2": 300}
    assert sorted(sorted(p.name for p in ballot) for ballot in profile) == [["1"], ["1", "2"]]


@pytest.mark.parametrize(
    ("typed", "cost"),
    [("250000", 250_000), ("250 000", 250_000), ("1 240 000 ₴", 1_240_000), ("90000 грн", 90_000)],
)
def test_costs_as_residents_type_them(typed, cost):
    assert parse_cost(typed) == cost


@pytest.mark.parametrize("typed", ["", "двісті", "1,5 млн", "-5", "12.50", "٣٠٠"])
def test_costs_that_are_not_whole_hryvnias_are_refused(typed):
    assert parse_cost(typed) is None
