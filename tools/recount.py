#!/usr/bin/env python3
"""Recount a Spilno open-data export, independently of Spilno.

    python tools/recount.py DIR

DIR is what `spilno-admin open-data export --output DIR` wrote: one folder per campaign
(or a single campaign's folder). For each campaign this checks that every file matches the
SHA-256 in manifest.json, recomputes the tally from ballots.csv / answers.csv (a participatory
budget: from each pot's Pabulib file, pot-<code>.pb, and its winners too, by the rule it
published: greedy or the Method of Equal Shares), and compares it with the tally in the
manifest and the published results in campaign.json. One line per
campaign; exit status 1 when anything does not match, 2 when DIR is not an export.

Standard library only, and nothing from Spilno: copy this one file anywhere and run it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

SUPPORTED_VERSIONS = {1}


class Mismatch(Exception):
    pass


def _read_manifest(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != "spilno-open-data":
        raise Mismatch("manifest.json is not a Spilno open-data manifest")
    if manifest.get("version") not in SUPPORTED_VERSIONS:
        raise Mismatch(f"format version {manifest.get('version')} is not supported")
    return manifest


def _check_files(folder: Path, manifest: dict) -> dict[str, bytes]:
    files = {}
    for name, expected in sorted(manifest["files"].items()):
        if "/" in name or "\\" in name or name.startswith("."):
            raise Mismatch(f"unexpected file name in manifest: {name!r}")
        path = folder / name
        if not path.is_file():
            raise Mismatch(f"{name} is missing")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != expected["sha256"]:
            raise Mismatch(f"{name} does not match its SHA-256 in manifest.json")
        files[name] = data
    return files


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _choices(text: str) -> list[str]:
    return [c for c in text.split(";") if c]


def _ballot_tally(rows: list[dict[str, str]]) -> dict:
    pseudonyms = [r["ballot"] for r in rows]
    if len(set(pseudonyms)) != len(pseudonyms):
        raise Mismatch("a ballot appears twice in ballots.csv")
    counts: Counter[str] = Counter()
    for row in rows:
        chosen = _choices(row["choices"])
        if not chosen:
            raise Mismatch(f"ballot {row['ballot']} has no choice")
        if len(set(chosen)) != len(chosen):
            raise Mismatch(f"ballot {row['ballot']} names one choice twice")
        counts.update(chosen)
    return {"voters": len(rows), "counts": dict(sorted(counts.items()))}


def _answer_tally(rows: list[dict[str, str]]) -> dict:
    questions: dict[str, dict] = {}
    seen = set()
    for row in rows:
        key = (row["response"], row["question"])
        if key in seen:
            raise Mismatch(f"response {row['response']} answers question {row['question']} twice")
        seen.add(key)
        question = questions.setdefault(row["question"], {"respondents": 0, "counts": {}})
        question["respondents"] += 1
        for choice in _choices(row["choices"]):
            question["counts"][choice] = question["counts"].get(choice, 0) + 1
    return questions


def _normalised(counts: dict) -> dict:
    return {str(k): int(v) for k, v in counts.items() if int(v)}


def recount(folder: Path) -> str:
    manifest = _read_manifest(folder)
    files = _check_files(folder, manifest)
    if "campaign.json" not in files:
        raise Mismatch("campaign.json is not listed in manifest.json")
    campaign = json.loads(files["campaign.json"].decode("utf-8"))
    if campaign.get("id") != manifest.get("campaign"):
        raise Mismatch("campaign.json and manifest.json are about different campaigns")
    published = campaign.get("results")
    tallies = manifest.get("tallies")
    kind = campaign.get("kind")
    if "ballots.csv" in files:
        counted = _ballot_tally(_rows(files["ballots.csv"]))
        for label, claimed in (("manifest.json", tallies), ("campaign.json", published)):
            if claimed is None:
                raise Mismatch(f"{label} has no tally")
            if int(claimed["voters"]) != counted["voters"]:
                raise Mismatch(
                    f"voters: {counted['voters']} ballots, {label} says {claimed['voters']}"
                )
            if _normalised(claimed["counts"]) != _normalised(counted["counts"]):
                raise Mismatch(f"votes per choice differ from {label}: {_diff(claimed, counted)}")
        summary = ", ".join(f"{k}: {v}" for k, v in counted["counts"].items()) or "no votes"
        return f"{counted['voters']} ballots; {summary}"
    pots = sorted(name for name in files if name.startswith("pot-") and name.endswith(".pb"))
    if pots:
        return _recount_pb(campaign, tallies, {n: files[n] for n in pots})
    if "answers.csv" in files:
        counted_questions = _answer_tally(_rows(files["answers.csv"]))
        for label, claimed in (
            ("manifest.json", (tallies or {}).get("questions")),
            ("campaign.json", (published or {}).get("questions")),
        ):
            if claimed is None:
                raise Mismatch(f"{label} has no tally")
            for qid in sorted(set(claimed) | set(counted_questions)):
                mine = counted_questions.get(qid, {"respondents": 0, "counts": {}})
                theirs = claimed.get(qid, {"respondents": 0, "counts": {}})
                if int(theirs["respondents"]) != mine["respondents"] or _normalised(
                    theirs["counts"]
                ) != _normalised(mine["counts"]):
                    raise Mismatch(f"question {qid} differs from {label}")
        answers = sum(q["respondents"] for q in counted_questions.values())
        return f"{answers} answers to {len(counted_questions)} questions"
    if published is not None:
        raise Mismatch(f"{kind} has published results but no rows to recount them")
    return "nothing to recount"


def _pabulib(text: str) -> tuple[dict, dict, list[tuple[str, list[str]]]]:
    """A Pabulib file's META, PROJECTS (id → row) and VOTES (voter id, projects)."""
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if line in ("META", "PROJECTS", "VOTES"):
            current = sections.setdefault(line, [])
        elif line and current is not None:
            current.append(next(csv.reader([line], delimiter=";")))
    meta = {row[0]: row[1] for row in sections.get("META", [])[1:]}
    header, *rows = sections.get("PROJECTS") or [[]]
    projects = {row[0]: dict(zip(header, row, strict=False)) for row in rows}
    vote_header, *vote_rows = sections.get("VOTES") or [["voter_id", "vote"]]
    column = vote_header.index("vote")
    votes = [(row[0], [p for p in row[column].split(",") if p]) for row in vote_rows]
    return meta, projects, votes


