"""`spilno-admin audit`: what officials did, newest first; `audit verify` checks the hash
chain; `audit anchor` posts the head to the city's public channel."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from admin_cli import words
from admin_cli.actions import ActionContext, action
from admin_cli.client import client
from admin_cli.context import EXIT_ERROR, EXIT_USAGE, CliError, city_moment
from admin_cli.output import echo_json, print_table
from admin_cli.params import limit_option
from core.audit import anchor as audit_anchor
from core.audit import service as audit
from core.audit.chain import Problem, Verification
from core.audit.model import AuditEntry
from core.kernel.i18n import _

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork

audit_cli = typer.Typer(
    help="The audit log: who did what, when; verify its hash chain; anchor its head.",
    invoke_without_command=True,
)


@action("audit.list", commit=False)
async def list_action(
    ctx: ActionContext,
    uow: UnitOfWork,
    *,
    limit: int = 50,
    org: str | None = None,
    since: str | None = None,
) -> list[AuditEntry]:
    """The audit log, newest first: at most `limit` entries; `org`: only actions on this
    organization (its slug); `since`: only from then on (ISO 8601 in the hromada's time)."""
    start = city_moment(ctx.app, since, "--since", now=ctx.now()) if since else None
    return await audit.recent(
        uow, limit=limit, org=org.strip().lower() if org else None, since=start
    )


@audit_cli.callback()
def audit_command(
    ctx: typer.Context,
    limit: Annotated[int, limit_option("How many entries.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    org: Annotated[
        str | None, typer.Option(help="Only actions on this organization (its slug).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only actions from then on, ISO 8601 in city time.")
    ] = None,
) -> None:
    """List the audit log: who did what, when."""
    if ctx.invoked_subcommand is not None:
        return

    entries = client().call(list_action, limit=limit, org=org, since=since)
    if as_json:
        rows = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "before": e.before,
                "after": e.after,
            }
            for e in entries
        ]
        echo_json(rows)
        return
    print_table(
        _("Audit log"),
        (_("When"), _("Who"), _("Action"), _("Object")),
        (
            (
                words.when(e.at),
                words.actor(e.actor),
                words.audit_action(e.action),
                words.audit_object(e.object_type, e.object_id),
            )
            for e in entries
        ),
    )


@action("audit.verify", commit=False)
async def verify_action(
    ctx: ActionContext, uow: UnitOfWork, *, head: str | None = None
) -> Verification:
    """Recompute the audit log's hash chain; `head`: a head published earlier, which the log
    must still lead to."""
    return await audit.verify(uow, expected_head=head)


@audit_cli.command("verify")
def verify_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    head: Annotated[
        str | None,
        typer.Option(
            "--head", help="A head hash published earlier: check the log still leads to it."
        ),
    ] = None,
) -> None:
    """Recompute the audit log's hash chain: exit 0 when intact, 1 at the first broken entry."""
    if head is not None and not _is_hash(head):
        raise CliError(_("--head must be a SHA-256 hash: 64 hexadecimal characters"), EXIT_USAGE)

    result = client().call(verify_action, head=head)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": result.ok,
                    "entries": result.entries,
                    "head": result.head,
                    "problem": result.problem.value if result.problem else None,
                    "seq": result.seq,
                    "head_seq": result.head_seq,
                }
            )
        )
    elif result.ok:
        typer.echo(_("ok: {n} entries, head {head}").format(n=result.entries, head=result.head))
        if head is not None:
            typer.echo(
                _("{hash} is the head after entry {seq}: the log still leads to it.").format(
                    hash=head.strip().lower(), seq=result.head_seq
                )
            )
    else:
        typer.echo(f"spilno-admin: {problem_text(result, head)}", err=True)
    if not result.ok:
        raise typer.Exit(EXIT_ERROR)


def problem_text(result: Verification, head: str | None) -> str:
    match result.problem:
        case Problem.CHANGED:
            text = _("audit entry {seq} was changed after it was written")
        case Problem.DELETED:
            text = _("audit entry {seq} is missing: it was deleted")
        case Problem.INSERTED:
            text = _("audit entry {seq} was inserted after the fact")
        case Problem.REORDERED:
            text = _("audit entry {seq} was moved: the entries are out of order")
        case _:
            return _(
                "the audit log does not contain {hash}: it was rewritten since that head "
                "was published, or the hash is not from this installation"
            ).format(hash=(head or "").strip().lower())
    checked = _("the {n} entries before it are intact").format(n=result.entries)
    return text.format(seq=result.seq) + " (" + checked + ")"


def _is_hash(value: str) -> bool:
    text = value.strip().lower()
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


@action("audit.anchor")
async def anchor_action(
    ctx: ActionContext, uow: UnitOfWork, *, telegram: str
) -> audit_anchor.Anchored:
    """Queue the audit log's head hash with today's date for a public Telegram channel
    (@username or chat id), which the installation's bot must be able to post to."""
    from admin_cli.orgs import hromada_telegram_bot, verified_channel

    audit_anchor.normalize_chat(telegram)
    token = await hromada_telegram_bot(ctx)
    found = await verified_channel(token, ctx.app.settings.telegram_api_url, telegram)
    return await audit_anchor.anchor(uow, chat=found.chat_id, actor=ctx.official, now=ctx.now())


@audit_cli.command("anchor")
def anchor_command(
    telegram: Annotated[
        str, typer.Option(help="The city's public Telegram channel: @username or chat id.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Post the audit log's head hash with today's date to a public channel (through the
    delivery workers of `spilno run` / `spilno deliver`)."""
    audit_anchor.normalize_chat(telegram)  # a bad name is refused before any network call
    anchored = client().call(anchor_action, telegram=telegram)
    if as_json:
        typer.echo(json.dumps({"seq": anchored.seq, "head": anchored.head, "chat": telegram}))
        return
    typer.echo(
        _(
            "Head {head} (after entry {seq}) will be posted to {chat} by the delivery workers."
        ).format(head=anchored.head, seq=anchored.seq, chat=telegram.strip())
    )
