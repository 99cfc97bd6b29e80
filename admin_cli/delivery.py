"""`spilno-admin broadcast …` and `spilno-admin delivery status [ID]`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from admin_cli import words
from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from admin_cli.context import EXIT_USAGE, CliError
from admin_cli.files import read_limited
from admin_cli.output import echo_json, print_table
from admin_cli.params import LIMIT_MAX, id_argument, limit_option
from core.campaigns.audience import Audience
from core.delivery import broadcasts
from core.delivery.model import BroadcastProgress, OutboxStatus
from core.kernel.i18n import _

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

delivery_cli = typer.Typer(help="Pushes to residents: progress of each.", no_args_is_help=True)

POLL_INTERVAL_S = 0.5
IMAGE_URL_SCHEMES = ("http://", "https://")


def progress_as_dict(p: BroadcastProgress) -> dict[str, object]:
    return {
        "id": p.id,
        "kind": p.kind,
        "audience": p.audience,
        "campaign_id": p.campaign_id,
        "created_at": p.created_at.isoformat(),
        "total": p.total,
        "sent": p.count(OutboxStatus.SENT),
        "failed": p.count(OutboxStatus.FAILED),
        "unreachable": p.count(OutboxStatus.UNREACHABLE),
        "held_for_digest": p.count(OutboxStatus.HELD),
        "in_digest": p.count(OutboxStatus.DIGESTED),
        "remaining": p.remaining,
        "due_later": p.due_later,
        "done": p.done,
    }


@dataclass(frozen=True, slots=True)
class Queued:
    """A push just queued: its id and how many messages it has."""

    broadcast_id: int
    total: int


@action("broadcast.send")
async def broadcast_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    audience: str,
    text: str,
    image: bytes | None = None,
    image_url: str | None = None,
) -> Queued:
    """Send an announcement (the same words in every language) to an audience, with a picture:
    its bytes (`image`) or its http(s) address (`image_url`)."""
    if image is not None and image_url is not None:
        raise CliError(_("--image is either a file or an https:// address, not both"), EXIT_USAGE)
    if image_url is not None and not image_url.startswith(IMAGE_URL_SCHEMES):
        raise CliError(
            _("--image {value!r}: an address starts with http:// or https://").format(
                value=image_url
            ),
            EXIT_USAGE,
        )
    parsed = Audience.parse(audience)
    broadcast_id = await broadcasts.announce(
        uow,
        audience=parsed,
        text=text,
        image=image if image is not None else image_url,
        actor=ctx.official,
        now=ctx.now(),
    )
    state = await broadcasts.progress(uow, broadcast_id, ctx.now())
    return Queued(broadcast_id, state.total)


@action("delivery.progress", commit=False)
async def progress_action(
    ctx: ActionContext, uow: UnitOfWork, *, broadcast_id: int
) -> BroadcastProgress:
    """One push's progress: sent, failed, unreachable, remaining."""
    return await broadcasts.progress(uow, broadcast_id, ctx.now())


@action("delivery.recent", commit=False)
async def recent_action(
    ctx: ActionContext, uow: UnitOfWork, *, limit: int = 20
) -> list[BroadcastProgress]:
    """The latest pushes' progress, newest first."""
    return await broadcasts.recent(uow, limit=min(max(limit, 1), LIMIT_MAX))


def broadcast_command(
    audience: Annotated[
        str,
        typer.Option(
            help="Who: all, topic:CODE, district:CODE, org:ID, participants:CAMPAIGN_ID, "
            "citizens:ID,ID."
        ),
    ],
    text: Annotated[str, typer.Option(help="The announcement, as residents will read it.")],
    image: Annotated[
        str | None, typer.Option(help="A picture to send with it: a file or an https:// URL.")
    ] = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Print the push id and return at once.")
    ] = False,
) -> None:
    """Send an announcement; show live progress until every message is out (or --no-wait)."""
    # A file is read here, on the official's computer; an address goes as it is.
    picture = (
        None
        if image is None or image.startswith(IMAGE_URL_SCHEMES)
        else read_limited(Path(image), max_bytes=broadcasts.MAX_IMAGE_BYTES, option="--image")
    )
    queued = client().call(
        broadcast_action,
        audience=audience,
        text=text,
        image=picture,
        image_url=image if picture is None else None,
    )
    broadcast_id = queued.broadcast_id
    typer.echo(broadcast_id)
    typer.echo(
        _("Push {id} queued for {n} recipients.").format(id=broadcast_id, n=queued.total), err=True
    )
    if no_wait or queued.total == 0:
        return
    _watch(broadcast_id)


def _watch(broadcast_id: int) -> None:
    """A live bar until nothing is due any more; Ctrl-C stops watching, not sending. The bar
    asks for the push's progress like `delivery status` does, locally or over the network."""
    console = Console(stderr=True)
    try:
        with Progress(
            TextColumn(_("Push {id}").format(id=broadcast_id)),
            BarColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("push", total=None, counts="")
            started, first_done = time.monotonic(), None
            while True:
                state = client().call(progress_action, broadcast_id=broadcast_id)
                finished = state.total - state.remaining
                first_done = first_done if first_done is not None else finished
                elapsed = max(time.monotonic() - started, 1e-6)
                rate = (finished - first_done) / elapsed
                bar.update(
                    task, total=state.total, completed=finished, counts=_counts_line(state, rate)
                )
                if state.remaining <= state.due_later + state.count(OutboxStatus.HELD):
                    break
                time.sleep(POLL_INTERVAL_S)
    except KeyboardInterrupt:
        typer.echo(
            _(
                "Stopped watching; the push goes on. Check it with: spilno-admin delivery status {id}"
            ).format(id=broadcast_id),
            err=True,
        )
        return
    if not state.done:
        typer.echo(
            _(
                "{n} messages wait for quiet hours to end or for the daily digest; "
                "they will go out on their own."
            ).format(n=state.remaining),
            err=True,
        )


def _counts_line(state: BroadcastProgress, rate: float) -> str:
    return _(
        "sent {sent} · failed {failed} · unreachable {unreachable} · remaining {remaining} · "
        "{rate}/s"
    ).format(
        sent=state.count(OutboxStatus.SENT),
        failed=state.count(OutboxStatus.FAILED),
        unreachable=state.count(OutboxStatus.UNREACHABLE),
        remaining=state.remaining,
        rate=round(rate, 1),
    )


@delivery_cli.command("status")
def status(
    broadcast_id: Annotated[int | None, id_argument("One push; default: the latest.")] = None,
    limit: Annotated[int, limit_option("How many recent pushes to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Progress of a push (sent / failed / unreachable / remaining), or of the latest ones."""
    found = (
        [client().call(progress_action, broadcast_id=broadcast_id)]
        if broadcast_id is not None
        else client().call(recent_action, limit=limit)
    )
    if as_json:
        rows = [progress_as_dict(p) for p in found]
        echo_json(rows[0] if broadcast_id is not None else rows)
        return
    if not found:
        typer.echo(_("No pushes yet."))
        return
    print_table(
        _("Pushes"),
        (
            _("ID"),
            _("What"),
            _("Audience"),
            _("Created"),
            _("Recipients"),
            _("Sent"),
            _("Failed"),
            _("Unreachable"),
            _("Remaining"),
        ),
        (
            (
                str(p.id),
                words.push_kind(p.kind),
                words.audience(p.audience),
                words.when(p.created_at),
                str(p.total),
                str(p.count(OutboxStatus.SENT)),
                str(p.count(OutboxStatus.FAILED)),
                str(p.count(OutboxStatus.UNREACHABLE)),
                str(p.remaining),
            )
            for p in found
        ),
    )
