"""Settings → "My home district", and the way back to a campaign after fixing eligibility.

A tap on a district asks to confirm (a change then waits 30 days, so a slip of the finger must
not cost a month); the screen says when the next change is possible. A resident sent here by a
campaign they may not take part in (`fix:…`) gets "↩ Back to …" once it is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs import campaign_links, identity
from bot.dialogs.eligibility import (
    BACK_TO,
    VERIFY,
    FixEligibility,
    ReturnToCampaign,
    back_to_campaign_rows,
)
from bot.dialogs.nav import HOME_DISTRICT, SETTINGS, HomeDistrict, back_to_menu_row
from bot.dialogs.turn import Route, Turn, on
from bot.ui import Action, Button, Reply, Word, encode_payload
from core.campaigns import service as campaigns
from core.citizens import home_district as homes
from core.hromadas.taxonomy import (
    WHOLE_CITY,
    district_name,
    home_district_codes,
    is_home_district,
    is_known_district,
)
from core.kernel.i18n import _, format_datetime

SCREEN = HOME_DISTRICT


@dataclass(frozen=True, slots=True)
class ChooseHomeDistrict(Action):
    """`homeset:<code>`: asks to confirm that district."""

    PREFIX = "homeset"
    code: Word


@dataclass(frozen=True, slots=True)
class ConfirmHomeDistrict(Action):
    """`homeok:<code>`: sets it (the service checks the code and the 30-day rule)."""

    PREFIX = "homeok"
    code: Word


CHOOSE = ChooseHomeDistrict.PREFIX
CONFIRM = ConfirmHomeDistrict.PREFIX


def _name(code: str | None) -> str:
    if code is None or code == WHOLE_CITY or not is_known_district(code):
        return _("not set")
    return district_name(code)  # a retired one too: it is still where they live


def _keep_back_to(turn: Turn, state: dict[str, object]) -> None:
    back_to = turn.citizen.dialog_state.get(BACK_TO)
    turn.citizen.dialog_state = state | ({BACK_TO: back_to} if back_to else {})


async def home_screen(
    turn: Turn, _action: HomeDistrict | None = None, notice: str | None = None
) -> list[Reply]:
    _keep_back_to(turn, {"screen": SCREEN})
    citizen = turn.citizen
    lines = [notice, ""] if notice else []
    lines.append(
        _(
            "Your home district is where you live. Some polls and other campaigns are only "
            "for residents of certain districts."
        )
    )
    lines.append(_("Your home district: {district}.").format(district=_name(citizen.home_district)))
    back = await back_to_campaign_rows(turn)
    if not citizen.can_change_district(turn.now):
        lines.append(
            _("You can change it from {date} (once in 30 days).").format(
                date=format_datetime(citizen.district_changeable_at)  # type: ignore[arg-type]
            )
        )
        return [Reply("\n".join(lines), buttons=(*back, *_settings_rows()))]
    if citizen.home_district is None:
        lines.append(_("Choose yours. You can change it later, at most once in 30 days."))
    else:
        lines.append(_("You can change it now; after a change, the next is possible in 30 days."))
    rows: list[tuple[Button, ...]] = []
    pair: list[Button] = []
    for code in home_district_codes():
        checked = "✅ " if code == citizen.home_district else ""
        pair.append(Button(checked + _name(code), encode_payload(CHOOSE, code)))
        if len(pair) == 2:
            rows.append(tuple(pair))
            pair = []
    if pair:
        rows.append(tuple(pair))
    return [Reply("\n".join(lines), buttons=(*rows, *back, *_settings_rows()))]


def _settings_rows() -> tuple[tuple[Button, ...], ...]:
    return ((Button(_("« Settings"), encode_payload(SETTINGS)),), back_to_menu_row())


async def choose(turn: Turn, action: ChooseHomeDistrict) -> list[Reply]:
    if not is_home_district(action.code) or action.code == turn.citizen.home_district:
        return await home_screen(turn)
    _keep_back_to(turn, {"screen": SCREEN})
    text = _(
        "Set {district} as your home district? After this you can change it only in 30 days."
    ).format(district=_name(action.code))
    return [
        Reply(
            text,
            buttons=(
                (Button(_("✅ Yes, I live here"), encode_payload(CONFIRM, action.code)),),
                (Button(_("« Choose another"), encode_payload(HOME_DISTRICT)),),
            ),
        )
    ]


async def confirm(turn: Turn, action: ConfirmHomeDistrict) -> list[Reply]:
    changed = await homes.set_home_district(turn.uow, turn.citizen, action.code, turn.now)
    notice = (
        _("✅ Your home district is now {district}.").format(district=_name(action.code))
        if changed
        else None
    )
    return await home_screen(turn, notice=notice)


async def fix(turn: Turn, action: FixEligibility) -> list[Reply]:
    """From a campaign the resident may not take part in: the screen that fixes it."""
    campaign = await campaigns.get_campaign(turn.uow, action.campaign_id)
    if action.what == VERIFY:
        replies = await identity.verify_screen(turn)  # it replaces the dialog state
        turn.citizen.dialog_state[BACK_TO] = campaign.id
        return replies
    turn.citizen.dialog_state[BACK_TO] = campaign.id
    return await home_screen(turn)


async def return_to_campaign(turn: Turn, action: ReturnToCampaign) -> list[Reply]:
    turn.end(BACK_TO)
    return await campaign_links.open_campaign(turn, campaign_links.OpenCampaign(action.campaign_id))


ROUTES: tuple[Route, ...] = (
    on(HomeDistrict, home_screen),
    on(ChooseHomeDistrict, choose),
    on(ConfirmHomeDistrict, confirm),
    on(FixEligibility, fix),
    on(ReturnToCampaign, return_to_campaign),
)
