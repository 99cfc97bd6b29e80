"""What organization pushes and event screens say: rendered per locale inside `use_locale`.

The outbox calls these `render` functions once per supported locale; the dialogs reuse the
event description so a push and the event screen read the same. Date, time and place are
always in the text itself (not only in an image), in the city time zone.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.dates import format_date, format_time

from core.delivery.links import Link, link
from core.delivery.messenger import Button, Message
from core.kernel.i18n import _, current_locale, current_timezone, format_datetime
from core.organizations.model import Event, NewsPost, Organization

Render = Callable[[], Message]


def event_when(event: Event) -> str:
    """When, in the resident's language and the city's zone, e.g. "Wednesday, 2 December 2026,
    18:00–20:00": the weekday, then the date and time as every other screen writes them."""
    tz, locale = current_timezone(), current_locale()
    start = event.starts_at.astimezone(tz)
    text = format_date(start.date(), "EEEE", locale=locale) + ", " + format_datetime(start)
    if event.ends_at is not None:
        same_day = event.ends_at.astimezone(tz).date() == start.date()
        if same_day:
            text += "–" + format_time(event.ends_at, "HH:mm", tzinfo=tz, locale=locale)
        else:
            text += " – " + format_datetime(event.ends_at)
    return text


def describe_event(event: Event, org: Organization, *, with_description: bool = True) -> str:
    lines = [
        "📅 " + event.title,
        _("🏢 {organization}").format(organization=org.name),
        _("🕒 {when}").format(when=event_when(event)),
        _("📍 {place}").format(place=event.place),
    ]
    if with_description and event.description:
        lines += ["", event.description]
    return "\n".join(lines)


def _details_button(event: Event) -> tuple[tuple[Button, ...], ...]:
    return ((Button(_("👉 Details and RSVP"), link(Link.EVENT, event.id)),),)


def event_announced(event: Event, org: Organization) -> Callable[[], Message]:
    def render() -> Message:
        text = _("New event from {organization}:").format(organization=org.name)
        return Message(
            text + "\n\n" + describe_event(event, org),
            buttons=_details_button(event),
            image=None,
        )

    return render


def event_reminder(event: Event, org: Organization) -> Callable[[], Message]:
    def render() -> Message:
        return Message(
            _("⏰ Reminder: the event is coming up.") + "\n\n" + describe_event(event, org),
            buttons=_details_button(event),
        )

    return render


def event_cancelled(event: Event, org: Organization, reason: str) -> Callable[[], Message]:
    def render() -> Message:
        lines = [
            _("❌ The event is cancelled."),
            "",
            describe_event(event, org, with_description=False),
            "",
            _("Reason: {reason}").format(reason=reason),
        ]
        return Message("\n".join(lines))

    return render


def news_posted(
    post: NewsPost, org: Organization, image: bytes | None = None
) -> Callable[[], Message]:
    def render() -> Message:
        return Message(
            "📰 " + org.name + "\n\n" + post.text,
            buttons=((Button(_("🏢 About the organization"), link(Link.ORGANIZATION, org.id)),),),
            image=image if image is not None else post.image_ref,
        )

    return render
