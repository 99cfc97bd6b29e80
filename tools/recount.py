#!/usr/bin/env python3
"""Recount a Spilno open-data export, independently of Spilno.

    python tools/recount.py DIR

DIR is what `spilno-admin open-data export --output DIR` wrote: one folder per campaign
(or a single campaign's folder). For each campaign this checks that every file matches the
SHA-256 in manifest.json, recomputes the tally from ballots.csv / answers.csv, and compares it
with the tally in the manifest and the published results in campaign.json. One line per
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
