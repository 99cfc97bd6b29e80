"""tools/recount.py's own Method of Equal Shares (standard library, exact fractions) agrees with
what Spilno publishes through pabutools (core/pb/rules.py) on random small elections — small
enough that ties in votes, costs and prices are common — and so does its greedy rule."""

from __future__ import annotations

import importlib.util
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from core.pb import rules
from core.pb.model import PbRule, Project, ProjectStatus, Tallied

ROOT = Path(__file__).resolve().parents[2]
ELECTIONS = 100


def _recount_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("recount", ROOT / "tools" / "recount.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


recount = _recount_module()


def _project(pid: int, cost: int) -> Project:
    return Project(
        id=pid,
        pb_id=1,
        author_id=1,
        pot="city",
        title=f"P{pid}",
        description="",
        estimate=cost,
        cost=cost,
        photo_ref=None,
        status=ProjectStatus.ACCEPTED,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def _election(rng: random.Random) -> tuple[dict[int, int], list[frozenset[int]], int]:
    costs = {pid: rng.randint(1, 12) for pid in range(10, 10 + rng.randint(1, 6))}
    ballots = []
    for _ in range(rng.randint(1, 9)):
        chosen = frozenset(p for p in costs if rng.random() < 0.45)
        ballots.append(chosen or frozenset([rng.choice(list(costs))]))
    return costs, ballots, rng.randint(1, 30)


def _published(rule: PbRule, costs, ballots, budget) -> list[str]:
    counts = Counter(p for ballot in ballots for p in ballot)
    rows = [Tallied(_project(pid, cost), counts[pid]) for pid, cost in costs.items()]
    return sorted((str(p) for p in rules.winners(rule, rows, ballots, budget)), key=int)


def _recounted(rule: PbRule, costs, ballots, budget) -> list[str]:
    projects = {str(pid): {"cost": str(cost)} for pid, cost in costs.items()}
    votes = [(f"v{i}", sorted(str(p) for p in ballot)) for i, ballot in enumerate(ballots)]
    counts = Counter(p for _v, chosen in votes for p in chosen)
    if rule == PbRule.GREEDY:
        return recount._greedy(projects, counts, budget)
    return recount._equal_shares(projects, votes, counts, budget)


@pytest.mark.parametrize("rule", list(PbRule))
def test_the_recount_agrees_with_pabutools_on_random_small_elections(rule: PbRule) -> None:
    rng = random.Random(f"spilno-{rule.value}")
    differing = []
    funded_somewhere = 0
    for _ in range(ELECTIONS):
        costs, ballots, budget = _election(rng)
        published = _published(rule, costs, ballots, budget)
        funded_somewhere += bool(published)
        if _recounted(rule, costs, ballots, budget) != published:
            differing.append((costs, ballots, budget, published))
    assert not differing, differing[:3]
    assert funded_somewhere > ELECTIONS // 2  # the elections are not all trivially empty


def test_equal_shares_differs_from_greedy_where_a_majority_would_take_everything() -> None:
    # 6 voters want the two expensive projects, 4 want the two cheap ones: greedy funds the
    # majority's projects only, MES gives the minority its proportional share.
    costs = {1: 50, 2: 50, 3: 40, 4: 40}
    ballots = [frozenset({1, 2})] * 6 + [frozenset({3, 4})] * 4
    assert _recounted(PbRule.GREEDY, costs, ballots, 100) == ["1", "2"]
    assert _recounted(PbRule.EQUAL_SHARES, costs, ballots, 100) == ["1", "3"]
    assert _published(PbRule.EQUAL_SHARES, costs, ballots, 100) == ["1", "3"]
