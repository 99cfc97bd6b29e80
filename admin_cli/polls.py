"""`spilno-admin poll …`, and what `campaign show` / `campaign results` print for polls."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from admin_cli.context import city_moment
from admin_cli.kind import CliKind, KindBreakdownView, KindDetails, KindResults, own
from admin_cli.params import ELIGIBLE_HELP, OnOff
from admin_cli.results_breakdown import (
    cell,
    chart_title,
    columns_table,
    csv_key,
    csv_rows,
    groups_as_dicts,
)
from admin_cli.wording import percent
from core.campaigns import results
from core.campaigns.eligibility import Eligibility
from core.campaigns.model import Campaign, CampaignKind, ResultsVisibility
from core.campaigns.results import PollBreakdown
from core.delivery import broadcasts
from core.hromadas.taxonomy import N_
from core.kernel.errors import TooManyChoicesError, UnknownOptionError, ValidationError
from core.kernel.i18n import _, ngettext
from core.polls import service as polls
from core.polls.model import Poll, PollResults

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

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
        "receipts": campaign.receipts,
        "eligible": campaign.eligibility.as_list(),
    }


@action("poll.create")
async def create_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    question: str,
    options: list[str],
    max_choices: int = 1,
    opens: str | None = None,
    closes: str | None = None,
    visibility: ResultsVisibility = ResultsVisibility.LIVE,
    description: str = "",
    audience: str | None = None,
    reminders: str = "",
    send_results: bool = False,
    receipts: bool = True,
    eligible: list[str] | None = None,
) -> Poll:
    """Create a poll: a draft without `opens`, else scheduled (times as officials type them:
    ISO 8601 in the hromada's time, or "now"); `audience` is told when it opens, `reminders`
    (e.g. "24h,2h") go to those who have not voted, `send_results` when it closes."""
    now = ctx.now()
    eligibility = Eligibility.parse(eligible or ())  # bad words: one line, exit 2
    opens_at = city_moment(ctx.app, opens, "--opens", now=now) if opens else None
    closes_at = city_moment(ctx.app, closes, "--closes", now=now) if closes else None
    poll = await polls.create_poll(
        uow,
        question=question,
        options=options,
        actor=ctx.official,
        now=now,
        max_choices=max_choices,
        opens_at=opens_at,
        closes_at=closes_at,
        visibility=visibility,
        description=description,
        receipts=receipts,
        eligibility=eligibility,
    )
    if audience or reminders or send_results:
        await broadcasts.configure_campaign(
            uow,
            poll.id,
            audience=audience,
            reminders=reminders,
            send_results=send_results,
            actor=ctx.official,
            now=now,
        )
        return await polls.get_poll(uow, poll.id)
    return poll


@poll_cli.command("create")
def create(
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
    receipts: Annotated[
        OnOff,
        typer.Option(
            "--receipts",
            help="Receipt codes for voters (off for sensitive questions: a receipt lets a "
            "resident prove their vote to someone else).",
        ),
    ] = OnOff.ON,
    eligible: Annotated[list[str] | None, typer.Option(help=ELIGIBLE_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Create a poll. Prints its id. Without --opens it waits as a draft for `campaign open`."""
    poll = client().call(
        create_action,
        question=question,
        options=option,
        max_choices=multiple,
        opens=opens,
        closes=closes,
        visibility=results,
        description=description,
        audience=audience,
        reminders=remind,
        send_results=send_results,
        receipts=receipts == OnOff.ON,
        eligible=eligible,
    )
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


# --- campaign show / campaign results ---------------------------------------------------------


async def details(uow: UnitOfWork, campaign: Campaign, now: datetime) -> dict[str, object]:
    poll = await polls.get_poll(uow, campaign.id)
    tally = await results.poll_results(uow, campaign.id, now=now, for_official=True)
    return poll_as_dict(poll) | {"voters": tally.voters}


def print_details(console: Console, data: dict[str, Any]) -> None:
    console.print(_("Choices per resident: {n}").format(n=data["max_choices"]))
    for option in data["options"]:
        console.print(f"  [{option['id']}] {option['label']}")
    console.print(_("Voters so far: {n}").format(n=data["voters"]))


async def load_results(uow: UnitOfWork, poll_id: int, now: datetime) -> PollResults:
    return await results.poll_results(uow, poll_id, now=now, for_official=True)


def results_as_dict(outcome: PollResults) -> dict[str, object]:
    return {
        "campaign_id": outcome.poll_id,
        "question": outcome.question,
        "voters": outcome.voters,
        "options": [
            {"id": r.option_id, "label": r.label, "votes": r.votes, "percent": r.percent}
            for r in outcome.options
        ],
    }


def results_as_csv(outcome: PollResults) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["option_id", "option", "votes", "percent"])
    for r in outcome.options:
        writer.writerow([r.option_id, r.label, r.votes, r.percent])
    return buffer.getvalue()


