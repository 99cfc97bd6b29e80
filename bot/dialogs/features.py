"""Every feature's dialog module, listed once (nothing registers itself on import).

router.py, menu.py, campaign_links.py, refusals.py and errors.py compose their tables from
this tuple; the order is the menu's and the order typed input is matched in.
"""

from __future__ import annotations

from bot.dialogs import (
    consultations,
    contests,
    events,
    ideas,
    identity,
    orgs,
    pb,
    petitions,
    polls,
)
from bot.dialogs.feature import Feature

FEATURES: tuple[Feature, ...] = (
    polls.FEATURE,
    ideas.FEATURE,
    petitions.FEATURE,
    consultations.FEATURE,
    contests.FEATURE,
    pb.FEATURE,
    orgs.FEATURE,
    events.FEATURE,
    identity.FEATURE,
)
