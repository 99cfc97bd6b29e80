""" "My data": everything Spilno holds about one resident, as one JSON document labelled in
their language. The tables come from the participation registry (core/storage/participation.py),
so a new feature's rows are included as soon as it lists its citizen columns there."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from core.hromadas.taxonomy import N_
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork

# The order residents read the sections in; a table not named here comes after, by its name.
SECTIONS: dict[str, str] = {
    "citizen": N_("Your settings (language, notifications, district, verification)"),
    "identities": N_("Your messenger accounts"),
    "subscriptions": N_("Topics and parts of the city you follow"),
    "org_followers": N_("Organizations you follow"),
    "ballots": N_("Your poll votes, with receipts"),
    "contest_participants": N_("Contests you took part in, with receipts"),
    "pb_ballots": N_("Your public budget ballots, with receipts"),
    "contest_votes": N_("Your contest votes"),
    "contest_entries": N_("Your contest entries"),
    "consultation_responses": N_("Your consultation answers"),
    "ideas": N_("Your ideas"),
    "idea_comments": N_("Your comments"),
    "idea_supports": N_("Ideas you supported"),
    "idea_reports": N_("Ideas and comments you reported"),
    "event_rsvps": N_("Events you answered"),
}


async def export_resident(uow: UnitOfWork, citizen_id: int, *, now: datetime) -> dict[str, Any]:
    """The document, in the current locale (the caller sets the resident's language)."""
    citizen = await uow.resident_data.citizen_row(citizen_id)
    tables = await uow.resident_data.rows_of(citizen_id)
    if ballots := tables.get("ballots"):
        choices = await uow.resident_data.ballot_choices([int(b["id"]) for b in ballots])
        for ballot in ballots:
            ballot["choices"] = sorted(choices.get(int(ballot["id"]), []))
    if responses := tables.get("consultation_responses"):
        answers = await uow.resident_data.consultation_answers([int(r["id"]) for r in responses])
        for response in responses:
            response["answers"] = answers.get(int(response["id"]), [])
    titles = await _campaign_titles(uow, tables)
    for rows in tables.values():
        for row in rows:
            campaign_id = row.get("campaign_id") or row.get("contest_id")
            if campaign_id in titles:
                row["campaign"] = titles[campaign_id]
    found = {"citizen": [citizen] if citizen else [], **tables}
    order = list(SECTIONS) + sorted(set(found) - set(SECTIONS))
    return {
        "title": _("Everything Spilno holds about you"),
        "exported_at": now.astimezone(UTC).isoformat(),
        "sections": [
            {
                "key": key,
                "label": _(SECTIONS[key]) if key in SECTIONS else key,
                "rows": found[key],
            }
            for key in order
            if key in found
        ],
    }


async def _campaign_titles(uow: UnitOfWork, tables: dict[str, list[dict]]) -> dict[int, str]:
    ids = {
        row.get("campaign_id") or row.get("contest_id") for rows in tables.values() for row in rows
    } - {None}
    titles = {}
    for campaign_id in sorted(ids):  # type: ignore[type-var]
        campaign = await uow.campaigns.get(int(campaign_id))  # type: ignore[arg-type]
        if campaign is not None:
            titles[int(campaign_id)] = campaign.title  # type: ignore[arg-type]
    return titles


def as_json_bytes(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
