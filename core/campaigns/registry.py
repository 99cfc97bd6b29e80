"""Every campaign kind, listed once. Adding a kind adds its spec here (and to CampaignKind).

The order is the order the kinds' sweeps run and report in (core/scheduling/jobs.py).
"""

from __future__ import annotations

from core.campaigns.kinds import KindRegistry
from core.consultations.kind import CONSULTATION
from core.contests.kind import CONTEST
from core.ideas.kind import IDEA_CALL
from core.polls.kind import POLL

KINDS = KindRegistry((POLL, IDEA_CALL, CONTEST, CONSULTATION))
