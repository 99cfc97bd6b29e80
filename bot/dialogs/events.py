"""Events in chat: upcoming events (followed organizations first), one event, RSVP.

Each event's date, time and place are written out in the message text, in the city's time
zone and the resident's language. `event:<id>` is also the button of every announcement and
reminder push, so a tap there lands on the same screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogs.feature import Feature, MenuEntry, Params, own, state_int
from bot.dialogs.nav import back_to_menu_row, page_rows
from bot.dialogs.orgs import ListOrgs, ShowOrg
from bot.dialogs.turn import Route, Turn, on
from bot.ui import (
    Action,
    Button,
    Id,
    Reply,
    Small,
    StaleButtonError,
    Word,
)
from core.delivery.links import Link
from core.hromadas.taxonomy import N_
from core.kernel.errors import ValidationError
from core.kernel.i18n import _, format_number, ngettext
from core.organizations import events
from core.organizations.messages import describe_event, event_when
from core.organizations.model import EventCancelledError, EventNotFoundError, Rsvp


@dataclass(frozen=True, slots=True)
class ListEvents(Action):
    PREFIX = "events"
    page: Small = 0


@dataclass(frozen=True, slots=True)
class ShowEvent(Action):
    PREFIX = Link.EVENT.value  # messages rendered in core link to it too
    event_id: Id


@dataclass(frozen=True, slots=True)
class AnswerRsvp(Action):
    PREFIX = "rsvp"
    event_id: Id
    answer: Word


RSVP = AnswerRsvp.PREFIX

PAGE_SIZE = 5
_ANSWERS = {"y": Rsvp.GOING, "n": Rsvp.NOT_GOING}


async def event_list(turn: Turn, action: ListEvents = ListEvents()) -> list[Reply]:
    page = action.page
    turn.citizen.dialog_state = {"screen": "events", "page": page}
    views = await events.upcoming_for(
        turn.uow, turn.citizen.id, turn.now, offset=page * PAGE_SIZE, limit=PAGE_SIZE + 1
    )
    has_next = len(views) > PAGE_SIZE
    views = views[:PAGE_SIZE]
    if not views and page == 0:
        return [
            Reply(
                _(
                    "There are no upcoming events yet. Follow organizations to hear about "
                    "their events first."
                ),
                buttons=(
                    (Button(_("🏢 Organizations"), ListOrgs(0).pack()),),
                    back_to_menu_row(),
                ),
            )
        ]
    lines = [_("Upcoming events (⭐ from organizations you follow):"), ""]
    rows: list[tuple[Button, ...]] = []
    for index, view in enumerate(views, start=1 + page * PAGE_SIZE):
        star = "⭐ " if view.followed else ""
        lines.append(
            f"{index}. {star}{view.event.title}\n"
            + _("🏢 {organization}").format(organization=view.organization.name)
            + "\n"
            + _("🕒 {when}").format(when=event_when(view.event))
            + "\n"
            + _("📍 {place}").format(place=view.event.place)
            + "\n"
            + _going_text(view.counts.going)
        )
        label = f"{index}. {view.event.title}"
        rows.append(
            (
                Button(
                    label if len(label) <= 50 else label[:49] + "…",
                    ShowEvent(view.event.id).pack(),
                ),
            )
        )
    rows += page_rows(page, has_next, ListEvents)
    rows.append(back_to_menu_row())
    return [Reply("\n\n".join([lines[0], *lines[2:]]), buttons=tuple(rows))]


def _going_text(n: int) -> str:
    return ngettext("👥 {n} person is coming", "👥 {n} people are coming", n).format(
        n=format_number(n)
    )


async def event_screen(turn: Turn, action: ShowEvent) -> list[Reply]:
    event_id = action.event_id
    return [await render_event(turn, event_id)]


async def render_event(
    turn: Turn, event_id: int, notice: str | None = None, known: events.EventView | None = None
) -> Reply:
    view = known or await events.view(turn.uow, event_id, turn.citizen.id)
    turn.citizen.dialog_state = {"screen": "event", "event": event_id}
    event = view.event
    lines = [notice, ""] if notice else []
    lines.append(describe_event(event, view.organization))
    lines.append("")
    if event.is_cancelled:
        lines.append(_("❌ This event is cancelled."))
        if event.cancel_reason:
            lines.append(_("Reason: {reason}").format(reason=event.cancel_reason))
    else:
        lines.append(_going_text(view.counts.going))
        if view.my_answer is Rsvp.GOING:
            lines.append(_("You said you will come. We will remind you before it starts."))
        elif view.my_answer is Rsvp.NOT_GOING:
            lines.append(_("You said you can't come."))
    rows: list[tuple[Button, ...]] = []
    if not event.is_cancelled and (event.ends_at or event.starts_at) > turn.now:
        mark_yes = "✅ " if view.my_answer is Rsvp.GOING else ""
        mark_no = "✅ " if view.my_answer is Rsvp.NOT_GOING else ""
        rows.append(
            (
                Button(mark_yes + _("🙋 I'll come"), AnswerRsvp(event.id, "y").pack()),
                Button(mark_no + _("Can't come"), AnswerRsvp(event.id, "n").pack()),
            )
        )
    rows.append((Button("🏢 " + view.organization.name[:40], ShowOrg(event.org_id).pack()),))
    rows.append((Button(_("« All events"), ListEvents(0).pack()),))
    rows.append(back_to_menu_row())
    return Reply("\n".join(lines), buttons=tuple(rows))


async def rsvp(turn: Turn, action: AnswerRsvp) -> list[Reply]:
    event_id, answer = action.event_id, _ANSWERS.get(action.answer)
    if answer is None:
        raise StaleButtonError(turn.incoming.payload, "unknown answer")
    view = await events.answer(turn.uow, event_id, turn.citizen.id, answer, turn.now)
    notice = (
        _("🙋 Great, see you there!")
        if answer is Rsvp.GOING
        else _("Thank you for letting us know.")
    )
    return [await render_event(turn, event_id, notice, known=view)]


ROUTES: tuple[Route, ...] = (
    on(ListEvents, event_list),
    on(ShowEvent, event_screen),
    on(AnswerRsvp, rsvp),
)


def _way_back(screen: str, state: Mapping[str, Any]) -> tuple[Button | None, Button | None] | None:
    match screen:
        case "events":
            return None, Button(_("« All events"), ListEvents(state_int(state, "page")).pack())
        case "event":
            event = Button(_("« Back to the event"), ShowEvent(state_int(state, "event")).pack())
            return event, Button(_("« All events"), ListEvents(0).pack())
    return None


def _cancelled(p: Params) -> str:
    return _("This event has been cancelled, so answers are closed.")


FEATURE = Feature(
    routes=ROUTES,
    commands={"events": event_list},
    menu=(
        MenuEntry(
            N_("📅 Events"),
            ListEvents(0),
            N_("upcoming events; say whether you will come and get a reminder."),
            3,
        ),
    ),
    error_texts={
        own(EventNotFoundError): lambda p: _("This event is no longer available."),
        (EventCancelledError, "event_cancelled"): _cancelled,
        (EventCancelledError, "already_cancelled"): _cancelled,
        (ValidationError, "event_over"): lambda p: _("This event is already over."),
    },
    way_back=_way_back,
)
