"""`spilno-admin idea-call …` and `spilno-admin ideas …`: calls, moderation, answers, exports."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from admin_cli.context import city_moment
from admin_cli.files import write_text
from admin_cli.kind import CliKind, Params, own
from admin_cli.output import echo_audit_head, print_found
from admin_cli.params import ELIGIBLE_HELP, LIMIT_MAX, id_option, idea_ref, limit_option
from admin_cli.rendered import Rendered
from admin_cli.wording import NOTHING, counts, district, lookup, number, topic, when, yes_no
from core.audit import service as audit
from core.campaigns.eligibility import Eligibility
from core.campaigns.model import CampaignKind
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.hromadas.taxonomy import N_
from core.ideas import service as ideas
from core.ideas.model import (
    Idea,
    IdeaCall,
    IdeaQuery,
    IdeaSort,
    IdeaStatus,
    OfficialStatus,
    ReportedItem,
    ReportReason,
    ReportTarget,
)
from core.kernel.errors import (
    CommentNotFoundError,
    IdeaCallNotOpenError,
    IdeaNotFoundError,
    IdeaNotPublicError,
    InvalidTransitionError,
    ValidationError,
)
from core.kernel.i18n import _

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

idea_call_cli = typer.Typer(
    help="Idea calls: ask residents for ideas on a theme.", no_args_is_help=True
)
ideas_cli = typer.Typer(
    help="Residents' ideas: moderate, answer, review reports, export.", no_args_is_help=True
)

IDEA_STATUS: dict[str, str] = {
    IdeaStatus.PENDING: N_("pending moderation"),
    IdeaStatus.PUBLISHED: N_("published"),
    IdeaStatus.THRESHOLD_REACHED: N_("reached its support threshold"),
    IdeaStatus.REJECTED: N_("rejected by a moderator"),
}
IDEA_ANSWER: dict[str, str] = {  # the same words residents read in their notification
    OfficialStatus.UNDER_REVIEW: N_("under review"),
    OfficialStatus.ACCEPTED: N_("accepted"),
    OfficialStatus.IMPLEMENTED: N_("implemented"),
    OfficialStatus.REJECTED: N_("not supported by the city"),
}
REPORT_REASON: dict[str, str] = {
    ReportReason.SPAM: N_("spam or advertising"),
    ReportReason.OFFENSIVE: N_("offensive"),
    ReportReason.OFF_TOPIC: N_("not about the city"),
}
REPORT_TARGET: dict[str, str] = {
    ReportTarget.IDEA: N_("idea"),
    ReportTarget.COMMENT: N_("comment"),
}


def idea_status(code: object) -> str:
    return lookup(IDEA_STATUS, code)


def idea_answer(code: object) -> str:
    return lookup(IDEA_ANSWER, code)


def idea_state(code: object) -> str:
    """An idea's moderation status, or else the city's answer (errors name either)."""
    return idea_status(code) if str(code) in IDEA_STATUS else idea_answer(code)


def report_reason(code: object) -> str:
    return lookup(REPORT_REASON, code)


def report_target(code: object) -> str:
    return lookup(REPORT_TARGET, code)


def reasons(values: dict[str, int]) -> str:
    return counts(values, REPORT_REASON)


class ListStatus(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    THRESHOLD_REACHED = "threshold_reached"
    REJECTED = "rejected"
    HIDDEN = "hidden"


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def _iso(value: object) -> str | None:
    return value.isoformat() if value else None  # type: ignore[attr-defined]


def idea_as_dict(idea: Idea) -> dict[str, object]:
    return {
        "id": idea.id,
        "code": idea.code,
        "title": idea.title,
        "description": idea.description,
        "topic": idea.topic,
        "district": idea.district,
        "status": idea.status.value,
        "hidden": idea.hidden,
        "supports": idea.supports,
        "comments": idea.comments,
        "reports": idea.reports,
        "official_status": idea.official_status.value if idea.official_status else None,
        "answer": idea.answer,
        "reject_reason": idea.reject_reason,
        "call_id": idea.call_id,
        "photo": idea.photo_ref,
        "latitude": idea.latitude,
        "longitude": idea.longitude,
        "created_at": _iso(idea.created_at),
        "published_at": _iso(idea.published_at),
        "answered_at": _iso(idea.answered_at),
    }


# Ideas exports share one pseudonym scope: an author's ideas group together across exports,
# while the same resident in an open-data export of a campaign has an unrelated pseudonym.
AUTHOR_SCOPE = "ideas-author"


def _export_row(
    idea: Idea, identities: dict[int, list[IdentityRef]] | None, pseudonyms: dict[int, str]
) -> dict[str, object]:
    """One exported idea; a missing value is None (null in JSON, empty in CSV)."""
    if identities is None:
        # Keyed with the server secret: enumerating citizen ids does not reverse it.
        author: str | None = pseudonyms[idea.author_id]
    else:  # how the city can reach them: their messenger identities, not our row number
        author = " ".join(str(ref) for ref in identities.get(idea.author_id, [])) or None
    return {
        "code": idea.code,
        "title": idea.title,
        "status": idea.status.value,
        "hidden": idea.hidden,
        "supports": idea.supports,
        "comments": idea.comments,
        "topic": idea.topic,
        "district": idea.district,
        "official_status": idea.official_status.value if idea.official_status else None,
        "answer": idea.answer or None,
        "created_at": _iso(idea.created_at),
        "published_at": _iso(idea.published_at),
        "answered_at": _iso(idea.answered_at),
        "author": author,
    }


# --- idea-call ----------------------------------------------------------------------------


@action("idea-call.create")
async def create_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    title: str,
    closes: str,
    description: str = "",
    opens: str | None = None,
    threshold: int | None = None,
    eligible: list[str] | None = None,
) -> IdeaCall:
    """Create an idea call: a draft without `opens`, else scheduled (times as officials type
    them: ISO 8601 in the hromada's time, or "now"); `threshold`: the supports an idea in it
    needs (default: the deployment's)."""
    now = ctx.now()
    eligibility = Eligibility.parse(eligible or ())  # bad words: one line, exit 2
    opens_at = city_moment(ctx.app, opens, "--opens", now=now) if opens else None
    closes_at = city_moment(ctx.app, closes, "--closes", now=now)
    return await ideas.create_idea_call(
        uow,
        title=title,
        description=description,
        actor=ctx.official,
        now=now,
        opens_at=opens_at,
        closes_at=closes_at,
        support_threshold=threshold,
        eligibility=eligibility,
    )


@idea_call_cli.command("create")
def call_create(
    title: Annotated[str, typer.Option(help="The theme residents propose ideas for.")],
    closes: Annotated[str, typer.Option(help="Deadline, ISO 8601 in city time.")],
    description: Annotated[str, typer.Option(help="What the city is looking for.")] = "",
    opens: Annotated[
        str | None, typer.Option(help="Opening time, ISO 8601 in city time, or 'now'.")
    ] = None,
    threshold: Annotated[
        int | None,
        typer.Option(help="Supports an idea in this call needs (default: the deployment's)."),
    ] = None,
    eligible: Annotated[list[str] | None, typer.Option(help=ELIGIBLE_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Create an idea call. Prints its id. Without --opens it waits as a draft for `campaign open`."""
    call = client().call(
        create_action,
        title=title,
        closes=closes,
        description=description,
        opens=opens,
        threshold=threshold,
        eligible=eligible,
    )
    if as_json:
        c = call.campaign
        data = {
            "id": call.id,
            "kind": c.kind.value,
            "status": c.status.value,
            "title": c.title,
            "opens_at": _iso(c.opens_at),
            "closes_at": _iso(c.closes_at),
            "support_threshold": call.support_threshold,
            "eligible": c.eligibility.as_list(),
        }
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    typer.echo(call.id)
    if call.campaign.opens_at is None:
        typer.echo(
            _(
                "Idea call {id} created as a draft. Open it with: spilno-admin campaign open {id}"
            ).format(id=call.id),
            err=True,
        )
    else:
        typer.echo(_("Idea call {id} created and scheduled.").format(id=call.id), err=True)


# --- ideas --------------------------------------------------------------------------------


@action("ideas.list", commit=False)
async def list_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    status: ListStatus | None = None,
    answer: OfficialStatus | None = None,
    call_id: int | None = None,
    top: bool = False,
    limit: int = 100,
) -> list[Idea]:
    """Ideas, newest (or with `top` most supported) first: in a state, with an official
    answer, in an idea call."""
    query = IdeaQuery(
        sort=IdeaSort.TOP if top else IdeaSort.NEW,
        public_only=False,
        statuses=(IdeaStatus(status.value),) if status and status != ListStatus.HIDDEN else (),
        hidden=True if status == ListStatus.HIDDEN else None,
        official_status=answer,
        call_id=call_id,
    )
    page_size = min(max(limit, 1), LIMIT_MAX)
    found, _more = await ideas.browse(uow, query, page=0, page_size=page_size)
    return found


@ideas_cli.command("list")
def list_(
    status: Annotated[ListStatus | None, typer.Option(help="Only ideas in this state.")] = None,
    answer: Annotated[
        OfficialStatus | None, typer.Option(help="Only ideas with this official answer.")
    ] = None,
    call: Annotated[int | None, id_option("Only ideas in this idea call.")] = None,
    top: Annotated[bool, typer.Option("--top", help="Most supported first.")] = False,
    limit: Annotated[int, limit_option("At most this many.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List ideas, newest first (e.g. `--status pending` for the moderation queue)."""
    found = client().call(
        list_action, status=status, answer=answer, call_id=call, top=top, limit=limit
    )
    print_found(
        found,
        as_json=as_json,
        as_dict=idea_as_dict,
        nothing=_("No ideas match."),
        title=_("Ideas"),
        headers=(_("Code"), _("Status"), _("Supports"), _("Answer"), _("Title"), _("Created")),
        row=lambda i: (
            i.code,
            idea_status(i.status) + (" · " + _("hidden") if i.hidden else ""),
            str(i.supports),
            idea_answer(i.official_status),
            i.title,
            when(i.created_at),
        ),
    )


@action("ideas.show", commit=False)
async def show_action(ctx: ActionContext, uow: UnitOfWork, *, ref: str) -> Idea:
    """One idea in full, by its code (ID-2026-0042) or id."""
    return await ideas.find_idea(uow, ref)


@ideas_cli.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Idea code (ID-2026-0042) or id.", parser=idea_ref)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one idea in full."""
    idea = client().call(show_action, ref=ref)
    data = idea_as_dict(idea)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    console = Console(width=160)
    console.print(f"[bold]{idea.code}[/bold] {idea.title}")
    console.print(idea.description, markup=False)
    for label, value in _idea_lines(idea):
        console.print(f"{label}: {value}", markup=False)


def _idea_lines(idea: Idea) -> list[tuple[str, str]]:
    """`ideas show` as label: value lines, every value in words (codes are for --json)."""
    status = idea_status(idea.status) + (" · " + _("hidden") if idea.hidden else "")
    lines = [
        (_("Status"), status),
        (_("Supports"), str(idea.supports)),
        (_("Comments"), str(idea.comments)),
        (_("Reports"), str(idea.reports)),
        (_("Topic"), topic(idea.topic)),
        (_("District"), district(idea.district)),
    ]
    optional = [
        (_("Reason for rejection"), idea.reject_reason),
        (_("The city's answer"), idea_answer(idea.official_status)),
        (_("Answer text"), idea.answer),
        (_("Idea call"), idea.call_id),
        (_("Photo"), idea.photo_ref),
        (_("Place"), _place(idea)),
        (_("Created"), when(idea.created_at)),
        (_("Published"), idea.published_at and when(idea.published_at)),
        (_("Answered"), idea.answered_at and when(idea.answered_at)),
    ]
    lines += [(label, str(value)) for label, value in optional if value and value != NOTHING]
    return lines


def _place(idea: Idea) -> str | None:
    if idea.latitude is None or idea.longitude is None:
        return None
    return f"{number(idea.latitude)}, {number(idea.longitude)}"


@action("ideas.approve")
async def approve_action(ctx: ActionContext, uow: UnitOfWork, *, ref: str) -> Idea:
    """Publish a pending idea; the author is notified."""
    return await ideas.approve_idea(uow, ref, actor=ctx.official, now=ctx.now())


@ideas_cli.command("approve")
def approve(
    ref: Annotated[str, typer.Argument(help="Idea code or id.", parser=idea_ref)],
) -> None:
    """Publish a pending idea; the author is notified."""
    idea = client().call(approve_action, ref=ref)
    typer.echo(_("Idea {code} is published.").format(code=idea.code))


@action("ideas.reject")
async def reject_action(ctx: ActionContext, uow: UnitOfWork, *, ref: str, reason: str) -> Idea:
    """Reject a pending (or take down a published) idea; the author is told why."""
    return await ideas.reject_idea(uow, ref, reason=reason, actor=ctx.official, now=ctx.now())


@ideas_cli.command("reject")
def reject(
    ref: Annotated[str, typer.Argument(help="Idea code or id.", parser=idea_ref)],
    reason: Annotated[str, typer.Option(help="Why; the author reads this.")],
) -> None:
    """Reject a pending (or take down a published) idea; the author is told why."""
    idea = client().call(reject_action, ref=ref, reason=reason)
    typer.echo(_("Idea {code} is rejected.").format(code=idea.code))


@action("ideas.answer")
async def answer_action(
    ctx: ActionContext, uow: UnitOfWork, *, ref: str, status: OfficialStatus, text: str
) -> Idea:
    """Record the city's answer; the author and every supporter are notified."""
    return await ideas.answer_idea(
        uow, ref, status=status, text=text, actor=ctx.official, now=ctx.now()
    )


@ideas_cli.command("answer")
def answer(
    ref: Annotated[str, typer.Argument(help="Idea code or id.", parser=idea_ref)],
    status: Annotated[OfficialStatus, typer.Option(help="The city's decision.")],
    text: Annotated[str, typer.Option(help="The answer residents read.")],
) -> None:
    """Record the city's answer; the author and every supporter are notified."""
    idea = client().call(answer_action, ref=ref, status=status, text=text)
    typer.echo(
        _("Idea {code} is answered: {status}.").format(code=idea.code, status=idea_answer(status))
    )


@action("ideas.reports", commit=False)
async def reports_action(ctx: ActionContext, uow: UnitOfWork) -> list[ReportedItem]:
    """Reported ideas and comments, hidden ones first."""
    return await ideas.reported_items(uow)


@ideas_cli.command("reports")
def reports(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Reported ideas and comments, hidden ones first."""
    found = client().call(reports_action)
    print_found(
        found,
        as_json=as_json,
        as_dict=_report_dict,
        nothing=_("Nothing is reported."),
        title=_("Reports"),
        headers=(_("Item"), _("Idea"), _("Reports"), _("Hidden"), _("Reasons"), _("Text")),
        row=lambda r: (
            f"{report_target(r.target)} {r.item_id}",
            r.idea_code,
            str(r.reports),
            yes_no(r.hidden),
            reasons(r.reasons),
            r.text[:80],
        ),
    )


def _report_dict(r: ReportedItem) -> dict[str, object]:
    return {
        "target": r.target.value,
        "id": r.item_id,
        "idea": r.idea_code,
        "text": r.text,
        "reports": r.reports,
        "hidden": r.hidden,
        "reasons": r.reasons,
    }


@action("ideas.restore")
async def restore_action(
    ctx: ActionContext, uow: UnitOfWork, *, ref: str, comment: bool = False
) -> None:
    """Show a hidden idea (or with `comment`, a comment by its id) again after review; its
    reports start over."""
    target = ReportTarget.COMMENT if comment else ReportTarget.IDEA
    await ideas.restore_item(uow, target, ref, actor=ctx.official, now=ctx.now())


@ideas_cli.command("restore")
def restore(
    ref: Annotated[
        str,
        typer.Argument(help="Idea code or id, or a comment id with --comment.", parser=idea_ref),
    ],
    comment: Annotated[bool, typer.Option("--comment", help="REF is a comment id.")] = False,
) -> None:
    """Show a hidden idea or comment again after review; its reports start over."""
    client().call(restore_action, ref=ref, comment=comment)
    typer.echo(_("Restored: it is visible again."))


@action("ideas.export")
async def export_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    fmt: ExportFormat = ExportFormat.CSV,
    with_authors: bool = False,
) -> Rendered:
    """Every idea with its status, supports and answer, as CSV or JSON text. Authors appear
    as a pseudonym unless `with_authors` (their messenger identities; audit-logged, as every
    export is)."""
    found = await ideas.iter_ideas(uow, IdeaQuery(public_only=False))
    secret = uow.policies.secret
    pseudonyms = {
        i.author_id: "a-" + secret.pseudonym(AUTHOR_SCOPE, str(i.author_id), length=10)
        for i in found
    }
    identities = (
        await citizens.identities_of(uow, sorted({i.author_id for i in found}))
        if with_authors
        else None
    )
    head = await audit.record(
        uow,
        actor=ctx.official,
        action="ideas.export",
        object_type="idea",
        object_id="*",
        now=ctx.now(),
        after={"format": fmt.value, "with_authors": with_authors, "rows": len(found)},
    )
    rows = [_export_row(idea, identities, pseudonyms) for idea in found]
    if fmt == ExportFormat.JSON:
        return Rendered(head, text=json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(rows[0]) if rows else ["code"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return Rendered(head, text=buffer.getvalue())


@ideas_cli.command("export")
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or json.")] = ExportFormat.CSV,
    with_authors: Annotated[
        bool,
        typer.Option("--with-authors", help="Authors' messenger identities (e.g. telegram:12345)."),
    ] = False,
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
) -> None:
    """Every idea with its status, supports and answer. Authors appear as a pseudonym unless
    --with-authors (which is audit-logged)."""
    exported = client().call(export_action, fmt=fmt, with_authors=with_authors)
    text = exported.text or ""
    if output is not None:
        write_text(output, text)
        typer.echo(_("Written to {path}").format(path=output), err=True)
    else:
        typer.echo(text, nl=False)
    echo_audit_head(exported.head)


# --- what the shared commands and tables take from ideas --------------------------------------


def _idea_transition(p: Params) -> str:
    return _("idea {code} is {status}; it cannot become {target}").format(
        code=p.get("idea"), status=idea_status(p.get("status")), target=idea_state(p.get("target"))
    )


CLI_KIND = CliKind(
    kind=CampaignKind.IDEA_CALL,
    name=N_("idea call"),
    commands=(("idea-call", idea_call_cli), ("ideas", ideas_cli)),
    participation={
        "ideas": N_("ideas proposed"),
        "idea_comments": N_("comments on ideas"),
        "idea_supports": N_("ideas supported"),
        "idea_reports": N_("reports of ideas or comments"),
    },
    enum_words=(
        (IdeaStatus, IDEA_STATUS),
        (OfficialStatus, IDEA_ANSWER),
        (ReportReason, REPORT_REASON),
        (ReportTarget, REPORT_TARGET),
    ),
    audit_actions={
        "comment.hide": N_("hid a reported comment"),
        "comment.restore": N_("restored a comment"),
        "idea.answer": N_("answered an idea"),
        "idea.approve": N_("published an idea"),
        "idea.hide": N_("hid a reported idea"),
        "idea.reject": N_("rejected an idea"),
        "idea.restore": N_("restored an idea"),
        "idea.threshold_reached": N_("an idea reached its support threshold"),
        "idea_call.create": N_("created an idea call"),
        "ideas.export": N_("exported ideas"),
    },
    audit_objects={"comment": N_("comment"), "idea": N_("idea")},
    push_kinds={
        "idea_call.opened": N_("new idea call"),
        "idea_call.reminder": N_("idea call reminder"),
        "idea_call.results": N_("idea call closed"),
        "idea.approved": N_("idea published"),
        "idea.rejected": N_("idea rejected"),
        "idea.answered": N_("answer to an idea"),
        "idea.comments": N_("new comments on an idea"),
        "idea.threshold": N_("idea reached its threshold"),
    },
    residents_only=(own(IdeaNotPublicError),),
    error_texts={
        own(IdeaNotFoundError): lambda p: _("there is no idea {ref}").format(ref=p.get("idea")),
        own(CommentNotFoundError): lambda p: _("there is no comment {ref}").format(
            ref=p.get("comment")
        ),
        own(IdeaCallNotOpenError): lambda p: _("idea call {id} is not open").format(
            id=p.get("call_id")
        ),
        (InvalidTransitionError, "idea_status"): _idea_transition,
        (InvalidTransitionError, "not_hidden"): lambda p: _("{ref} is not hidden").format(
            ref=p.get("item")
        ),
        (ValidationError, "bad_threshold"): lambda p: _(
            "--threshold must be between 1 and {max}"
        ).format(max=p.get("max")),
    },
)