def _greedy(projects: dict, counts: Counter, budget: int) -> list[str]:
    """Kyiv's rule as Spilno publishes it: most votes first, a tie to the cheaper project, then
    to the one proposed first (the lower id); skip what no longer fits."""
    order = sorted(projects, key=_rank(projects, counts).__getitem__)
    remaining, winners = budget, []
    for pid in order:
        cost = int(projects[pid]["cost"])
        if counts[pid] > 0 and cost <= remaining:
            winners.append(pid)
            remaining -= cost
    return sorted(winners, key=int)


def _rank(projects: dict, counts: Counter) -> dict[str, tuple[int, int, int]]:
    """Spilno's published order, which also breaks every tie inside both rules."""
    return {p: (-counts[p], int(projects[p]["cost"]), int(p)) for p in projects}


def _equal_shares_round(
    costs: dict[str, int],
    supporters: dict[str, list[int]],
    rank: dict[str, tuple[int, int, int]],
    share: Fraction,
    voters: int,
) -> list[str]:
    """One run of the Method of Equal Shares with `share` per voter: each round funds the
    project its supporters can pay for at the lowest price per hryvnia of satisfaction (a voter
    pays up to rho × cost, or all they have left), until no project is affordable."""
    money = [share] * voters
    remaining = set(costs)
    funded: list[str] = []
    while True:
        best: Fraction | None = None
        tied: list[str] = []
        for pid in sorted(remaining):
            cost = costs[pid]
            have = sorted(money[v] for v in supporters[pid])
            if sum(have) < cost:
                remaining.discard(pid)  # money only shrinks in a run: never affordable again
                continue
            paid, left = Fraction(0), len(have)
            for budget in have:  # the poorest pay all they have, the rest rho × cost each
                rho = (cost - paid) / (left * cost)
                if rho * cost <= budget:
                    break
                paid += budget
                left -= 1
            if best is None or rho < best:
                best, tied = rho, [pid]
            elif rho == best:
                tied.append(pid)
        if best is None:
            return funded
        chosen = min(tied, key=rank.__getitem__)
        funded.append(chosen)
        remaining.discard(chosen)
        for v in supporters[chosen]:
            money[v] -= min(money[v], best * costs[chosen])


def _equal_shares(
    projects: dict, votes: list[tuple[str, list[str]]], counts: Counter, budget: int
) -> list[str]:
    """The Method of Equal Shares for approval ballots with cost satisfaction, completed as
    Spilno publishes it (pabutools' `method_of_equal_shares` with `voter_budget_increment=1`):
    every voter starts with budget / voters; while the outcome leaves money that could still
    fund a supported project, each voter's share grows by one hryvnia and the rule runs again;
    the last outcome within the budget stands."""
    supported = [p for p in projects if counts[p] > 0]
    if not votes or not supported or budget <= 0:
        return []
    costs = {p: int(projects[p]["cost"]) for p in supported}
    supporters: dict[str, list[int]] = {p: [] for p in supported}
    for index, (_voter, chosen) in enumerate(votes):
        for pid in chosen:
            supporters[pid].append(index)
    rank = _rank(projects, counts)
    share = Fraction(budget, len(votes))
    previous: list[str] = []
    while True:
        outcome = _equal_shares_round(costs, supporters, rank, share, len(votes))
        spent = sum(costs[p] for p in outcome)
        if spent > budget:
            return sorted(previous, key=int)
        if all(p in outcome or spent + costs[p] > budget for p in supported):
            return sorted(outcome, key=int)
        share += 1
        previous = outcome


