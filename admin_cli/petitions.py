"""`spilno-admin petitions`: the moderation queue, approve / reject on legal grounds, petitions
under consideration and overdue ones, and the city's answer."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from admin_cli.kind import CliKind, KindDetails, KindResults
from admin_cli.output import print_found
from admin_cli.params import id_value, limit_option
from admin_cli.wording import NOTHING, lookup, topic, when
from core.campaigns.charts import Bar, bar_chart_png
from core.campaigns.model import Campaign, CampaignKind
from core.hromadas.taxonomy import N_
from core.kernel.errors import InvalidTransitionError, ValidationError
from core.kernel.i18n import _
from core.petitions import notifications as petition_words
from core.petitions import service as petitions
from core.petitions.model import (
    Decision,
    Petition,
    PetitionQuery,
    PetitionSort,
    PetitionStatus,
    RejectReason,
)

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

petitions_cli = typer.Typer(
    help="Residents' petitions: moderate, follow the threshold and the answer term, answer.",
    no_args_is_help=True,
)

PETITION_STATUS: dict[str, str] = {
    PetitionStatus.PENDING: N_("pending moderation"),
    PetitionStatus.REJECTED: N_("rejected by a moderator"),
    PetitionStatus.OPEN: N_("collecting signatures"),
    PetitionStatus.THRESHOLD_REACHED: N_("under consideration"),
    PetitionStatus.ANSWERED: N_("answered"),
    PetitionStatus.NOT_ENOUGH_SIGNATURES: N_("closed: not enough signatures"),
}
# The same words the author and the signers read.
REJECT_REASON = petition_words.REJECT_REASONS
DECISION = petition_words.DECISIONS


def petition_status(code: object) -> str:
    return lookup(PETITION_STATUS, code)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def petition_as_dict(p: Petition, now: datetime | None = None) -> dict[str, object]:
    """`--json`: codes, not words; the author as our row number is left out (residents' data)."""
    return {
        "id": p.id,
        "title": p.title,
        "addressee": p.addressee,
        "text": p.text,
        "topic": p.topic,
        "status": p.status.value,
        "signatures": p.signatures,
        "threshold": p.threshold or None,
        "submitted_at": _iso(p.submitted_at),
        "opens_at": _iso(p.campaign.opens_at),
        "closes_at": _iso(p.campaign.closes_at),
        "threshold_reached_at": _iso(p.threshold_reached_at),
        "answer_due_at": _iso(p.answer_due_at),
        "overdue": p.is_overdue(now) if now is not None else None,
        "reject_reason": p.reject_reason.value if p.reject_reason else None,
        "reject_note": p.reject_note,
        "decision": p.decision.value if p.decision else None,
        "answer": p.answer,
        "answered_at": _iso(p.answered_at),
    }


def _signatures(p: Petition) -> str:
    return f"{p.signatures}/{p.threshold}" if p.threshold else str(p.signatures)


def _term(p: Petition) -> str:
    """The date that matters now: the answer due, or the end of signing."""
    if p.status == PetitionStatus.THRESHOLD_REACHED and p.answer_due_at:
        return _("answer due {date}").format(date=when(p.answer_due_at))
    if p.status == PetitionStatus.OPEN and p.campaign.closes_at:
        return _("signing until {date}").format(date=when(p.campaign.closes_at))
    return NOTHING


@dataclass(frozen=True, slots=True)
class Found:
    """Petitions and the moment they were read at (what is overdue is overdue then)."""

    petitions: list[Petition]
    now: datetime


def _for_officials(p: Petition) -> Petition:
    """Without the author's row number: it is residents' data (`--json` leaves it out too)
    and need not leave the installation."""
    return dataclasses.replace(p, author_id=0)


@action("petitions.list", commit=False)
async def list_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    status: PetitionStatus | None = None,
    overdue: bool = False,
    top: bool = False,
    limit: int = 100,
) -> Found:
    """Petitions, newest (or with `top` most signed) first: in one state, or past their
    answer term (`overdue`)."""
    now = ctx.now()
    query = PetitionQuery(
        sort=PetitionSort.TOP if top else PetitionSort.NEW,
        statuses=(status,) if status else tuple(PetitionStatus),
        overdue_at=now if overdue else None,
    )
    found, _more = await petitions.browse(uow, query, page=0, page_size=max(limit, 1))
    return Found([_for_officials(p) for p in found], now)


