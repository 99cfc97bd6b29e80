"""Organizations in chat: a paginated list searchable by name, a profile, Follow / Unfollow.

While the list is on screen, typed text searches by name (router INPUT_SCREENS); the query
lives in the dialog state, so paging keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogs.feature import Feature, MenuEntry, own, state_int
from bot.dialogs.nav import back_to_menu_row, page_rows, short
from bot.dialogs.turn import Route, Turn, on
from bot.ui import (
    Action,
    Button,
    Id,
    Reply,
    Small,
    Word,
)
from core.delivery.links import Link, link  # an event opens through its link (events.py)
from core.hromadas.taxonomy import N_
from core.kernel.i18n import _, format_datetime, format_number, ngettext
from core.organizations import service as organizations
from core.organizations.messages import event_when
from core.organizations.model import OrganizationNotFoundError, OrganizationProfile


@dataclass(frozen=True, slots=True)
class ListOrgs(Action):
    PREFIX = "orgs"
    page: Small = 0
    query: Word | None = None


LIST = ListOrgs.PREFIX


@dataclass(frozen=True, slots=True)
class ShowOrg(Action):
    PREFIX = Link.ORGANIZATION.value  # messages rendered in core link to it too
    org_id: Id


@dataclass(frozen=True, slots=True)
class FollowOrg(Action):
    PREFIX = "orgf"
    org_id: Id


@dataclass(frozen=True, slots=True)
class UnfollowOrg(Action):
    PREFIX = "orgu"
    org_id: Id


SCREEN = "orgs_list"  # typed text on this screen searches

PAGE_SIZE = 6
QUERY_MAX = 60
NEWS_PREVIEW = 300


def _to_list_row() -> tuple[Button, ...]:
    return (Button(_("« Organizations"), ListOrgs(0).pack()),)


async def org_list(turn: Turn, action: ListOrgs = ListOrgs()) -> list[Reply]:
    query = str(turn.citizen.dialog_state.get("q", "")) if _on_list(turn) else ""
    page = action.page
    if action.query == "all":
        query = ""
    return await _render_list(turn, query, page)


def _on_list(turn: Turn) -> bool:
    return turn.citizen.dialog_state.get("screen") == SCREEN


async def search_input(turn: Turn) -> list[Reply]:
    """Text typed on the list: search by name. Anything else gets a polite hint."""
    text = (turn.incoming.text or "").strip()
    if not text:
        return [
            Reply(
                _("Please type part of an organization's name, or use the buttons."),
                buttons=(_to_list_row(), back_to_menu_row()),
            )
        ]
    return await _render_list(turn, text[:QUERY_MAX], 0)


async def _render_list(turn: Turn, query: str, page: int) -> list[Reply]:
    page = max(page, 0)
    turn.citizen.dialog_state = {"screen": SCREEN, "q": query, "page": page}
    # One extra row tells whether a next page exists without counting everything.
    found = await organizations.search(
        turn.uow, query, offset=page * PAGE_SIZE, limit=PAGE_SIZE + 1
    )
    if not found and page > 0:
        return await _render_list(turn, query, 0)
    has_next = len(found) > PAGE_SIZE
    shown = found[:PAGE_SIZE]
    followed = await organizations.followed_by(turn.uow, turn.citizen.id)
    rows: list[tuple[Button, ...]] = [
        (Button(("⭐ " if o.id in followed else "🏢 ") + short(o.name, 50), ShowOrg(o.id).pack()),)
        for o in shown
    ]
    rows += page_rows(page, has_next, ListOrgs)
    if query:
        rows.append((Button(_("✖ Clear search"), ListOrgs(0, "all").pack()),))
    rows.append(back_to_menu_row())
    if query and not shown:
        text = _("No organization's name contains “{query}”. Try another word.").format(query=query)
    elif query:
        text = _("Organizations matching “{query}”:").format(query=query)
    elif not shown:
        text = _("There are no organizations here yet.")
    else:
        text = _(
            "Organizations. Choose one to see its events and news and to follow it. "
            "To search, type part of a name."
        )
    if page > 0 or has_next:
        text += "\n" + _("Page {page}").format(page=page + 1)
    return [Reply(text, buttons=tuple(rows))]


async def org_screen(turn: Turn, action: ShowOrg) -> list[Reply]:
    org_id = action.org_id
    return [await render_profile(turn, org_id)]


async def render_profile(turn: Turn, org_id: int, notice: str | None = None) -> Reply:
    profile = await organizations.profile(
        turn.uow, org_id, citizen_id=turn.citizen.id, now=turn.now
    )
    turn.citizen.dialog_state = {"screen": "org", "org": org_id}
    return Reply(_profile_text(profile, notice), buttons=_profile_buttons(profile), image=None)


def _profile_text(profile: OrganizationProfile, notice: str | None) -> str:
    org = profile.organization
    lines = [notice, ""] if notice else []
    lines.append("🏢 " + org.name)
    if org.description:
        lines.append(org.description)
    lines.append(
        ngettext("{n} follower", "{n} followers", profile.followers).format(
            n=format_number(profile.followers)
        )
    )
    lines.append("")
    if profile.events:
        lines.append(_("Upcoming events:"))
        for event in profile.events:
            lines.append("📅 " + event.title + " — " + event_when(event) + ", " + event.place)
    else:
        lines.append(_("No upcoming events."))
    if profile.news:
        lines += ["", _("Latest news:")]
        for post in profile.news:
            text = post.text if len(post.text) <= NEWS_PREVIEW else post.text[:NEWS_PREVIEW] + "…"
            lines.append("📰 " + format_datetime(post.created_at) + "\n" + text)
    if profile.following:
        lines += ["", _("You follow this organization: its news and events come to you.")]
    return "\n".join(lines)


def _profile_buttons(profile: OrganizationProfile) -> tuple[tuple[Button, ...], ...]:
    org = profile.organization
    rows: list[tuple[Button, ...]] = [
        (Button("📅 " + short(e.title, 50), link(Link.EVENT, e.id)),) for e in profile.events
    ]
    if profile.following:
        rows.append((Button(_("🔕 Unfollow"), UnfollowOrg(org.id).pack()),))
    else:
        rows.append((Button(_("⭐ Follow"), FollowOrg(org.id).pack()),))
    rows.append(_to_list_row())
    rows.append(back_to_menu_row())
    return tuple(rows)


async def follow(turn: Turn, action: FollowOrg) -> list[Reply]:
    org_id = action.org_id
    await organizations.follow(turn.uow, org_id, turn.citizen.id, turn.now)
    notice = _("⭐ You follow this organization now. We will send you its news and events.")
    return [await render_profile(turn, org_id, notice)]


async def unfollow(turn: Turn, action: UnfollowOrg) -> list[Reply]:
    org_id = action.org_id
    await organizations.unfollow(turn.uow, org_id, turn.citizen.id)
    notice = _("You no longer follow this organization.")
    return [await render_profile(turn, org_id, notice)]


ROUTES: tuple[Route, ...] = (
    on(ListOrgs, org_list),
    on(ShowOrg, org_screen),
    on(FollowOrg, follow),
    on(UnfollowOrg, unfollow),
)


def _way_back(screen: str, state: Mapping[str, Any]) -> tuple[Button | None, Button | None] | None:
    if screen == SCREEN:
        return None, Button(_("« Organizations"), ListOrgs(state_int(state, "page")).pack())
    match screen:
        case "org":
            org = Button(_("« Back to the organization"), ShowOrg(state_int(state, "org")).pack())
            return org, Button(_("« Organizations"), ListOrgs(0).pack())
    return None


FEATURE = Feature(
    routes=ROUTES,
    commands={"orgs": org_list},
    input_screens={SCREEN: search_input},
    menu=(
        MenuEntry(
            N_("🏢 Organizations"),
            ListOrgs(0),
            N_("city departments and NGOs: follow them to get their news and events."),
            3,
        ),
    ),
    error_texts={
        own(OrganizationNotFoundError): lambda p: _("This organization is no longer available.")
    },
    way_back=_way_back,
)
