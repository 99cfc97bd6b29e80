"""What officials call each campaign kind (msgids), without importing the kinds' CLI modules:
`campaign list` prints kinds, and a remote command should not load every kind to do so.
tests/unit/test_cli_words.py checks these are the names the kinds' CliKind give."""

from __future__ import annotations

from core.campaigns.model import CampaignKind
from core.hromadas.taxonomy import N_

KIND_NAMES: dict[str, str] = {
    CampaignKind.POLL: N_("poll"),
    CampaignKind.IDEA_CALL: N_("idea call"),
    CampaignKind.CONSULTATION: N_("consultation"),
    CampaignKind.CONTEST: N_("contest"),
    CampaignKind.PB: N_("public budget"),
    CampaignKind.PETITION: N_("petition"),
}
