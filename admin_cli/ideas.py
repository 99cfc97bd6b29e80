"""`spilno-admin idea-call …` and `spilno-admin ideas …`: calls, moderation, answers, exports."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from admin_cli.context import Official, city_moment, run_in_uow
from admin_cli.files import write_text
from admin_cli.kind import CliKind, Params, own
from admin_cli.output import echo_audit_head, print_found
from admin_cli.params import ELIGIBLE_HELP, id_option, idea_ref, limit_option
from admin_cli.wording import NOTHING, counts, district, lookup, number, topic, when, yes_no
from core.audit import service as audit
from core.bootstrap import App
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


@idea_call_cli.command("create")
def call_create(
    ctx: typer.Context,
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
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> IdeaCall:
        now = app.clock()
        eligibility = Eligibility.parse(eligible or ())  # bad words: one line, exit 2
        opens_at = city_moment(app, opens, "--opens", now=now) if opens else None
        closes_at = city_moment(app, closes, "--closes", now=now)
        return await ideas.create_idea_call(
            uow,
            title=title,
            description=description,
            actor=official.name,
            now=now,
            opens_at=opens_at,
            closes_at=closes_at,
            support_threshold=threshold,
            eligibility=eligibility,
        )

    call = run_in_uow(work)
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
    query = IdeaQuery(
        sort=IdeaSort.TOP if top else IdeaSort.NEW,
        public_only=False,
        statuses=(IdeaStatus(status.value),) if status and status != ListStatus.HIDDEN else (),
        hidden=True if status == ListStatus.HIDDEN else None,
        official_status=answer,
        call_id=call,
    )

    async def work(_app: App, uow: UnitOfWork) -> list[Idea]:
        found, _more = await ideas.browse(uow, query, page=0, page_size=max(limit, 1))
        return found

    found = run_in_uow(work, commit=False)
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


@ideas_cli.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Idea code (ID-2026-0042) or id.", parser=idea_ref)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one idea in full."""

    async def work(_app: App, uow: UnitOfWork) -> Idea:
        return await ideas.find_idea(uow, ref)

    idea = run_in_uow(work, commit=False)
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


@ideas_cli.command("approve")
def approve(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Idea code or id.", parser=idea_ref)],
) -> None:
    """Publish a pending idea; the author is notified."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> Idea:
        return await ideas.approve_idea(uow, ref, actor=official.name, now=app.clock())

    idea = run_in_uow(work)
    typer.echo(_("Idea {code} is published.").format(code=idea.code))


@ideas_cli.command("reject")
def reject(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Idea code or id.", parser=idea_ref)],
    reason: Annotated[str, typer.Option(help="Why; the author reads this.")],
) -> None:
    """Reject a pending (or take down a published) idea; the author is told why."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> Idea:
        return await ideas.reject_idea(
            uow, ref, reason=reason, actor=official.name, now=app.clock()
        )

    idea = run_in_uow(work)
    typer.echo(_("Idea {code} is rejected.").format(code=idea.code))


@ideas_cli.command("answer")
def answer(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Idea code or id.", parser=idea_ref)],
    status: Annotated[OfficialStatus, typer.Option(help="The city's decision.")],
    text: Annotated[str, typer.Option(help="The answer residents read.")],
) -> None:
    """Record the city's answer; the author and every supporter are notified."""
    official: Official = ctx.obj

    async def work(app: App, uow: UnitOfWork) -> Idea:
        return await ideas.answer_idea(
            uow, ref, status=status, text=text, actor=official.name, now=app.clock()
        )

    idea = run_in_uow(work)
    typer.echo(
        _("Idea {code} is answered: {status}.").format(code=idea.code, status=idea_answer(status))
    )


@ideas_cli.command("reports")
def reports(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Reported ideas and comments, hidden ones first."""

    async def work(_app: App, uow: UnitOfWork) -> list[ReportedItem]:
        return await ideas.reported_items(uow)

    found = run_in_uow(work, commit=False)
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


@ideas_cli.command("restore")
def restore(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(help="Idea code or id, or a comment id with --comment.", parser=idea_ref),
    ],
    comment: Annotated[bool, typer.Option("--comment", help="REF is a comment id.")] = False,
) -> None:
    """Show a hidden idea or comment again after review; its reports start over."""
    official: Official = ctx.obj
    target = ReportTarget.COMMENT if comment else ReportTarget.IDEA

    async def work(app: App, uow: UnitOfWork) -> None:
        await ideas.restore_item(uow, target, ref, actor=official.name, now=app.clock())

    run_in_uow(work)
    typer.echo(_("Restored: it is visible again."))


@ideas_cli.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or json.")] = ExportFormat.CSV,
    with_authors: Annotated[
        bool,
        typer.Option("--with-authors", help="Authors' messenger identities (e.g. telegram:12345)."),
    ] = False,
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
) -> None:
    """Every idea with its status, supports and answer. Authors appear as a pseudonym unless
    --with-authors (which is audit-logged)."""
    official: Official = ctx.obj

    async def work(
        app: App, uow: UnitOfWork
    ) -> tuple[list[Idea], dict[int, list[IdentityRef]], dict[int, str], str]:
        found = await ideas.iter_ideas(uow, IdeaQuery(public_only=False))
        secret = uow.policies.secret
        pseudonyms = {
            i.author_id: "a-" + secret.pseudonym(AUTHOR_SCOPE, str(i.author_id), length=10)
            for i in found
        }
        identities = (
            await citizens.identities_of(uow, sorted({i.author_id for i in found}))
            if with_authors
            else {}
        )
        head = await audit.record(
            uow,
            actor=official.name,
            action="ideas.export",
            object_type="idea",
            object_id="*",
            now=app.clock(),
            after={"format": fmt.value, "with_authors": with_authors, "rows": len(found)},
        )
        return found, identities, pseudonyms, head

    found, identities, pseudonyms, head = run_in_uow(work)
    rows = [_export_row(idea, identities if with_authors else None, pseudonyms) for idea in found]
    if fmt == ExportFormat.JSON:
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=list(rows[0]) if rows else ["code"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if output is not None:
        write_text(output, text)
        typer.echo(_("Written to {path}").format(path=output), err=True)
    else:
        typer.echo(text, nl=False)
    echo_audit_head(head)


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
