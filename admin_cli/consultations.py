"""`spilno-admin consultation …`: create from a YAML file, export free-text answers."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from admin_cli.campaign_files import file_error
from admin_cli.context import Official, run_in_uow
from admin_cli.files import open_for_writing, read_text
from admin_cli.params import id_argument
from core.audit import service as audit
from core.bootstrap import App
from core.consultations import service as consultations
from core.consultations.model import Consultation
from core.consultations.plan import parse_consultation
from core.kernel.errors import CampaignFileError
from core.kernel.i18n import _, format_datetime
from core.kernel.unit_of_work import UnitOfWork

consultation_cli = typer.Typer(
    help="Public consultations: several questions, answered one by one.", no_args_is_help=True
)


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


@consultation_cli.command("create")
def create(
    ctx: typer.Context,
    file: Annotated[Path, typer.Option("--file", help="The consultation, as YAML (see README).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Create a consultation from a file. Prints its id; nothing is created if the file is wrong."""
    official: Official = ctx.obj
    text = read_text(file)

    async def work(app: App, uow: UnitOfWork) -> Consultation:
        try:
            plan = parse_consultation(text, tz=app.settings.tz)
        except CampaignFileError as error:
            raise file_error(file, error) from None
        return await consultations.create_consultation(
            uow, plan, actor=official.name, now=app.clock()
        )

    consultation = run_in_uow(work)
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


@consultation_cli.command("export-text")
def export_text(
    ctx: typer.Context,
    consultation_id: Annotated[int, id_argument("Consultation id.")],
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.CSV,
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
) -> None:
    """Every submitted free-text answer (officials only), streamed in batches."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> int:
        now = app.clock()
        consultation = await consultations.get_consultation(uow, consultation_id)
        keys = {q.id: q.key for q in consultation.questions}
        out: TextIO = open_for_writing(output) if output else sys.stdout
        count = 0
        fields = ("response", "question", "submitted_at", "text")
        try:
            writer = csv.writer(out, lineterminator="\n")
            if fmt == TextFormat.CSV:
                writer.writerow(fields)
            else:  # one JSON array, like every --format json export, written as it streams
                out.write("[")
            async for row in consultations.export_texts(uow, consultation_id):
                count += 1
                record = [
                    row.response_id,
                    keys[row.question_id],
                    row.submitted_at.isoformat(),
                    row.text,
                ]
                if fmt == TextFormat.CSV:
                    writer.writerow(record)
                else:
                    item = json.dumps(dict(zip(fields, record, strict=True)), ensure_ascii=False)
                    out.write(("\n" if count == 1 else ",\n") + "  " + item)
            if fmt == TextFormat.JSON:
                out.write("\n]\n" if count else "]\n")
        finally:
            if output:
                out.close()
        await audit.record(
            uow,
            actor=official.name,
            action="consultation.export_text",
            object_type="campaign",
            object_id=consultation_id,
            now=now,
            after={"answers": count, "format": fmt.value},
        )
        return count

    count = run_in_uow(work)
    typer.echo(_("{n} free-text answers exported.").format(n=count), err=True)
