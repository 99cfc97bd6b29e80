"""Who may take part, explained on every campaign screen and in every refusal, with the button
that fixes it (confirm the phone number, set the home district) and the way back afterwards.

A leaf module: campaign screens, refusals and the error table use it; it imports no feature.
The fixing screens themselves live in bot/dialogs/home_district.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.dialogs.turn import Turn
from bot.ui import Action, Button, Id, Word, encode_payload
from core.campaigns import service as campaigns
from core.campaigns.eligibility import Ineligible
from core.campaigns.model import Campaign, CampaignKind
from core.citizens.model import Citizen
from core.hromadas.taxonomy import district_name
from core.kernel.i18n import _, format_datetime, ngettext

# Dialog state: the campaign a resident left to fix their eligibility (kept across screens
# by the engine's LASTING_KEYS until they go back to it).
BACK_TO = "back_to"

Row = tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class FixEligibility(Action):
    """`fix:<verify|district>:<campaign id>`: open the fixing screen, remember the campaign."""

    PREFIX = "fix"
    what: Word
    campaign_id: Id


@dataclass(frozen=True, slots=True)
class ReturnToCampaign(Action):
    """`back:<campaign id>`: back to the campaign the resident left to fix their eligibility."""

    PREFIX = "back"
    campaign_id: Id


FIX = FixEligibility.PREFIX
RETURN = ReturnToCampaign.PREFIX
VERIFY = "verify"
DISTRICT = "district"


def _districts(codes: Sequence[str]) -> str:
    return ", ".join(district_name(c) for c in codes)


def _who(verified: bool, districts: Sequence[str]) -> str:
    if districts:
        names = _districts(districts)
        if verified:
            return ngettext(
                "verified residents of {districts}",
                "verified residents of the districts {districts}",
                len(districts),
            ).format(districts=names)
        return ngettext(
            "residents of {districts}", "residents of the districts {districts}", len(districts)
        ).format(districts=names)
    return _("verified residents")


def rule_text(kind: object, verified: bool, districts: Sequence[str]) -> str:
    """ "Only verified residents of Zarichchia vote in this poll." """
    who = _who(verified, districts)
    match str(kind):
        case CampaignKind.POLL:
            return _("Only {who} vote in this poll.").format(who=who)
        case CampaignKind.CONSULTATION:
            return _("Only {who} take part in this consultation.").format(who=who)
        case CampaignKind.CONTEST:
            return _("Only {who} take part in this contest.").format(who=who)
        case CampaignKind.IDEA_CALL:
            return _("Only {who} propose and support ideas in this idea call.").format(who=who)
        case CampaignKind.PETITION:
            return _("Only verified residents of the hromada file and sign petitions.")
    return _("Only {who} take part in this.").format(who=who)


def rule_of(campaign: Campaign) -> str | None:
    rule = campaign.eligibility
    if not rule.restricted:
        return None
    return rule_text(campaign.kind, rule.verified, rule.districts)


def missing_text(reason: str, home_district: object = None, changeable_at: object = None) -> str:
    """What this resident lacks, in their words."""
    if reason == Ineligible.NOT_VERIFIED:
        return _("You have not confirmed your phone number yet.")
    if reason == Ineligible.NO_DISTRICT:
        return _("You have not set your home district yet.")
    text = _("Your home district is {district}.").format(
        district=_districts([str(home_district)]) if home_district else "—"
    )
    if isinstance(changeable_at, datetime):
        text += " " + _("You can change it from {date}.").format(
            date=format_datetime(changeable_at)
        )
    return text


def fix_rows(
    missing: Sequence[str], campaign_id: int, *, changeable_at: object = None
) -> list[Row]:
    """The buttons that fix what is missing; none for a district that cannot change yet."""
    rows: list[Row] = []
    for reason in missing:
        if reason == Ineligible.NOT_VERIFIED:
            label, what = _("📱 Confirm my phone number"), VERIFY
        elif reason == Ineligible.NO_DISTRICT:
            label, what = _("🏠 Set my home district"), DISTRICT
        elif changeable_at is None:
            label, what = _("🏠 Change my home district"), DISTRICT
        else:
            continue
        rows.append((Button(label, encode_payload(FIX, what, campaign_id)),))
    return rows


@dataclass(frozen=True, slots=True)
class Standing:
    """How a campaign screen explains the rule to this resident."""

    lines: list[str]
    rows: list[Row]
    eligible: bool


def standing(citizen: Citizen, campaign: Campaign, now: datetime) -> Standing:
    """The rule (when there is one), what this resident lacks, and the buttons that fix it."""
    rule = rule_of(campaign)
    if rule is None:
        return Standing([], [], True)
    missing = [m.value for m in campaign.eligibility.missing(citizen)]
    if not missing:
        return Standing([rule], [], True)
    changeable_at = None if citizen.can_change_district(now) else citizen.district_changeable_at
    lines = [rule] + [missing_text(m, citizen.home_district, changeable_at) for m in missing]
    return Standing(lines, fix_rows(missing, campaign.id, changeable_at=changeable_at), False)


def _missing(reason: str, p: Mapping[str, object]) -> list[str]:
    found = p.get("missing")
    return [str(m) for m in found] if isinstance(found, tuple | list) and found else [reason]


def refusal_text(reason: str, p: Mapping[str, object]) -> str:
    """The words of a NotEligibleError: the rule, then everything the resident lacks."""
    found = p.get("districts")
    districts = [str(d) for d in found] if isinstance(found, tuple | list) else []
    lines = [rule_text(p.get("kind"), bool(p.get("verified")), districts)]
    lines += [
        missing_text(m, p.get("home_district"), p.get("district_changeable_at"))
        for m in _missing(reason, p)
    ]
    return "\n".join(lines)


def refusal_rows(reason: str, p: Mapping[str, object]) -> list[Row]:
    campaign_id = p.get("campaign_id")
    if not isinstance(campaign_id, int):
        return []
    return fix_rows(_missing(reason, p), campaign_id, changeable_at=p.get("district_changeable_at"))


def return_row(state: Mapping[str, object], title: str | None = None) -> list[Row]:
    """ "↩ Back to …" after a fix, while the resident has a campaign to go back to."""
    campaign_id = state.get(BACK_TO)
    if not isinstance(campaign_id, int) or campaign_id <= 0:
        return []
    label = (
        _("↩ Back to “{title}”").format(title=title if len(title) <= 40 else title[:39] + "…")
        if title
        else _("↩ Back to where I was")
    )
    return [(Button(label, encode_payload(RETURN, campaign_id)),)]


async def back_to_campaign_rows(turn: Turn) -> list[Row]:
    """ "↩ Back to “…”" on a fixing screen (settings, district, phone), while the resident has a
    campaign to go back to; forgets a campaign deleted meanwhile."""
    campaign_id = turn.citizen.dialog_state.get(BACK_TO)
    if not isinstance(campaign_id, int):
        return []
    campaign = await campaigns.find_campaign(turn.uow, campaign_id)
    if campaign is None:
        turn.end(BACK_TO)
        return []
    return return_row(turn.citizen.dialog_state, campaign.title)
