"""Every campaign kind's CLI module, listed once.

app.py adds their commands, words.py their words, errors.py their error texts, and
campaign_results.py their `campaign show` / `campaign results`, all from this tuple.
"""

from __future__ import annotations

from admin_cli import consultations, contests, ideas, pb, petitions, polls
from admin_cli.kind import CliKind
from core.campaigns.model import CampaignKind

KINDS: tuple[CliKind, ...] = (
    polls.CLI_KIND,
    ideas.CLI_KIND,
    consultations.CLI_KIND,
    contests.CLI_KIND,
    pb.CLI_KIND,
    petitions.CLI_KIND,
)
BY_KIND: dict[CampaignKind, CliKind] = {k.kind: k for k in KINDS}