@petitions_cli.command("list")
def list_(
    status: Annotated[
        PetitionStatus | None, typer.Option(help="Only petitions in this state.")
    ] = None,
    overdue: Annotated[
        bool,
        typer.Option(
            "--overdue",
            help="Only those under consideration past their answer term (10 working days).",
        ),
    ] = False,
    top: Annotated[bool, typer.Option("--top", help="Most signed first.")] = False,
    limit: Annotated[int, limit_option("At most this many.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List petitions, newest first (`--status pending` is the moderation queue)."""
    listed = client().call(list_action, status=status, overdue=overdue, top=top, limit=limit)
    found, now = listed.petitions, listed.now
    print_found(
        found,
        as_json=as_json,
        as_dict=lambda p: petition_as_dict(p, now),
        nothing=_("No petitions match."),
        title=_("Petitions"),
        headers=(_("Id"), _("Status"), _("Signatures"), _("Term"), _("Title"), _("Filed")),
        row=lambda p: (
            str(p.id),
            petition_status(p.status) + (" · " + _("overdue") if p.is_overdue(now) else ""),
            _signatures(p),
            _term(p),
            p.title,
            when(p.submitted_at),
        ),
    )


def _petition_id(text: str) -> int:
    return id_value(text)


PetitionId = Annotated[int, typer.Argument(help="The petition's number.", parser=_petition_id)]


@action("petitions.show", commit=False)
async def show_action(ctx: ActionContext, uow: UnitOfWork, *, petition_id: int) -> Found:
    """One petition in full."""
    return Found([_for_officials(await petitions.get_petition(uow, petition_id))], ctx.now())


@petitions_cli.command("show")
def show(
    petition_id: PetitionId,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one petition in full."""
    shown = client().call(show_action, petition_id=petition_id)
    petition, now = shown.petitions[0], shown.now
    data = petition_as_dict(petition, now)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    console = Console(width=160)
    console.print(f"[bold]№{petition.id}[/bold] {petition.title}", highlight=False)
    console.print(petition.text, markup=False)
    for label, value in _lines(petition, now):
        console.print(f"{label}: {value}", markup=False)


def _lines(p: Petition, now: datetime) -> list[tuple[str, str]]:
    lines = [
        (_("Addressee"), p.addressee),
        (_("Status"), petition_status(p.status)),
        (_("Topic"), topic(p.topic)),
        (_("Signatures"), _signatures(p)),
        (_("Filed"), when(p.submitted_at)),
    ]
    optional: list[tuple[str, object]] = [
        (_("Signing opened"), p.campaign.opens_at and when(p.campaign.opens_at)),
        (_("Signing closes"), p.campaign.closes_at and when(p.campaign.closes_at)),
        (_("Threshold reached"), p.threshold_reached_at and when(p.threshold_reached_at)),
        (_("Answer due"), p.answer_due_at and when(p.answer_due_at)),
        (_("Overdue"), _("yes") if p.is_overdue(now) else None),
        (
            _("Reason for rejection"),
            p.reject_reason and petition_words.reject_reason_label(p.reject_reason),
        ),
        (_("Moderator's note"), p.reject_note),
        (_("Decision"), p.decision and petition_words.decision_label(p.decision)),
        (_("Answer text"), p.answer),
        (_("Answered"), p.answered_at and when(p.answered_at)),
    ]
    lines += [(label, str(value)) for label, value in optional if value]
    return lines


@action("petitions.approve")
async def approve_action(ctx: ActionContext, uow: UnitOfWork, *, petition_id: int) -> Petition:
    """Publish a pending petition; the author is told."""
    petition = await petitions.approve_petition(uow, petition_id, actor=ctx.official, now=ctx.now())
    return _for_officials(petition)


@petitions_cli.command("approve")
def approve(petition_id: PetitionId) -> None:
    """Publish a pending petition: it collects signatures for the hromada's period towards the
    hromada's threshold (SPILNO_PETITION_DAYS, SPILNO_PETITION_THRESHOLD); the author is told."""
    petition = client().call(approve_action, petition_id=petition_id)
    typer.echo(
        _("Petition {id} is published: {n} signatures needed by {date}.").format(
            id=petition.id,
            n=petition.threshold,
            date=when(petition.campaign.closes_at),
        )
    )


@action("petitions.reject")
async def reject_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    petition_id: int,
    reason: RejectReason,
    note: str | None = None,
) -> Petition:
    """Refuse to publish a pending petition on a legal ground; the author is told why."""
    petition = await petitions.reject_petition(
        uow, petition_id, reason=reason, note=note, actor=ctx.official, now=ctx.now()
    )
    return _for_officials(petition)


@petitions_cli.command("reject")
def reject(
    petition_id: PetitionId,
    reason: Annotated[
        RejectReason,
        typer.Option(
            help=(
                "The legal ground: outside_competence (not a matter for the hromada), violence "
                "(calls for violence, war, overthrow), discrimination (incites hatred), "
                "obscene_language, duplicate (the same demand is open), no_demand (no text or "
                "nothing to answer)."
            )
        ),
    ],
    note: Annotated[
        str | None, typer.Option(help="A few words more for the author (optional).")
    ] = None,
) -> None:
    """Refuse to publish a pending petition; the author is told the reason."""
    petition = client().call(reject_action, petition_id=petition_id, reason=reason, note=note)
    typer.echo(
        _("Petition {id} is rejected: {reason}.").format(
            id=petition.id, reason=petition_words.reject_reason_label(reason)
        )
    )


@action("petitions.answer")
async def answer_action(
    ctx: ActionContext, uow: UnitOfWork, *, petition_id: int, decision: Decision, text: str
) -> Petition:
    """Answer a petition under consideration; the author and every signer are told."""
    petition = await petitions.answer_petition(
        uow, petition_id, decision=decision, text=text, actor=ctx.official, now=ctx.now()
    )
    return _for_officials(petition)


@petitions_cli.command("answer")
def answer(
    petition_id: PetitionId,
    text: Annotated[str, typer.Option(help="The answer the author and every signer read.")],
    decision: Annotated[Decision, typer.Option(help="The city's decision.")],
) -> None:
    """Answer a petition under consideration; the author and every signer are told."""
    petition = client().call(answer_action, petition_id=petition_id, decision=decision, text=text)
    typer.echo(
        _("Petition {id} is answered: {decision}.").format(
            id=petition.id, decision=petition_words.decision_label(decision)
        )
    )


# --- `campaign show` / `campaign results` for a petition ----------------------------------


async def _details(uow: UnitOfWork, campaign: Campaign, now: datetime) -> dict[str, object]:
    return petition_as_dict(await petitions.get_petition(uow, campaign.id), now)


def _print_details(console: Console, data: dict[str, Any]) -> None:
    console.print(_("Addressee: {who}").format(who=data["addressee"]), markup=False)
    console.print(
        _("Petition status: {status}").format(status=petition_status(data["status"])),
        markup=False,
    )


async def _load(uow: UnitOfWork, campaign_id: int, now: datetime) -> Petition:
    return await petitions.get_petition(uow, campaign_id)


def _result_dict(p: Petition) -> dict[str, object]:
    return {
        "campaign_id": p.id,
        "status": p.status.value,
        "signatures": p.signatures,
        "threshold": p.threshold or None,
        "decision": p.decision.value if p.decision else None,
        "answer": p.answer,
    }


def _result_csv(p: Petition) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(_result_dict(p)), lineterminator="\n")
    writer.writeheader()
    writer.writerow(_result_dict(p))
    return buffer.getvalue()


def _result_text(p: Petition) -> str:
    lines = [
        f"№{p.id} {p.title}",
        _("Status: {status}").format(status=petition_status(p.status)),
        _("Signatures: {n}").format(n=_signatures(p)),
    ]
    if p.decision:
        lines.append(
            _("Decision: {decision}").format(decision=petition_words.decision_label(p.decision))
        )
    if p.answer:
        lines.append(p.answer)
    return "\n".join(lines) + "\n"


def _print_result(p: Petition) -> None:
    typer.echo(_result_text(p), nl=False)


def _charts(p: Petition) -> list[bytes]:
    if not p.threshold:
        return []
    share = round(100 * p.signatures / p.threshold, 1)
    bars = [
        Bar(_("Signatures"), p.signatures, share, highlight=True),
        Bar(_("Needed"), p.threshold, 100.0),
    ]
    return [bar_chart_png(p.title, bars)]


def _transition(p: dict[str, object]) -> str:
    return _("petition {id} is {status}; it cannot become {target}").format(
        id=p.get("petition"),
        status=petition_status(p.get("status")),
        target=petition_status(p.get("target")),
    )


CLI_KIND = CliKind(
    kind=CampaignKind.PETITION,
    name=N_("petition"),
    commands=(("petitions", petitions_cli),),
    participation={
        "petitions": N_("petitions filed"),
        "petition_signatures": N_("petitions signed"),
    },
    enum_words=(
        (PetitionStatus, PETITION_STATUS),
        (RejectReason, REJECT_REASON),
        (Decision, DECISION),
    ),
    audit_actions={
        "petition.create": N_("filed a petition"),
        "petition.approve": N_("published a petition"),
        "petition.reject": N_("rejected a petition"),
        "petition.threshold_reached": N_("a petition reached its signature threshold"),
        "petition.answer": N_("answered a petition"),
        "petition.not_enough_signatures": N_("a petition closed without enough signatures"),
    },
    audit_objects={"petition": N_("petition")},
    push_kinds={
        "petition.opened": N_("new petition"),
        "petition.reminder": N_("petition reminder"),
        "petition.results": N_("petition closed"),
        "petition.approved": N_("petition published"),
        "petition.rejected": N_("petition rejected"),
        "petition.threshold": N_("petition reached its threshold"),
        "petition.answered": N_("answer to a petition"),
        "petition.not_enough": N_("petition closed without enough signatures"),
    },
    error_texts={
        (InvalidTransitionError, "petition_status"): _transition,
        (ValidationError, "petition_days"): lambda p: _(
            "SPILNO_PETITION_DAYS must be between 1 and {max}"
        ).format(max=p.get("max")),
        (ValidationError, "petition_text_max"): lambda p: _(
            "SPILNO_PETITION_TEXT_MAX must be between 100 and {max}"
        ).format(max=p.get("max")),
    },
    details=KindDetails(_details, _print_details),
    results=KindResults(
        load=_load,
        as_dict=_result_dict,
        as_csv=_result_csv,
        print_table=_print_result,
        charts=_charts,
        as_text=_result_text,
    ),
)
