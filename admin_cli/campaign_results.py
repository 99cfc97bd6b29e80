"""Results of consultations and contests for `campaign show` / `campaign results`.

`campaign results` dispatches here for every kind but polls; formats: table, json, csv, png.
A PNG with several charts (one per consultation question) is written as FILE-1.png, FILE-2.png…
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from admin_cli import words
from admin_cli.consultations import consultation_as_dict
from admin_cli.contests import contest_as_dict
from admin_cli.context import EXIT_USAGE, fail
from admin_cli.files import write_bytes, write_text
from core.campaigns.model import Campaign, CampaignKind
from core.consultations import service as consultations
from core.consultations.model import ConsultationResults, QuestionType
from core.contests import service as contests
from core.contests.service import ContestResults
from core.kernel.i18n import _, ngettext
from core.kernel.unit_of_work import UnitOfWork
from core.polls.model import PollResults

KindResults = ConsultationResults | ContestResults


async def details(uow: UnitOfWork, campaign: Campaign) -> dict[str, object] | None:
    """What `campaign show` prints for this kind, or None for a kind handled elsewhere."""
    if campaign.kind == CampaignKind.CONSULTATION:
        consultation = await consultations.get_consultation(uow, campaign.id)
        submissions = await consultations.submission_count(uow, campaign.id)
        return consultation_as_dict(consultation) | {"submissions": submissions}
    if campaign.kind == CampaignKind.CONTEST:
        contest = await contests.get_contest(uow, campaign.id)
        entries = await contests.list_entries(uow, campaign.id)
        return contest_as_dict(contest) | {
            "entries": {
                s: sum(1 for e in entries if e.status == s)
                for s in ("pending", "approved", "rejected")
            },
            "voters": await contests.voter_count(uow, campaign.id),
        }
    return None


def print_details(console: Console, data: dict[str, Any]) -> None:
    if "questions" in data:
        console.print(_("Submissions: {n}").format(n=data["submissions"]))
        positions = {q["key"]: q["position"] for q in data["questions"]}
        for q in data["questions"]:
            skip = ""
            if "skip_if" in q:
                key, answer = q["skip_if"]
                skip = (
                    "  ("
                    + _("skipped when the answer to {n} is «{answer}»").format(
                        n=positions.get(key, key), answer=answer
                    )
                    + ")"
                )
            kind = words.question_type(q["type"])
            console.print(escape(f"  {q['position']}. [{kind}] {q['text']}{skip}"))
            for option in q["options"]:
                console.print(f"       · {option}")
    if "phase" in data:
        console.print(_("Phase: {phase}").format(phase=words.contest_phase(data["phase"])))
        console.print(
            _("Votes per resident: {n} · winners: {k} · premoderation: {p}").format(
                n=data["votes_per_resident"],
                k=data["winners"],
                p=words.yes_no(data["premoderation"]),
            )
        )
        console.print(_("Entries: {counts}").format(counts=words.entry_counts(data["entries"])))
        console.print(_("Voters so far: {n}").format(n=data["voters"]))


async def load(uow: UnitOfWork, campaign: Campaign, now: datetime) -> KindResults:
    if campaign.kind == CampaignKind.CONSULTATION:
        return await consultations.results(uow, campaign.id, now=now, for_official=True)
    if campaign.kind == CampaignKind.CONTEST:
        return await contests.results(uow, campaign.id, now=now, for_official=True)
    raise ValueError(f"no results for {campaign.kind}")


def as_dict(outcome: KindResults) -> dict[str, object]:
    if isinstance(outcome, ContestResults):
        return {
            "campaign_id": outcome.contest.id,
            "kind": "contest",
            "title": outcome.contest.campaign.title,
            "voters": outcome.voters,
            "winners": outcome.contest.winners,
            "entries": [
                {
                    "rank": r.rank,
                    "id": r.entry.id,
                    "title": r.entry.title,
                    "votes": r.votes,
                    "percent": r.percent,
                    "winner": r.winner,
                }
                for r in outcome.ranked
            ],
        }
    return {
        "campaign_id": outcome.consultation_id,
        "kind": "consultation",
        "title": outcome.title,
        "submissions": outcome.submissions,
        "questions": [
            {
                "position": q.question.position,
                "key": q.question.key,
                "type": q.question.type.value,
                "text": q.question.text,
                "answers": q.respondents,
                **({"average": q.average} if q.average is not None else {}),
                "choices": [
                    {"label": c.label, "count": c.count, "percent": c.percent} for c in q.choices
                ],
            }
            for q in outcome.questions
        ],
    }


def as_csv(outcome: KindResults) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if isinstance(outcome, ContestResults):
        writer.writerow(["rank", "entry_id", "title", "votes", "percent", "winner"])
        for r in outcome.ranked:
            writer.writerow([r.rank, r.entry.id, r.entry.title, r.votes, r.percent, r.winner])
        return buffer.getvalue()
    writer.writerow(["question", "key", "type", "choice", "count", "percent"])
    for q in outcome.questions:
        if q.question.type == QuestionType.TEXT:
            writer.writerow([q.question.position, q.question.key, "text", "", q.respondents, ""])
        for c in q.choices:
            writer.writerow(
                [
                    q.question.position,
                    q.question.key,
                    q.question.type.value,
                    c.label,
                    c.count,
                    c.percent,
                ]
            )
    return buffer.getvalue()


def print_table(outcome: KindResults) -> None:
    console = Console(width=160)
    if isinstance(outcome, ContestResults):
        table = Table(
            title=outcome.contest.campaign.title,
            caption=_("Voters: {n}").format(n=outcome.voters),
        )
        for header in ("#", _("Entry"), _("Votes"), "%", ""):
            table.add_column(header)
        for r in outcome.ranked:
            table.add_row(
                str(r.rank),
                f"[{r.entry.id}] {r.entry.title}",
                str(r.votes),
                words.percent(r.percent),
                "🏆" if r.winner else "",
            )
        console.print(table)
        return
    console.print(f"[bold]{outcome.title}[/bold]")
    console.print(_("Submissions: {n}").format(n=outcome.submissions))
    for q in outcome.questions:
        if q.question.type == QuestionType.TEXT:
            console.print(
                f"{q.question.position}. {q.question.text}: "
                + ngettext(
                    "{n} free-text answer: spilno-admin consultation export-text {id}",
                    "{n} free-text answers: spilno-admin consultation export-text {id}",
                    q.respondents,
                ).format(n=q.respondents, id=outcome.consultation_id)
            )
            continue
        table = Table(title=f"{q.question.position}. {q.question.text}", title_justify="left")
        table.add_column(_("Answer"))
        table.add_column(_("Count"), justify="right")
        table.add_column("%", justify="right")
        table.add_column("")
        for c in q.choices:
            table.add_row(
                c.label, str(c.count), words.percent(c.percent), "█" * round(c.percent / 5)
            )
        console.print(table)


def charts(outcome: KindResults | PollResults) -> list[bytes]:
    from core.campaigns.charts import Bar, bar_chart_png
    from core.consultations.charts import consultation_charts
    from core.contests.charts import contest_chart

    if isinstance(outcome, ContestResults):
        return [contest_chart(outcome)]
    if isinstance(outcome, PollResults):
        bars = [Bar(o.label, o.votes, o.percent) for o in outcome.options]
        caption = _("Voters: {n}").format(n=outcome.voters)
        return [bar_chart_png(outcome.question, bars, caption=caption)]
    return [png for _position, png in consultation_charts(outcome)]


def write_png(outcome: KindResults | PollResults, output: Path | None) -> None:
    if output is None:
        fail(_("--format png needs --output FILE.png"), EXIT_USAGE)
        return
    images = charts(outcome)
    if not images:
        fail(_("there is nothing to chart (only free-text questions)"))
    paths = (
        [output]
        if len(images) == 1
        else [
            output.with_name(f"{output.stem}-{i}{output.suffix or '.png'}")
            for i in range(1, len(images) + 1)
        ]
    )
    for path, image in zip(paths, images, strict=True):
        write_bytes(path, image)
        typer.echo(_("Chart written to {path}").format(path=path), err=True)


def emit(outcome: KindResults, fmt: str, output: Path | None) -> None:
    if fmt == "png":
        write_png(outcome, output)
        return
    if fmt == "table" and output is None:
        print_table(outcome)
        return
    text = (
        json.dumps(as_dict(outcome), ensure_ascii=False, indent=2) + "\n"
        if fmt == "json"
        else as_csv(outcome)
        if fmt == "csv"
        else json.dumps(as_dict(outcome), ensure_ascii=False, indent=2) + "\n"
    )
    if output is not None:
        write_text(output, text)
        typer.echo(_("Results written to {path}").format(path=output), err=True)
    else:
        typer.echo(text, nl=False)
