"""`spilno-admin broadcast …` and `spilno-admin delivery status [ID]`."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from admin_cli import words
from admin_cli.context import Official, enter_hromada, fail, run_in_uow
from admin_cli.files import read_limited
from admin_cli.output import echo_json, print_table
from admin_cli.params import id_argument, limit_option
from core.bootstrap import App, bootstrap
from core.campaigns.audience import Audience
from core.config import SettingsError, load_settings
from core.delivery import broadcasts
from core.delivery.model import BroadcastProgress, OutboxStatus
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork

delivery_cli = typer.Typer(help="Pushes to residents: progress of each.", no_args_is_help=True)

POLL_INTERVAL_S = 0.5


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


def _read_image(image: str | None) -> str | bytes | None:
    if image is None or image.startswith(("http://", "https://")):
        return image
    return read_limited(Path(image), max_bytes=broadcasts.MAX_IMAGE_BYTES, option="--image")


def broadcast_command(
    ctx: typer.Context,
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
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> tuple[int, int]:
        parsed = Audience.parse(audience)
        picture = _read_image(image)
        broadcast_id = await broadcasts.announce(
            uow, audience=parsed, text=text, image=picture, actor=official.name, now=app.clock()
        )
        state = await broadcasts.progress(uow, broadcast_id, app.clock())
        return broadcast_id, state.total

    broadcast_id, total = run_in_uow(work)
    typer.echo(broadcast_id)
    typer.echo(_("Push {id} queued for {n} recipients.").format(id=broadcast_id, n=total), err=True)
    if no_wait or total == 0:
        return
    _watch(broadcast_id)


def _watch(broadcast_id: int) -> None:
    """A live bar until nothing is due any more; Ctrl-C stops watching, not sending."""
    try:
        settings = load_settings()
    except SettingsError as error:
        fail(str(error), 2)
        return
    console = Console(stderr=True)

    async def follow() -> BroadcastProgress:
        app = bootstrap(settings)
        try:
            await enter_hromada(app)  # the push's hromada (--hromada), as the command had
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
                    async with app.uow_factory() as uow:
                        state = await broadcasts.progress(uow, broadcast_id, app.clock())
                    finished = state.total - state.remaining
                    first_done = first_done if first_done is not None else finished
                    elapsed = max(time.monotonic() - started, 1e-6)
                    rate = (finished - first_done) / elapsed
                    bar.update(
                        task,
                        total=state.total,
                        completed=finished,
                        counts=_counts_line(state, rate),
                    )
                    if state.remaining <= state.due_later + state.count(OutboxStatus.HELD):
                        return state
                    await asyncio.sleep(POLL_INTERVAL_S)
        finally:
            await app.aclose()

    try:
        state = asyncio.run(follow())
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

    async def work(app: App, uow: UnitOfWork) -> list[BroadcastProgress]:
        if broadcast_id is not None:
            return [await broadcasts.progress(uow, broadcast_id, app.clock())]
        return await broadcasts.recent(uow, limit=limit)

    found = run_in_uow(work, commit=False)
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
