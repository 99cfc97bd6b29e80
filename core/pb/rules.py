"""The counting rules, computed by pabutools (the reference implementation of PB rules),
and the Pabulib `.pb` text of a pot's ballots (the open format PB data is published in).

Projects are named by their id; a ballot is the set of projects a resident submitted in one
pot (knapsack and approval ballots are both approval sets; the budget is the instance's
limit). Satisfaction is the cost of what a voter approved (`Cost_Sat`), under which greedy
welfare ranks projects by their vote count — Kyiv's rule — and the Method of Equal Shares is
its proportional form, completed by raising voters' budgets (the "add one" completion used
in Wieliczka), so no money is left unspent that could still fund a project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    Instance,
)
from pabutools.election import Project as PabuProject
from pabutools.election.pabulib import election_as_pabulib_string
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule

from core.pb.model import PbRule, Tallied, rank_key


def _election(
    rows: Sequence[Tallied], ballots: Iterable[frozenset[int]], budget: int
) -> tuple[Instance, ApprovalProfile, dict[int, Tallied]]:
    by_id = {r.project.id: r for r in rows}
    projects = {pid: PabuProject(str(pid), r.project.cost) for pid, r in by_id.items()}
    instance = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile(
        [ApprovalBallot(projects[p] for p in ballot if p in projects) for ballot in ballots],
        instance=instance,
    )
    return instance, profile, by_id


def _tie_breaking(by_id: Mapping[int, Tallied]) -> TieBreakingRule:
    # pabutools orders tied projects by this key, smallest first: our published rank order.
    return TieBreakingRule(lambda _inst, _prof, project: rank_key(by_id[int(project.name)]))


def winners(
    rule: PbRule, rows: Sequence[Tallied], ballots: Sequence[frozenset[int]], budget: int
) -> frozenset[int]:
    """The ids of the projects `rule` funds from `budget`; projects nobody voted for never do."""
    voted = [r for r in rows if r.votes > 0]
    if not voted or budget <= 0:
        return frozenset()
    instance, profile, by_id = _election(voted, ballots, budget)
    tie = _tie_breaking(by_id)
    if rule == PbRule.GREEDY:
        funded = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, tie_breaking=tie)
    else:
        funded = method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, tie_breaking=tie, voter_budget_increment=1
        )
    return frozenset(int(p.name) for p in funded)  # type: ignore[union-attr]


def pabulib_text(
    *,
    description: Mapping[str, str],
    rows: Sequence[Tallied],
    ballots: Sequence[tuple[str, frozenset[int]]],
    budget: int,
    max_choices: int | None,
    receipts: Mapping[str, str] | None = None,
) -> str:
    """One pot as a Pabulib file: META (the given description plus budget and vote type),
    PROJECTS, VOTES (`voter_id` is the pseudonymous id the caller gives; with `receipts`,
    voter id → code, a `receipt` column, empty for a ballot that has none)."""
    instance, profile, _by_id = _election(rows, [b for _v, b in ballots], budget)
    instance.meta = dict(description)
    instance.meta["vote_type"] = "approval"
    instance.meta["budget"] = str(budget)
    instance.meta["num_projects"] = str(len(rows))
    instance.meta["num_votes"] = str(len(ballots))
    if max_choices is not None:
        instance.meta["max_length"] = str(max_choices)
    else:
        instance.meta["max_sum_cost"] = str(budget)
    instance.project_meta = {
        p: {"cost": str(p.cost), "votes": str(_by_id[int(p.name)].votes)} for p in instance
    }
    for ballot, (voter, _chosen) in zip(profile, ballots, strict=True):
        ballot.name = voter
        ballot.meta = {"voter_id": voter}
    text = election_as_pabulib_string(instance, profile)
    return text if receipts is None else _with_receipts(text, receipts)


def _with_receipts(text: str, receipts: Mapping[str, str]) -> str:
    # pabutools writes a ballot's extra meta into the PROJECTS header (1.2.3), so the VOTES
    # section gets its `receipt` column here; its parser reads the column back as ballot meta.
    head, votes = text.split("\nVOTES\n", 1)
    header, *rows = votes.splitlines()
    column = header.split(";").index("voter_id")
    lines = [f"{header};receipt"]
    lines += [f"{row};{receipts.get(row.split(';')[column], '')}" for row in rows]
    return head + "\nVOTES\n" + "\n".join(lines) + "\n"
