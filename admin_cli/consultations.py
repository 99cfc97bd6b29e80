"""`spilno-admin consultation …`: create from a YAML file, export free-text answers."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from admin_cli.actions import ActionContext, action
from admin_cli.campaign_files import file_error
from admin_cli.client import client
from admin_cli.files import read_text, writable_first, write_text
from admin_cli.kind import (
    CliKind,
    KindBreakdownView,
    KindDetails,
    KindResults,
    Params,
    Text,
    own,
)
from admin_cli.output import echo_audit_head
from admin_cli.params import OnOff, id_argument
from admin_cli.results_breakdown import (
    cell,
    columns_table,
    csv_key,
    csv_rows,
    group_label,
    groups_as_dicts,
)
from admin_cli.wording import NOTHING, lookup, number, percent
from core.audit import service as audit
from core.campaigns.breakdown import ResultsBreakdown
from core.campaigns.model import Campaign, CampaignKind
from core.consultations import service as consultations
from core.consultations.model import Consultation, ConsultationResults, QuestionType
from core.consultations.plan import parse_consultation
from core.hromadas.taxonomy import N_
from core.kernel.errors import AlreadySubmittedError, CampaignFileError, ValidationError
from core.kernel.i18n import _, current_timezone, format_datetime, ngettext

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

consultation_cli = typer.Typer(
    help="Public consultations: several questions, answered one by one.", no_args_is_help=True
)


QUESTION_TYPE: dict[str, str] = {
    QuestionType.SINGLE: N_("one answer"),
    QuestionType.MULTIPLE: N_("several answers"),
    QuestionType.SCALE: N_("scale"),
    QuestionType.TEXT: N_("free text"),
}


def question_type(code: object) -> str:
    return lookup(QUESTION_TYPE, code)


def _skip_unknown_answer(p: Params) -> str:
    allowed = ", ".join(str(a) for a in p.get("allowed", []))  # type: ignore[attr-defined]
    return _("answer {answer!r} is not one of: {allowed}").format(
        answer=p.get("answer"), allowed=allowed
    )


# What can be wrong with a consultation's questions, as its file's error line says it.
FILE_PROBLEMS: dict[str, Text] = {
    "duplicate_key": lambda p: _("key {key!r} is used by another question").format(
        key=p.get("key")
    ),
    "skip_unknown_question": lambda p: _(
        "skip_if refers to {key!r}, which is not an earlier question"
    ).format(key=p.get("key")),
    "skip_on_text": lambda p: _("skip_if cannot depend on the free-text question {key!r}").format(
        key=p.get("key")
    ),
    "skip_unknown_answer": _skip_unknown_answer,
}


class TextFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def consultation_as_dict(consultation: Consultation) -> dict[str, object]:
    campaign = consultation.campaign
    return {
        "id": consultation.id,
        "kind": campaign.kind.value,
        "status": campaign.status.value,
        "title": campaign.title,
        "description": campaign.description,
        "opens_at": campaign.opens_at.isoformat() if campaign.opens_at else None,
        "closes_at": campaign.closes_at.isoformat() if campaign.closes_at else None,
        "results": campaign.results_visibility.value,
        "eligible": campaign.eligibility.as_list(),
        "questions": [
            {
                "id": q.id,
                "position": q.position,
                "key": q.key,
                "type": q.type.value,
                "text": q.text,
                "options": list(q.spec.options),
                **(
                    {"skip_if": [q.spec.skip_if.question, q.spec.skip_if.answer]}
                    if q.spec.skip_if
                    else {}
                ),
            }
            for q in consultation.questions
        ],
    }


@action("consultation.create")
async def create_action(
    ctx: ActionContext, uow: UnitOfWork, *, text: str, file_name: str
) -> Consultation:
    """Create a consultation from its YAML file's text (`file_name` names the file in a wrong
    line's error); nothing is created if the file is wrong."""
    try:
        plan = parse_consultation(text, tz=current_timezone())
    except CampaignFileError as error:
        raise file_error(file_name, error, FILE_PROBLEMS) from None
    return await consultations.create_consultation(uow, plan, actor=ctx.official, now=ctx.now())


