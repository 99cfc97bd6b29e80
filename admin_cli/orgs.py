"""`spilno-admin org …`: organizations, their officials, channel, events and news."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from admin_cli import words
from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from admin_cli.context import EXIT_USAGE, CliError, city_moment
from admin_cli.files import read_limited
from admin_cli.output import echo_json, print_table
from admin_cli.params import id_argument, limit_option
from core.kernel.i18n import _, ngettext
from core.officials import service as officials
from core.officials.model import ORG_ROLES, Permission, Role, parse_org_role
from core.organizations import events
from core.organizations import service as organizations
from core.organizations.model import (
    DEFAULT_REMINDERS,
    Event,
    NewsPost,
    Organization,
    parse_reminders,
    reminders_text,
)
from core.organizations.service import Published

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

org_cli = typer.Typer(
    help="Organizations: profiles, officials, channel, events, news.", no_args_is_help=True
)
event_cli = typer.Typer(help="An organization's events.", no_args_is_help=True)
org_cli.add_typer(event_cli, name="event")

MAX_IMAGE_BYTES = 5 * 1024 * 1024


def org_as_dict(org: Organization, followers: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": org.id,
        "slug": org.slug,
        "name": org.name,
        "description": org.description,
        "logo": org.logo_ref,
    }
    if followers is not None:
        data["followers"] = followers
    return data


def event_as_dict(event: Event, going: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": event.id,
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "place": event.place,
        "status": event.status.value,
        "reminders": reminders_text(event.reminders),
    }
    if going is not None:
        data["going"] = going
    return data


def _read_file(path: Path | None, option: str) -> bytes | None:
    if path is None:
        return None
    return read_limited(path, max_bytes=MAX_IMAGE_BYTES, option=option)


@action("org.create")
async def create_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    name: str,
    slug: str,
    description: str = "",
    logo: bytes | None = None,
    logo_name: str | None = None,
) -> Organization:
    """Create an organization; its logo is uploaded with it (the image and the file's name)."""
    if logo is not None and len(logo) > MAX_IMAGE_BYTES:  # the CLI checks; a request may not
        raise CliError(
            _("{option}: the image is larger than {max} MB").format(
                option="--logo", max=MAX_IMAGE_BYTES // (1024 * 1024)
            ),
            EXIT_USAGE,
        )
    return await organizations.create_organization(
        uow,
        actor=ctx.official,
        slug=slug,
        name=name,
        description=description,
        logo_ref=logo_name if logo is not None else None,
        logo=logo,
        now=ctx.now(),
    )


@org_cli.command("create")
def create(
    name: Annotated[str, typer.Option(help="The name residents see.")],
    slug: Annotated[str, typer.Option(help="Short unique id: a-z, 0-9 and '-', e.g. green-city.")],
    description: Annotated[str, typer.Option(help="A few sentences about it.")] = "",
    logo: Annotated[Path | None, typer.Option(help="Logo image file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Create an organization. Prints its slug."""
    image = _read_file(logo, "--logo")  # read here: the installation may be another computer
    org = client().call(
        create_action,
        name=name,
        slug=slug,
        description=description,
        logo=image,
        logo_name=logo.name if logo else None,
    )
    typer.echo(json.dumps(org_as_dict(org), ensure_ascii=False) if as_json else org.slug)


@dataclass(frozen=True, slots=True)
class Listed:
    organization: Organization
    followers: int


@action("org.list", commit=False)
async def list_action(
    ctx: ActionContext, uow: UnitOfWork, *, search: str = "", limit: int = 200
) -> list[Listed]:
    """Organizations whose names contain `search`, with their follower counts."""
    found = await organizations.search(uow, search, limit=limit)
    counts = await organizations.follower_counts(uow, found)
    return [Listed(org, counts.get(org.id, 0)) for org in found]


@org_cli.command("list")
def list_(
    search: Annotated[str, typer.Option(help="Only names containing this.")] = "",
    limit: Annotated[int, limit_option("At most this many.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List organizations with their follower counts."""
    found = client().call(list_action, search=search, limit=limit)
    if as_json:
        echo_json([org_as_dict(o.organization, o.followers) for o in found])
        return
    print_table(
        _("Organizations"),
        (_("Slug"), _("Name"), _("Followers")),
        ((o.organization.slug, o.organization.name, str(o.followers)) for o in found),
    )


@action("org.show", commit=False)
async def show_action(ctx: ActionContext, uow: UnitOfWork, *, slug: str) -> dict[str, Any]:
    """An organization as `org show --json` prints it: followers, officials, channels,
    upcoming events, latest news."""
    org = await organizations.get_by_slug(uow, slug)
    profile = await organizations.profile(uow, org.id, citizen_id=None, now=ctx.now())
    counts = await organizations.rsvp_counts(uow, [e.id for e in profile.events])
    staff = [g for g in await officials.list_grants(uow) if g.org_id == org.id]
    return {
        **org_as_dict(org, profile.followers),
        "officials": [{"name": g.official, "role": _role_name(g.role)} for g in staff],
        "channels": [
            {"platform": c.platform, "chat": c.username or c.chat_id, "title": c.title}
            for c in await organizations.channels(uow, org.id)
        ],
        "events": [event_as_dict(e, counts[e.id].going) for e in profile.events],
        "news": [
            {"id": p.id, "at": p.created_at.isoformat(), "text": p.text} for p in profile.news
        ],
    }


@org_cli.command("show")
def show(
    slug: Annotated[str, typer.Argument(help="The organization's slug.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """An organization: followers, officials, channels, upcoming events, latest news."""
    data = client().call(show_action, slug=slug)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    lines = [f"{data['name']} ({data['slug']})", data["description"]]
    lines.append(_("Followers: {n}").format(n=data["followers"]))
    staff = ", ".join(f"{o['name']} ({_org_role_words(o['role'])})" for o in data["officials"])
    staff = staff or words.NOTHING
    lines.append(_("Officials: {list}").format(list=staff))
    chans = ", ".join(f"{c['chat']} ({c['title']})" for c in data["channels"]) or "—"
    lines.append(_("Channels: {list}").format(list=chans))
    lines.append(_("Upcoming events:") if data["events"] else _("No upcoming events."))
    for e in data["events"]:
        going = ngettext("{n} person coming", "{n} people coming", e["going"]).format(n=e["going"])
        lines.append(
            f"  #{e['id']} {words.when(e['starts_at'])}  {e['title']} — {e['place']} ({going})"
        )
    typer.echo("\n".join(line for line in lines if line))


def _role_name(role: Role) -> str:
    return {Role.ORG_ADMIN: "admin", Role.ORG_EDITOR: "editor"}.get(role, role.value)


def _org_role_words(name: str) -> str:
    """ "admin" / "editor" (the names officials type, kept in --json) in words."""
    return words.role(ORG_ROLES.get(name, name))


@action("org.add-official")
async def add_official_action(
    ctx: ActionContext, uow: UnitOfWork, *, slug: str, official: str, role: str
) -> bool:
    """Let an official act for an organization as its editor or admin; False: they already do."""
    org = await organizations.get_by_slug(uow, slug)
    return await officials.grant_org_role(
        uow,
        actor=ctx.official,
        official=official,
        role=parse_org_role(role),
        org_id=org.id,
        org_slug=org.slug,
        now=ctx.now(),
    )


@org_cli.command("add-official")
def add_official(
    slug: Annotated[str, typer.Argument(help="The organization's slug.")],
    official_name: Annotated[str, typer.Option("--official", help="The official's name.")],
    role: Annotated[
        str, typer.Option(help="editor (news, events) or admin (also officials, channel).")
    ],
) -> None:
    """Let an official act for this organization."""
    added = client().call(add_official_action, slug=slug, official=official_name, role=role)
    role_words = _org_role_words(role.strip().lower())
    if added:
        typer.echo(
            _("{official} is now {role} of {org}.").format(
                official=official_name, role=role_words, org=slug
            )
        )
    else:
        typer.echo(
            _("{official} already was {role} of {org}.").format(
                official=official_name, role=role_words, org=slug
            )
        )


@dataclass(frozen=True, slots=True)
class LinkedChannel:
    channel: str  # @username, or the chat id of a channel without one
    title: str
    org: str


@action("org.link-channel")
async def link_channel_action(
    ctx: ActionContext, uow: UnitOfWork, *, slug: str, telegram: str
) -> LinkedChannel:
    """Post an organization's news and events to a Telegram channel too, once the Bot API
    confirms the installation's bot is an administrator allowed to post there."""
    token = await hromada_telegram_bot(ctx)
    org = await organizations.get_by_slug(uow, slug)
    await officials.require(uow, ctx.official, Permission.MANAGE_ORGANIZATION, org.id)
    found = await verified_channel(token, ctx.app.settings.telegram_api_url, telegram)
    await organizations.link_channel(
        uow,
        actor=ctx.official,
        slug=org.slug,
        platform="telegram",
        chat_id=found.chat_id,
        username=found.username,
        title=found.title,
        now=ctx.now(),
    )
    return LinkedChannel(found.username or found.chat_id, found.title, org.slug)


@org_cli.command("link-channel")
def link_channel(
    slug: Annotated[str, typer.Argument(help="The organization's slug.")],
    telegram: Annotated[str, typer.Option(help="The Telegram channel: @username or chat id.")],
) -> None:
    """Post the organization's news and events to its Telegram channel too.

    Checks through the Bot API that the bot is an administrator allowed to post there."""
    linked = client().call(link_channel_action, slug=slug, telegram=telegram)
    typer.echo(
        _(
            "Linked {channel} («{title}») to {org}: its news and events will be posted there."
        ).format(channel=linked.channel, title=linked.title, org=linked.org)
    )


async def hromada_telegram_bot(ctx: ActionContext) -> str:
    """The token of the Telegram bot that posts for the current hromada, which a channel is
    checked with: its own (`hromada set-bot`), else, for the first hromada, the installation's
    SPILNO_TELEGRAM_TOKEN — as the runtime chooses which bot serves a hromada (bot/channels.py).
    `org link-channel` and `audit anchor` both ask."""
    from core.hromadas.bots import BotPlatform
    from core.hromadas.scope import DEFAULT_HROMADA_ID, current_hromada_id

    hromada_id = current_hromada_id()
    if ctx.app.bots is not None:
        for bot in await ctx.app.bots.all():
            if bot.hromada_id == hromada_id and bot.platform is BotPlatform.TELEGRAM:
                return bot.token
    legacy = ctx.app.settings.telegram_token
    if hromada_id == DEFAULT_HROMADA_ID and legacy is not None:
        return legacy.get_secret_value()
    if hromada_id == DEFAULT_HROMADA_ID:
        message = _(
            "there is no Telegram bot to check the channel with: set SPILNO_TELEGRAM_TOKEN, or "
            "the installation's operator sets this hromada's bot (spilno-admin hromada set-bot)"
        )
    else:
        message = _(
            "this hromada has no Telegram bot yet: the installation's operator sets one "
            "(spilno-admin hromada set-bot)"
        )
    raise CliError(message, EXIT_USAGE)


async def verified_channel(token: str, api_url: str, telegram: str) -> Any:
    """The channel `telegram` once the Bot API confirms the bot may post there; else one line
    (exit 2 when a setting is at fault). `org link-channel` and `audit anchor` both ask."""
    from bot.telegram.api_errors import problem_text
    from bot.telegram.channel_check import ChannelCheckError, verify_with_settings

    try:
        return await verify_with_settings(token, api_url, telegram)
    except ChannelCheckError as error:
        if error.is_setting_problem:
            raise CliError(problem_text(error.reason, error.detail, api_url), EXIT_USAGE) from None
        raise CliError(channel_problem_text(error, telegram)) from None


def channel_problem_text(error: Any, chat: str) -> str:
    match error.reason:
        case "chat_not_found":
            return _(
                "Telegram does not know the chat {chat}. Check the @username; for a private "
                "channel, first add the bot to it as an administrator."
            ).format(chat=chat)
        case "bot_not_admin":
            return _(
                "The bot is not an administrator of {chat}. In the channel: Settings → "
                'Administrators → Add administrator → choose the bot and allow "Post messages".'
            ).format(chat=chat)
        case "cannot_post":
            return _(
                "The bot is an administrator of {chat} but may not post. In the channel: "
                'Administrators → the bot → turn on "Post messages".'
            ).format(chat=chat)
        case _:  # private_chat
            return _("{chat} is a private chat, not a channel or a group.").format(chat=chat)


@dataclass(frozen=True, slots=True)
class EventCreated:
    event: Event
    published: Published


@action("org.event.create")
async def event_create_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    slug: str,
    title: str,
    starts: str,
    place: str,
    ends: str | None = None,
    description: str = "",
    remind: str = reminders_text(DEFAULT_REMINDERS),
    remind_followers: bool = False,
) -> EventCreated:
    """Announce an organization's event to its followers and linked channels (times as
    officials type them: ISO 8601 in the hromada's time; reminders like 24h,2h or none)."""
    now = ctx.now()
    event, published = await events.create_event(
        uow,
        actor=ctx.official,
        slug=slug,
        title=title,
        starts_at=city_moment(ctx.app, starts, "--starts", now=now),
        ends_at=city_moment(ctx.app, ends, "--ends", now=now) if ends else None,
        place=place,
        description=description,
        reminders=parse_reminders(remind),
        remind_followers=remind_followers,
        now=now,
    )
    return EventCreated(event, published)


@event_cli.command("create")
def event_create(
    slug: Annotated[str, typer.Argument(help="The organization's slug.")],
    title: Annotated[str, typer.Option(help="What the event is.")],
    starts: Annotated[
        str, typer.Option(help="Start, ISO 8601 in city time, e.g. 2026-12-05T10:00.")
    ],
    place: Annotated[str, typer.Option(help="Where: an address residents can find.")],
    ends: Annotated[str | None, typer.Option(help="End, ISO 8601 in city time.")] = None,
    description: Annotated[str, typer.Option(help="Details.")] = "",
    remind: Annotated[
        str, typer.Option(help="Reminders before the start, e.g. 24h,2h (none: 'none').")
    ] = reminders_text(DEFAULT_REMINDERS),
    remind_followers: Annotated[
        bool, typer.Option(help="Remind all followers too, not only those coming.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Announce an event to followers and the linked channel. Prints its id."""
    created = client().call(
        event_create_action,
        slug=slug,
        title=title,
        starts=starts,
        place=place,
        ends=ends,
        description=description,
        remind=remind,
        remind_followers=remind_followers,
    )
    event, published = created.event, created.published
    if as_json:
        data = event_as_dict(event)
        data.update(followers=published.followers, channels=published.channels)
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    typer.echo(event.id)
    typer.echo(_published_text(published), err=True)


def _published_text(published: Published) -> str:
    return _("Queued for {followers} follower message(s) and {channels} channel(s).").format(
        followers=published.followers, channels=published.channels
    )


@action("org.event.cancel")
async def event_cancel_action(
    ctx: ActionContext, uow: UnitOfWork, *, event_id: int, reason: str
) -> None:
    """Cancel an event; those who said they would come are told at once."""
    await events.cancel_event(
        uow, actor=ctx.official, event_id=event_id, reason=reason, now=ctx.now()
    )


@event_cli.command("cancel")
def event_cancel(
    event_id: Annotated[int, id_argument("The event's id.")],
    reason: Annotated[str, typer.Option(help="Why; residents who were coming read it.")],
) -> None:
    """Cancel an event; those who said they would come are told at once."""
    client().call(event_cancel_action, event_id=event_id, reason=reason)
    typer.echo(_("Event {id} cancelled; those coming are being told.").format(id=event_id))


@dataclass(frozen=True, slots=True)
class NewsPosted:
    news: NewsPost
    published: Published


@action("org.post")
async def post_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    slug: str,
    text: str,
    image: bytes | None = None,
    image_name: str | None = None,
) -> NewsPosted:
    """Post news (with an image uploaded along, if any) to followers and linked channels."""
    news, published = await organizations.post_news(
        uow,
        actor=ctx.official,
        slug=slug,
        text=text,
        image=image,
        image_name=image_name,
        now=ctx.now(),
    )
    return NewsPosted(news, published)


@org_cli.command("post")
def post(
    slug: Annotated[str, typer.Argument(help="The organization's slug.")],
    text: Annotated[str, typer.Option(help="The news, as residents will read it.")],
    image: Annotated[Path | None, typer.Option(help="An image file to attach.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Post news to followers and the linked channel."""
    posted = client().call(
        post_action,
        slug=slug,
        text=text,
        image=_read_file(image, "--image"),
        image_name=image.name if image else None,
    )
    news, published = posted.news, posted.published
    if as_json:
        typer.echo(
            json.dumps(
                {"id": news.id, "followers": published.followers, "channels": published.channels}
            )
        )
        return
    typer.echo(news.id)
    typer.echo(_published_text(published), err=True)
