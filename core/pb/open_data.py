"""A participatory budget's open data: `campaign.json` (the pots, the projects, the published
counts and winners) and one Pabulib file per pot, `pot-<code>.pb` — the open format PB data
is published in (pabulib.org), readable by pabutools and by tools/recount.py.

Each submitted ballot is a pseudonym keyed with the server secret and scoped to this
campaign's export, as every kind's ballots are; what was chosen is public, who chose it is not.
With receipts on, each ballot's row carries the code its voter got on the final submission.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from core.campaigns.kinds import KindOpenData
from core.campaigns.model import Campaign
from core.kernel.unit_of_work import UnitOfWork
from core.pb import service as pbs
from core.pb.ports import PBS


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


async def pb_open_data(
    uow: UnitOfWork, campaign: Campaign, now: datetime, shared: dict[str, Any]
) -> KindOpenData:
    outcome = await pbs.results(uow, campaign.id, now=now, for_official=True)
    pb = outcome.pb
    submitted = await uow.repository(PBS).submitted_ballots(campaign.id)
    receipts = await uow.repository(PBS).receipts(campaign.id) if campaign.receipts else None
    secret = uow.policies.secret
    scope = f"campaign:{campaign.id}"
    published = pb.results_published()
    files: dict[str, bytes] = {}
    tally: dict[str, Any] = {"pots": {}}
    results: dict[str, Any] = {"rule": pb.rule.value, "pots": {}}
    rows = 0
    for pot in outcome.pots:
        ballots, codes = [], {}
        for ballot_id, _citizen, code, chosen in submitted:
            if code != pot.pot.code:
                continue
            voter = secret.pseudonym(scope, f"pb_ballot:{ballot_id}")
            ballots.append((voter, chosen))
            if receipts is not None and ballot_id in receipts:
                codes[voter] = receipts[ballot_id]
        rows += len(ballots)
        counts = {str(r.project.id): r.votes for r in pot.ranked if r.votes}
        tally["pots"][pot.pot.code] = {"voters": len(ballots), "counts": counts}
        results["pots"][pot.pot.code] = {
            "voters": pot.voters,
            "counts": counts,
            "winners": sorted(pot.winners[pb.rule]) if published else None,
        }
        from core.pb import rules  # pabutools (and numpy): loaded by the export only

        files[f"pot-{pot.pot.code}.pb"] = rules.pabulib_text(
            description={
                "description": f"{campaign.title} — {pot.pot.code}",
                "country": "Ukraine",
                "unit": pot.pot.code,
                "instance": str(campaign.id),
                "rule": pb.rule.value,
                "date_begin": pb.voting_opens_at.astimezone(UTC).date().isoformat(),
                "date_end": (campaign.closes_at or now).astimezone(UTC).date().isoformat(),
            },
            rows=pot.ranked,
            ballots=sorted(ballots),
            budget=pot.pot.budget,
            max_choices=pot.pot.max_choices,
            receipts=codes if receipts is not None else None,
        ).encode()
    info = shared | {
        "phase": pb.phase.value,
        "rule": pb.rule.value,
        "pots": [
            {"pot": p.code, "budget": p.budget, "style": p.style.value, "max": p.max_choices}
            for p in pb.pots
        ],
        "projects": [
            {
                "id": r.project.id,
                "pot": pot.pot.code,
                "title": r.project.title,
                "cost": r.project.cost,
            }
            for pot in outcome.pots
            for r in pot.ranked
        ],
        "results": results,
    }
    files["campaign.json"] = _json(info)
    return KindOpenData(files=files, tally=tally, rows=rows)
