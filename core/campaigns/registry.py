"""Every campaign kind, listed once (no kind registers itself on import).

Adding a kind: a folder `core/<kind>/` (model, service, ports/sql/tables, plan.py if it is
created from a file, and `kind.py` with its `CampaignKindSpec`), a value in `CampaignKind`, its
spec in `_specs` below, one dialog module, one CLI module and one migration. The lifecycle, the
pushes and the scheduler's sweeps come from the template (core/campaigns/service.py, pushes.py,
core/scheduling/jobs.py), and storage composes its tables, repositories, participants and
citizen columns from the spec (core/storage/schema.py, unit_of_work.py, participation.py).

The order is the order the kinds' own sweeps run and report in (core/scheduling/jobs.py).
The specs are imported on the registry's first use: each brings its kind's services, tables
and SQL, which a command that touches no kind (`spilno-admin campaign list`) does without.
"""

from __future__ import annotations

from core.campaigns.kinds import CampaignKindSpec, KindRegistry


def _specs() -> tuple[CampaignKindSpec, ...]:
    from core.consultations.kind import CONSULTATION
    from core.contests.kind import CONTEST
    from core.ideas.kind import IDEA_CALL
    from core.pb.kind import PB
    from core.petitions.kind import PETITION
    from core.polls.kind import POLL

    return (POLL, IDEA_CALL, CONTEST, CONSULTATION, PB, PETITION)


KINDS = KindRegistry(_specs)
