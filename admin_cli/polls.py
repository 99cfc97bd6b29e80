"""`spilno-admin poll …`"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from admin_cli.context import Official, city_moment, run_in_uow
from core.bootstrap import App
from core.campaigns.model import ResultsVisibility
from core.delivery import broadcasts
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork
from core.polls import service as polls
from core.polls.model import Poll

poll_cli = typer.Typer(help="Polls: a question with options.", no_args_is_help=True)


def poll_as_dict(poll: Poll) -> dict[str, object]:
    campaign = poll.campaign
    return {
        "id": poll.id,
        "kind": campaign.kind.value,
        "status": campaign.status.value,
        "question": campaign.title,
        "description": campaign.description,
        "max_choices": poll.max_choices,
        "options": [{"id": o.id, "label": o.label} for o in poll.options],
        "opens_at": campaign.opens_at.isoformat() if campaign.opens_at else None,
        "closes_at": campaign.closes_at.isoformat() if campaign.closes_at else None,
        "results": campaign.results_visibility.value,
        "audience": campaign.audience or "all",
        "reminders": campaign.reminders,
        "send_results": campaign.send_results,
    }


@poll_cli.command("create")
def create(
    ctx: typer.Context,
    question: Annotated[str, typer.Option(help="The question residents answer.")],
    option: Annotated[list[str], typer.Option(help="An answer option; repeat for each.")],
    multiple: Annotated[
        int, typer.Option(help="Let residents choose up to N options (1 = single choice).")
    ] = 1,
    opens: Annotated[
        str | None, typer.Option(help="Opening time, ISO 8601 in city time, or 'now'.")
    ] = None,
    closes: Annotated[str | None, typer.Option(help="Closing time, ISO 8601 in city time.")] = None,
    results: Annotated[
        ResultsVisibility, typer.Option(help="When residents see results.")
    ] = ResultsVisibility.LIVE,
    description: Annotated[
        str, typer.Option(help="Optional context shown under the question.")
    ] = "",
    audience: Annotated[
        str | None,
        typer.Option(
            help="Who is told when it opens: all (default), topic:CODE, district:CODE, org:ID, "
            "participants:CAMPAIGN_ID."
        ),
    ] = None,
    remind: Annotated[
        str, typer.Option(help="Reminders before closing to those who have not voted: 24h,2h.")
    ] = "",
    send_results: Annotated[
        bool, typer.Option("--send-results", help="Send the results to voters when it closes.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Create a poll. Prints its id. Without --opens it waits as a draft for `campaign open`."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> Poll:
        now = app.clock()
        opens_at = city_moment(app, opens, "--opens", now=now) if opens else None
        closes_at = city_moment(app, closes, "--closes", now=now) if closes else None
        poll = await polls.create_poll(
            uow,
            question=question,
            options=option,
            actor=official.name,
            now=now,
            max_choices=multiple,
            opens_at=opens_at,
            closes_at=closes_at,
            visibility=results,
            description=description,
        )
        if audience or remind or send_results:
            await broadcasts.configure_campaign(
                uow,
                poll.id,
                audience=audience,
                reminders=remind,
                send_results=send_results,
                actor=official.name,
                now=now,
            )
            return await polls.get_poll(uow, poll.id)
        return poll

    poll = run_in_uow(work)
    if as_json:
        typer.echo(json.dumps(poll_as_dict(poll), ensure_ascii=False))
        return
    typer.echo(poll.id)
    if poll.campaign.opens_at is None:
        typer.echo(
            _("Poll {id} created as a draft. Open it with: spilno-admin campaign open {id}").format(
                id=poll.id
            ),
            err=True,
        )
    else:
        typer.echo(_("Poll {id} created and scheduled.").format(id=poll.id), err=True)