@consultation_cli.command("create")
def create(
    file: Annotated[Path, typer.Option("--file", help="The consultation, as YAML (see README).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Create a consultation from a file. Prints its id; nothing is created if the file is wrong."""
    consultation = client().call(create_action, text=read_text(file), file_name=str(file))
    if as_json:
        typer.echo(json.dumps(consultation_as_dict(consultation), ensure_ascii=False))
        return
    typer.echo(consultation.id)
    campaign = consultation.campaign
    if campaign.opens_at is None:
        typer.echo(
            _(
                "Consultation {id} created as a draft. Open it with: "
                "spilno-admin campaign open {id}"
            ).format(id=consultation.id),
            err=True,
        )
    else:
        typer.echo(
            _("Consultation {id} created; it opens on {date}.").format(
                id=consultation.id, date=format_datetime(campaign.opens_at)
            ),
            err=True,
        )


@dataclass(frozen=True, slots=True)
class ExportedTexts:
    """Free-text answers as the file (or stdout) receives them, how many, and the audit head."""

    text: str
    count: int
    head: str


@action("consultation.export-text")
async def export_text_action(
    ctx: ActionContext, uow: UnitOfWork, *, consultation_id: int, fmt: TextFormat = TextFormat.CSV
) -> ExportedTexts:
    """Every submitted free-text answer (officials only) as CSV or one JSON array, read in
    batches; audit-logged."""
    consultation = await consultations.get_consultation(uow, consultation_id)
    keys = {q.id: q.key for q in consultation.questions}
    out = io.StringIO(newline="")
    count = 0
    fields = ("response", "question", "submitted_at", "text")
    writer = csv.writer(out, lineterminator="\n")
    if fmt == TextFormat.CSV:
        writer.writerow(fields)
    else:  # one JSON array, like every --format json export
        out.write("[")
    async for row in consultations.export_texts(uow, consultation_id):
        count += 1
        record = [row.response_id, keys[row.question_id], row.submitted_at.isoformat(), row.text]
        if fmt == TextFormat.CSV:
            writer.writerow(record)
        else:
            item = json.dumps(dict(zip(fields, record, strict=True)), ensure_ascii=False)
            out.write(("\n" if count == 1 else ",\n") + "  " + item)
    if fmt == TextFormat.JSON:
        out.write("\n]\n" if count else "]\n")
    head = await audit.record(
        uow,
        actor=ctx.official,
        action="consultation.export_text",
        object_type="campaign",
        object_id=consultation_id,
        now=ctx.now(),
        after={"answers": count, "format": fmt.value},
    )
    return ExportedTexts(out.getvalue(), count, head)


@consultation_cli.command("export-text")
def export_text(
    consultation_id: Annotated[int, id_argument("Consultation id.")],
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.CSV,
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
) -> None:
    """Every submitted free-text answer (officials only)."""
    # One that cannot be written stops the export before it is logged; a refused export
    # leaves no new file behind, nor an emptied one.
    with writable_first(output):
        exported = client().call(export_text_action, consultation_id=consultation_id, fmt=fmt)
    if output is None:
        typer.echo(exported.text, nl=False)
    else:
        write_text(output, exported.text)
    typer.echo(_("{n} free-text answers exported.").format(n=exported.count), err=True)
    echo_audit_head(exported.head)


@action("consultation.texts-public")
async def texts_public_action(
    ctx: ActionContext, uow: UnitOfWork, *, consultation_id: int, public: bool
) -> Consultation:
    """Publish a consultation's free-text answers in its open data, or not (only before it
    opens)."""
    return await consultations.set_texts_public(
        uow, consultation_id, public, actor=ctx.official, now=ctx.now()
    )


@consultation_cli.command("texts-public")
def texts_public(
    consultation_id: Annotated[int, id_argument("Consultation id.")],
    public: Annotated[
        OnOff, typer.Argument(help="on: free-text answers go into the open data (no names).")
    ],
) -> None:
    """Publish free-text answers in `open-data export`, or not. Only before it opens:
    residents are told on each text question."""
    consultation = client().call(
        texts_public_action, consultation_id=consultation_id, public=public == OnOff.ON
    )
    if consultation.texts_public:
        typer.echo(
            _("Free-text answers of consultation {id} will be in its open data.").format(
                id=consultation.id
            )
        )
    else:
        typer.echo(
            _("Free-text answers of consultation {id} stay private.").format(id=consultation.id)
        )


# --- campaign show / campaign results ---------------------------------------------------------


async def details(uow: UnitOfWork, campaign: Campaign, _now: datetime) -> dict[str, object]:
    consultation = await consultations.get_consultation(uow, campaign.id)
    submissions = await consultations.submission_count(uow, campaign.id)
    return consultation_as_dict(consultation) | {"submissions": submissions}


def print_details(console: Console, data: dict[str, Any]) -> None:
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
        kind = question_type(q["type"])
        console.print(escape(f"  {q['position']}. [{kind}] {q['text']}{skip}"))
        for option in q["options"]:
            console.print(f"       · {option}")


async def load_results(uow: UnitOfWork, consultation_id: int, now: datetime) -> ConsultationResults:
    return await consultations.results(uow, consultation_id, now=now, for_official=True)


def results_as_dict(outcome: ConsultationResults) -> dict[str, object]:
    return {
        "campaign_id": outcome.consultation_id,
        "kind": "consultation",
        "title": outcome.title,
        "submissions": outcome.submissions,
        **_questions(outcome),
    }


def _questions(outcome: ConsultationResults) -> dict[str, object]:
    return {
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
        ]
    }


def results_as_csv(outcome: ConsultationResults) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
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


def print_results(outcome: ConsultationResults) -> None:
    console = Console(width=160)
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
            table.add_row(c.label, str(c.count), percent(c.percent), "█" * round(c.percent / 5))
        console.print(table)


def results_charts(outcome: ConsultationResults) -> list[bytes]:
    from core.consultations.charts import consultation_charts  # matplotlib only for png

    return [png for _position, png in consultation_charts(outcome)]


ConsultationBreakdown = ResultsBreakdown[ConsultationResults]


def breakdown_as_dict(breakdown: ConsultationBreakdown) -> dict[str, object]:
    whole = breakdown.whole
    return {
        "campaign_id": whole.consultation_id,
        "kind": "consultation",
        "title": whole.title,
        "by": breakdown.by.value,
        "groups": groups_as_dicts(breakdown, "submissions", _questions),
        "total": {"submissions": whole.submissions, **_questions(whole)},
    }


def breakdown_as_csv(breakdown: ConsultationBreakdown) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [breakdown.by.value, "submissions", "question", "key", "type", "choice", "count", "percent"]
    )
    for g in csv_rows(breakdown, breakdown.whole.submissions):
        group = [csv_key(g.key), g.counted]
        for q in g.results.questions:
            where = [q.question.position, q.question.key, q.question.type.value]
            if q.question.type == QuestionType.TEXT:
                writer.writerow([*group, *where, "", q.respondents, ""])
            for c in q.choices:
                writer.writerow([*group, *where, c.label, c.count, c.percent])
    return buffer.getvalue()


def print_breakdown(breakdown: ConsultationBreakdown) -> None:
    """One table per question: its answers (and choices, and the average of a scale) per
    group, the whole city last."""
    whole = breakdown.whole
    console = Console(width=160)
    console.print(f"[bold]{escape(whole.title)}[/bold]")
    groups = [g.results for g in breakdown.groups] + [whole]
    submitted = columns_table("", breakdown)
    submitted.add_row(_("Submissions"), *(str(r.submissions) for r in groups))
    console.print(submitted)
    for i, q in enumerate(whole.questions):
        rows = [r.questions[i] for r in groups]
        table = columns_table(f"{q.question.position}. {q.question.text}", breakdown)
        table.add_row(_("Answers"), *(str(row.respondents) for row in rows))
        if q.choices:
            table.add_section()
        for c, choice in enumerate(q.choices):
            table.add_row(
                choice.label, *(cell(row.choices[c].count, row.choices[c].percent) for row in rows)
            )
        if q.question.type == QuestionType.SCALE:
            table.add_section()
            table.add_row(
                _("Average"),
                *(NOTHING if row.average is None else number(row.average) for row in rows),
            )
        console.print(table)


def breakdown_charts(breakdown: ConsultationBreakdown) -> list[bytes]:
    """Each group's charts (one per question with choices), group after group."""
    from core.consultations.charts import consultation_charts  # matplotlib only for png

    return [
        png
        for g in breakdown.groups
        for _position, png in consultation_charts(g.results, group=group_label(breakdown.by, g.key))
    ]


CLI_KIND = CliKind(
    kind=CampaignKind.CONSULTATION,
    name=N_("consultation"),
    commands=(("consultation", consultation_cli),),
    participation={"consultation_responses": N_("consultation responses")},
    enum_words=((QuestionType, QUESTION_TYPE),),
    audit_actions={
        "consultation.create": N_("created a consultation"),
        "consultation.export_text": N_("exported free-text answers"),
        "consultation.texts_public": N_("changed whether free-text answers are published"),
    },
    push_kinds={
        "consultation.opened": N_("new consultation"),
        "consultation.reminder": N_("consultation reminder"),
        "consultation.results": N_("consultation results"),
    },
    # Residents' answers, and file problems the file's own error line words (FILE_PROBLEMS).
    residents_only=(
        own(AlreadySubmittedError),
        *(
            (ValidationError, reason)
            for reason in (
                "answer_empty",
                "answer_required",
                "answer_too_long",
                "buttons_expected",
                "duplicate_key",
                "no_questions",
                "skip_on_text",
                "skip_unknown_answer",
                "skip_unknown_question",
                "too_many_questions",
            )
        ),
    ),
    details=KindDetails(details, print_details),
    results=KindResults(
        load=load_results,
        as_dict=results_as_dict,
        as_csv=results_as_csv,
        print_table=print_results,
        charts=results_charts,
    ),
    breakdown=KindBreakdownView(
        as_dict=breakdown_as_dict,
        as_csv=breakdown_as_csv,
        print_table=print_breakdown,
        charts=breakdown_charts,
    ),
)
