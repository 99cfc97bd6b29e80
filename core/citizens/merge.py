"""One person across messengers: two citizens become one (the older survives).

The table-by-table rules live in the participation registry (core/storage/participation.py,
`OnMerge`) and are carried out by `uow.merges` in one transaction; this module decides who
survives, keeps the resident's unfinished idea, and writes the audit log (a voided ballot:
who, which poll, which ballot — never how anyone voted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.audit import service as audit
from core.citizens.model import Citizen, LinkingError, MergeReport
from core.kernel.unit_of_work import UnitOfWork

# Dialog-state keys worth keeping from the merged citizen (the unfinished idea).
_LASTING_STATE = ("draft",)


@dataclass(frozen=True, slots=True)
class MergeOutcome:
    survivor: Citizen
    report: MergeReport


async def merge_citizens(
    uow: UnitOfWork, first_id: int, second_id: int, *, actor: str, reason: str, now: datetime
) -> MergeOutcome:
    """Merge two citizens into the older one. LinkingError("link_gone") when either is gone
    (a concurrent merge got there first) or they already are one."""
    if first_id == second_id:
        raise LinkingError("already_linked")
    locked = await uow.merges.lock([first_id, second_id])
    if len(locked) != 2:
        raise LinkingError("link_gone")
    (survivor_id, _), (merged_id, _) = sorted(locked, key=lambda row: (row[1], row[0]))
    merged = await uow.residents.get(merged_id)
    identities = await uow.citizens.identities_of([survivor_id, merged_id])
    report = await uow.merges.merge(survivor_id, merged_id)
    survivor = await uow.residents.get(survivor_id)
    assert survivor is not None and merged is not None
    carried = {
        key: merged.dialog_state[key]
        for key in _LASTING_STATE
        if key in merged.dialog_state and key not in survivor.dialog_state
    }
    if carried:
        survivor.dialog_state = {**survivor.dialog_state, **carried}
        await uow.citizens.save(survivor)
    await audit.record(
        uow,
        actor=actor,
        action="citizens.merge",
        object_type="citizen",
        object_id=survivor_id,
        now=now,
        before={
            "survivor": [str(ref) for ref in identities.get(survivor_id, [])],
            "merged": [str(ref) for ref in identities.get(merged_id, [])],
            "merged_citizen": merged_id,
        },
        after={"reason": reason, "collapsed": report.dropped_rows},
    )
    for voided in report.voided_ballots:
        await audit.record(
            uow,
            actor=actor,
            action="ballot.void",
            object_type="ballot",
            object_id=voided.voided_ballot_id,
            now=now,
            after={
                "campaign_id": voided.campaign_id,
                "citizen": voided.voided_citizen_id,
                "identities": [str(ref) for ref in identities.get(voided.voided_citizen_id, [])],
                "standing_ballot": voided.standing_ballot_id,
                "reason": "merged_citizens",
            },
        )
    return MergeOutcome(survivor, report)