def results_as_text(outcome: PollResults) -> str:
    lines = [outcome.question, _("Voters: {n}").format(n=outcome.voters)]
    lines += [f"{r.label}\t{r.votes}\t{percent(r.percent)}%" for r in outcome.options]
    return "\n".join(lines) + "\n"


def print_results(outcome: PollResults) -> None:
    table = Table(title=outcome.question, caption=_("Voters: {n}").format(n=outcome.voters))
    table.add_column(_("Option"))
    table.add_column(_("Votes"), justify="right")
    table.add_column("%", justify="right")
    table.add_column("")
    for r in outcome.options:
        table.add_row(r.label, str(r.votes), percent(r.percent), "█" * round(r.percent / 5))
    Console(width=160).print(table)


def results_charts(outcome: PollResults) -> list[bytes]:
    from core.campaigns.charts import Bar, bar_chart_png  # matplotlib only for --format png

    bars = [Bar(o.label, o.votes, o.percent) for o in outcome.options]
    caption = _("Voters: {n}").format(n=outcome.voters)
    return [bar_chart_png(outcome.question, bars, caption=caption)]


def _options(outcome: PollResults) -> dict[str, object]:
    return {
        "options": [
            {"id": r.option_id, "label": r.label, "votes": r.votes, "percent": r.percent}
            for r in outcome.options
        ]
    }


def breakdown_as_dict(breakdown: PollBreakdown) -> dict[str, object]:
    whole = breakdown.whole
    return {
        "campaign_id": whole.poll_id,
        "kind": "poll",
        "question": whole.question,
        "by": breakdown.by.value,
        "groups": groups_as_dicts(breakdown, "voters", _options),
        "total": {"voters": whole.voters, **_options(whole)},
    }


def breakdown_as_csv(breakdown: PollBreakdown) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([breakdown.by.value, "voters", "option_id", "option", "votes", "percent"])
    for g in csv_rows(breakdown, breakdown.whole.voters):
        for r in g.results.options:
            writer.writerow([csv_key(g.key), g.counted, r.option_id, r.label, r.votes, r.percent])
    return buffer.getvalue()


def print_breakdown(breakdown: PollBreakdown) -> None:
    whole = breakdown.whole
    table = columns_table(whole.question, breakdown)
    groups = [g.results for g in breakdown.groups] + [whole]
    table.add_row(_("Voters"), *(str(r.voters) for r in groups))
    table.add_section()
    for i, option in enumerate(whole.options):
        table.add_row(
            option.label, *(cell(r.options[i].votes, r.options[i].percent) for r in groups)
        )
    Console(width=160).print(table)


def breakdown_charts(breakdown: PollBreakdown) -> list[bytes]:
    from core.campaigns.charts import Bar, bar_chart_png  # matplotlib only for --format png

    return [
        bar_chart_png(
            chart_title(breakdown.whole.question, breakdown, g),
            [Bar(o.label, o.votes, o.percent) for o in g.results.options],
            caption=_("Voters: {n}").format(n=g.results.voters),
        )
        for g in breakdown.groups
    ]


def _too_few_options(p: Any) -> str:
    n = int(p["min"])
    return ngettext(
        "a poll needs at least {n} --option", "a poll needs at least {n} --option values", n
    ).format(n=n)


CLI_KIND = CliKind(
    kind=CampaignKind.POLL,
    name=N_("poll"),
    commands=(("poll", poll_cli),),
    participation={"ballots": N_("poll ballots")},
    audit_actions={"poll.create": N_("created a poll")},
    push_kinds={
        "poll.opened": N_("new poll"),
        "poll.reminder": N_("poll reminder"),
        "poll.results": N_("poll results"),
    },
    residents_only=(own(TooManyChoicesError), own(UnknownOptionError)),
    error_texts={
        (ValidationError, "question_empty"): lambda p: _("--question is empty"),
        (ValidationError, "question_too_long"): lambda p: _(
            "--question is longer than {max} characters"
        ).format(max=p["max"]),
        (ValidationError, "too_few_options"): _too_few_options,
        (ValidationError, "too_many_options"): lambda p: _(
            "a poll can have at most {max} options"
        ).format(max=p["max"]),
        (ValidationError, "option_empty"): lambda p: _("an --option is empty"),
        (ValidationError, "option_too_long"): lambda p: _(
            "option {option!r} is longer than {max} characters"
        ).format(option=p["option"], max=p["max"]),
        (ValidationError, "duplicate_options"): lambda p: _("two options are the same"),
        (ValidationError, "bad_max_choices"): lambda p: _(
            "--multiple must be between 1 and the number of options ({n})"
        ).format(n=p["options"]),
    },
    details=KindDetails(details, print_details),
    results=KindResults(
        load=load_results,
        as_dict=results_as_dict,
        as_csv=results_as_csv,
        print_table=print_results,
        charts=results_charts,
        as_text=results_as_text,
    ),
    breakdown=KindBreakdownView(
        as_dict=breakdown_as_dict,
        as_csv=breakdown_as_csv,
        print_table=print_breakdown,
        charts=breakdown_charts,
    ),
)
