"""Open data: one campaign as files anyone can recount (`tools/recount.py`, standard library).

Per campaign: `campaign.json` (what was asked, the window, who could take part, the published
results), `ballots.csv` (polls, contests) or `answers.csv` (consultations), and
`manifest.json` (format version, SHA-256 of each file, the tallies, the audit log's head).
The columns are documented in README ("Open data"); the format only changes with `version`.

A ballot's pseudonym is keyed with the server secret and scoped to the campaign: stable
within one campaign's export, unlinkable across campaigns, and not reversible by enumerating
ids. Districts and verification say who took part without saying who; `cast_hour` is rounded
down to the hour so the order of ballots cannot be matched against who wrote to the bot when.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.audit import service as audit
from core.campaigns import results as poll_results
from core.campaigns import service as campaigns
from core.campaigns.model import Campaign, CampaignKind
from core.consultations import service as consultations
from core.consultations.model import QuestionType, mask_indexes
from core.contests import service as contests
from core.contests.model import EntryStatus
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require
from core.polls import service as polls
from core.trust.ports import AnswerRecord, BallotRecord

FORMAT = "spilno-open-data"
VERSION = 1
BALLOT_COLUMNS = ("ballot", "choices", "district", "verification", "cast_hour", "receipt")
ANSWER_COLUMNS = (
    "response",
    "question",
    "choices",
    "text",
    "district",
    "verification",
    "submitted_hour",
)


@dataclass(slots=True)
class CampaignExport:
    campaign_id: int
    kind: str
    files: dict[str, bytes] = field(default_factory=dict)
    tally: dict[str, Any] | None = None
    rows: int = 0

    @property
    def directory(self) -> str:
        return f"campaign-{self.campaign_id}"


def _hour(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:00Z")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _csv(columns: tuple[str, ...], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _verification(verified: bool) -> str:
    return "phone" if verified else "none"


def _ballot_rows(
    uow: UnitOfWork, campaign: Campaign, records: list[BallotRecord]
) -> list[list[object]]:
    secret = uow.policies.secret
    scope = f"campaign:{campaign.id}"
    return [
        [
            secret.pseudonym(scope, f"ballot:{r.key}"),
            ";".join(str(c) for c in r.choices),
            r.district or "",
            _verification(r.verified),
            _hour(r.cast_at),
            (r.receipt or "") if campaign.receipts else "",
        ]
        for r in records
    ]


def _ballot_tally(records: list[BallotRecord]) -> dict[str, Any]:
    counts: Counter[int] = Counter(c for r in records for c in r.choices)
    return {"voters": len(records), "counts": {str(k): v for k, v in sorted(counts.items())}}


def _campaign_json(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "kind": campaign.kind.value,
        "title": campaign.title,
        "description": campaign.description,
        "status": campaign.status.value,
        "window": {"opens_at": _iso(campaign.opens_at), "closes_at": _iso(campaign.closes_at)},
        "eligibility": {"audience": campaign.audience or "all"},
        "results_visibility": campaign.results_visibility.value,
        "receipts": campaign.receipts,
    }


async def _poll(uow: UnitOfWork, campaign: Campaign, now: datetime) -> CampaignExport:
    poll = await polls.get_poll(uow, campaign.id)
    published = await poll_results.poll_results(uow, campaign.id, now=now, for_official=True)
    records = await uow.open_data.poll_ballots(campaign.id)
    out = CampaignExport(campaign.id, campaign.kind.value, rows=len(records))
    out.tally = _ballot_tally(records)
    info = _campaign_json(campaign) | {
        "max_choices": poll.max_choices,
        "options": [{"id": o.id, "label": o.label} for o in poll.options],
        "results": {
            "voters": published.voters,
            "counts": {str(o.option_id): o.votes for o in published.options if o.votes},
        },
    }
    out.files["campaign.json"] = _json(info)
    out.files["ballots.csv"] = _csv(BALLOT_COLUMNS, _ballot_rows(uow, campaign, records))
    return out


async def _contest(uow: UnitOfWork, campaign: Campaign, now: datetime) -> CampaignExport:
    contest = await contests.get_contest(uow, campaign.id)
    published = await contests.results(uow, campaign.id, now=now, for_official=True)
    entries = await contests.list_entries(uow, campaign.id, statuses=[EntryStatus.APPROVED])
    records = await uow.open_data.contest_ballots(campaign.id)
    out = CampaignExport(campaign.id, campaign.kind.value, rows=len(records))
    out.tally = _ballot_tally(records)
    info = _campaign_json(campaign) | {
        "phase": contest.phase.value,
        "voting_opens_at": _iso(contest.voting_opens_at),
        "votes_per_resident": contest.votes_per_resident,
        "winners": contest.winners,
        "entries": [{"id": e.id, "title": e.title} for e in entries],
        "results": {
            "voters": published.voters,
            "counts": {str(r.entry.id): r.votes for r in published.ranked if r.votes},
            "winners": [r.entry.id for r in published.winners],
        },
    }
    out.files["campaign.json"] = _json(info)
    out.files["ballots.csv"] = _csv(BALLOT_COLUMNS, _ballot_rows(uow, campaign, records))
    return out


def _answer_choices(kind: QuestionType, value: int | None) -> list[int]:
    if value is None:
        return []
    return mask_indexes(value) if kind == QuestionType.MULTIPLE else [value]


async def _consultation(uow: UnitOfWork, campaign: Campaign, now: datetime) -> CampaignExport:
    consultation = await consultations.get_consultation(uow, campaign.id)
    published = await consultations.results(uow, campaign.id, now=now, for_official=True)
    public = await uow.open_data.texts_public(campaign.id)
    records: list[AnswerRecord] = await uow.open_data.consultation_answers(campaign.id)
    kinds = {q.id: q.type for q in consultation.questions}
    secret = uow.policies.secret
    scope = f"campaign:{campaign.id}"
    rows: list[list[object]] = []
    tally: dict[str, dict[str, Any]] = {}
    for r in records:
        chosen = _answer_choices(kinds[r.question_id], r.value)
        rows.append(
            [
                secret.pseudonym(scope, f"response:{r.response_key}"),
                r.question_id,
                ";".join(str(c) for c in chosen),
                (r.text or "") if public else "",
                r.district or "",
                _verification(r.verified),
                _hour(r.submitted_at),
            ]
        )
        question = tally.setdefault(str(r.question_id), {"respondents": 0, "counts": {}})
        question["respondents"] += 1
        for c in chosen:
            question["counts"][str(c)] = question["counts"].get(str(c), 0) + 1
    out = CampaignExport(campaign.id, campaign.kind.value, rows=len(rows))
    out.tally = {"submissions": published.submissions, "questions": tally}
    info = _campaign_json(campaign) | {
        "texts_public": public,
        "questions": [
            {
                "id": q.id,
                "key": q.key,
                "type": q.type.value,
                "text": q.text,
                "choices": [{"value": v, "label": label} for v, label in q.choices()]
                if q.type != QuestionType.TEXT
                else [],
            }
            for q in consultation.questions
        ],
        "results": {
            "submissions": published.submissions,
            "questions": {
                str(qr.question.id): {
                    "respondents": qr.respondents,
                    "counts": {
                        str(v): c.count
                        for (v, _label), c in zip(qr.question.choices(), qr.choices, strict=False)
                        if c.count
                    },
                }
                for qr in published.questions
                if qr.respondents
            },
        },
    }
    out.files["campaign.json"] = _json(info)
    out.files["answers.csv"] = _csv(ANSWER_COLUMNS, rows)
    return out


async def _uncounted(uow: UnitOfWork, campaign: Campaign, now: datetime) -> CampaignExport:
    """An idea call has no tally to recount: only its description."""
    out = CampaignExport(campaign.id, campaign.kind.value)
    out.files["campaign.json"] = _json(_campaign_json(campaign) | {"results": None})
    return out


_BUILDERS = {
    CampaignKind.POLL: _poll,
    CampaignKind.CONTEST: _contest,
    CampaignKind.CONSULTATION: _consultation,
}


async def export_campaigns(
    uow: UnitOfWork, campaign_ids: list[int] | None, *, actor: str, now: datetime
) -> tuple[list[CampaignExport], str]:
    """Build the exports (None: every campaign) and their manifests; the export is audit-logged
    first, so each manifest names the head that includes it. Returns the exports and the head."""
    await require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    ids = campaign_ids if campaign_ids is not None else await uow.open_data.campaign_ids()
    exports = []
    for campaign_id in ids:
        campaign = await campaigns.get_campaign(uow, campaign_id)
        build = _BUILDERS.get(campaign.kind, _uncounted)
        exports.append(await build(uow, campaign, now))
    head = await audit.record(
        uow,
        actor=actor,
        action="open_data.export",
        object_type="campaign",
        object_id=",".join(str(i) for i in ids) if len(ids) <= 10 else "*",
        now=now,
        after={"campaigns": len(ids), "rows": sum(e.rows for e in exports)},
    )
    for export in exports:
        export.files["manifest.json"] = _json(
            {
                "format": FORMAT,
                "version": VERSION,
                "campaign": export.campaign_id,
                "kind": export.kind,
                "exported_at": _iso(now),
                "audit_head": head,
                "files": {
                    name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                    for name, data in sorted(export.files.items())
                },
                "tallies": export.tally,
            }
        )
    return exports, head