def _recount_pb(campaign: dict, tallies: dict | None, files: dict[str, bytes]) -> str:
    published = campaign.get("results") or {}
    lines = []
    for name, data in files.items():
        pot = name[len("pot-") : -len(".pb")]
        meta, projects, votes = _pabulib(data.decode("utf-8"))
        voters = [v for v, _chosen in votes]
        if len(set(voters)) != len(voters):
            raise Mismatch(f"{name}: a ballot appears twice")
        budget = int(meta["budget"])
        counts: Counter[str] = Counter()
        for voter, chosen in votes:
            if not chosen or len(set(chosen)) != len(chosen):
                raise Mismatch(f"{name}: ballot {voter} is empty or names a project twice")
            if any(p not in projects for p in chosen):
                raise Mismatch(f"{name}: ballot {voter} names a project not on the ballot")
            if "max_sum_cost" in meta and sum(int(projects[p]["cost"]) for p in chosen) > int(
                meta["max_sum_cost"]
            ):
                raise Mismatch(f"{name}: ballot {voter} goes over the budget")
            if "max_length" in meta and len(chosen) > int(meta["max_length"]):
                raise Mismatch(f"{name}: ballot {voter} chooses too many projects")
            counts.update(chosen)
        counted = {"voters": len(votes), "counts": dict(counts)}
        listed = {p: int(row.get("votes", 0)) for p, row in projects.items()}
        if _normalised(listed) != _normalised(counts):
            raise Mismatch(f"{name}: the PROJECTS votes differ from the VOTES")
        for label, claimed in (
            ("manifest.json", ((tallies or {}).get("pots") or {}).get(pot)),
            ("campaign.json", (published.get("pots") or {}).get(pot)),
        ):
            if claimed is None:
                raise Mismatch(f"{label} has no tally for the {pot} pot")
            if int(claimed["voters"]) != counted["voters"]:
                raise Mismatch(
                    f"{pot}: {counted['voters']} ballots, {label} says {claimed['voters']}"
                )
            if _normalised(claimed["counts"]) != _normalised(counted["counts"]):
                raise Mismatch(f"{pot}: votes differ from {label}: {_diff(claimed, counted)}")
        winners = (published.get("pots") or {}).get(pot, {}).get("winners")
        rule = published.get("rule")
        if winners is not None:
            if rule == "greedy":
                mine = _greedy(projects, counts, budget)
            elif rule == "equal-shares":
                mine = _equal_shares(projects, votes, counts, budget)
            else:
                raise Mismatch(f"{pot}: unknown counting rule {rule!r}")
            if mine != sorted((str(w) for w in winners), key=int):
                raise Mismatch(f"{pot}: {rule} winners {mine}, campaign.json says {winners}")
        lines.append(f"{pot}: {len(votes)} ballots")
    return "; ".join(lines)


def _diff(claimed: dict, counted: dict) -> str:
    theirs, mine = _normalised(claimed["counts"]), _normalised(counted["counts"])
    keys = sorted(set(theirs) | set(mine))
    return ", ".join(
        f"{k}: {mine.get(k, 0)} counted vs {theirs.get(k, 0)} published"
        for k in keys
        if theirs.get(k, 0) != mine.get(k, 0)
    )


def campaign_folders(root: Path) -> list[Path]:
    if (root / "manifest.json").is_file():
        return [root]
    return sorted(
        (p for p in root.iterdir() if (p / "manifest.json").is_file()),
        key=lambda p: (len(p.name), p.name),
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python recount.py DIR", file=sys.stderr)
        return 2
    root = Path(argv[0])
    if not root.is_dir():
        print(f"recount: {root} is not a folder", file=sys.stderr)
        return 2
    folders = campaign_folders(root)
    if not folders:
        print(f"recount: no manifest.json in {root} or its sub-folders", file=sys.stderr)
        return 2
    failed = False
    for folder in folders:
        try:
            print(f"{folder.name}: ok — {recount(folder)}")
        except Mismatch as problem:
            failed = True
            print(f"{folder.name}: MISMATCH — {problem}")
        except (OSError, ValueError, KeyError, TypeError) as problem:
            failed = True
            print(
                f"{folder.name}: MISMATCH — unreadable export ({type(problem).__name__}: {problem})"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
