"""Every message petitions send, written to the outbox in the caller's unit of work (so each
commits with the change that caused it), rendered once per locale."""

from __future__ import annotations

from datetime import datetime

from core.delivery.links import Link, link
from core.delivery.messenger import Button, Message
from core.delivery.notices import to_citizens
from core.hromadas.taxonomy import N_
from core.kernel.i18n import _, format_datetime, format_number, ngettext
from core.kernel.unit_of_work import UnitOfWork
from core.petitions.model import Decision, Petition, RejectReason
from core.petitions.ports import PETITIONS

# The words residents (and officials, admin_cli/petitions.py) read for each code.
REJECT_REASONS: dict[str, str] = {
    RejectReason.OUTSIDE_COMPETENCE: N_("it is not a matter for the hromada's council or head"),
    RejectReason.VIOLENCE: N_(
        "it calls for violence, war or the overthrow of the constitutional order"
    ),
    RejectReason.DISCRIMINATION: N_("it incites hatred or discrimination"),
    RejectReason.OBSCENE_LANGUAGE: N_("it uses obscene or insulting language"),
    RejectReason.DUPLICATE: N_("the same demand is already open for signatures"),
    RejectReason.NO_DEMAND: N_("it has no text or no demand the city could answer"),
}
DECISIONS: dict[str, str] = {
    Decision.SUPPORTED: N_("supported"),
    Decision.NOT_SUPPORTED: N_("not supported"),
    Decision.PARTIALLY: N_("partially supported"),
}


def reject_reason_label(reason: RejectReason | str) -> str:
    return _(REJECT_REASONS[RejectReason(reason)])


def decision_label(decision: Decision | str) -> str:
    return _(DECISIONS[Decision(decision)])


def _open_button(petition: Petition) -> tuple[tuple[Button, ...], ...]:
    return ((Button(_("✍️ Open the petition"), link(Link.CAMPAIGN, petition.id)),),)


async def approved(uow: UnitOfWork, petition: Petition, *, now: datetime) -> int:
    def render() -> Message:
        closes = petition.campaign.closes_at
        return Message(
            _(
                "✅ Your petition №{id} “{title}” is published and open for signatures until "
                "{date}. It needs {n} signatures: share it with your neighbours!"
            ).format(
                id=petition.id,
                title=petition.title,
                date=format_datetime(closes) if closes else "—",
                n=format_number(petition.threshold),
            ),
            buttons=_open_button(petition),
        )

    return await to_citizens(uow, "petition.approved", [petition.author_id], render, now)


async def rejected(uow: UnitOfWork, petition: Petition, *, now: datetime) -> int:
    def render() -> Message:
        reason = reject_reason_label(petition.reject_reason) if petition.reject_reason else "—"
        text = _("Your petition №{id} “{title}” was not published: {reason}.").format(
            id=petition.id, title=petition.title, reason=reason
        )
        if petition.reject_note:
            text += "\n" + _("The moderator adds: {note}").format(note=petition.reject_note)
        text += "\n" + _("You can file it again with changes.")
        return Message(text)

    return await to_citizens(uow, "petition.rejected", [petition.author_id], render, now)


async def threshold_reached(uow: UnitOfWork, petition: Petition, *, now: datetime) -> int:
    """The author and the signers so far. Officials have no chat identity: the audit entry
    and `spilno-admin petitions list --status threshold_reached` are their notice."""
    signers = await uow.repository(PETITIONS).signer_ids(petition.id)

    def render() -> Message:
        due = petition.answer_due_at
        return Message(
            ngettext(
                "🎉 The petition №{id} “{title}” has gathered {n} signature and goes to the "
                "city for consideration. The answer is due by {date}.",
                "🎉 The petition №{id} “{title}” has gathered {n} signatures and goes to the "
                "city for consideration. The answer is due by {date}.",
                petition.threshold,
            ).format(
                id=petition.id,
                title=petition.title,
                n=format_number(petition.threshold),
                date=format_datetime(due) if due else "—",
            ),
            buttons=_open_button(petition),
        )

    return await to_citizens(
        uow,
        "petition.threshold",
        [petition.author_id, *signers],
        render,
        now,
        dedupe_key=f"petition-threshold:{petition.id}",
    )


async def answered(uow: UnitOfWork, petition: Petition, *, now: datetime) -> int:
    """The city's answer reaches the author and every signer, each in their language."""
    signers = await uow.repository(PETITIONS).signer_ids(petition.id)

    def render() -> Message:
        return Message(
            _("🏛 The city answered the petition №{id} “{title}”: {decision}.\n\n{answer}").format(
                id=petition.id,
                title=petition.title,
                decision=decision_label(petition.decision) if petition.decision else "—",
                answer=petition.answer or "",
            ),
            buttons=_open_button(petition),
        )

    return await to_citizens(
        uow,
        "petition.answered",
        [petition.author_id, *signers],
        render,
        now,
        dedupe_key=f"petition-answer:{petition.id}",
    )


async def not_enough(uow: UnitOfWork, petition: Petition, *, now: datetime) -> int:
    signers = await uow.repository(PETITIONS).signer_ids(petition.id)

    def render() -> Message:
        return Message(
            _(
                "The petition №{id} “{title}” has closed with {count} of the {n} signatures "
                "it needed, so the city will not consider it. Thank you for signing."
            ).format(
                id=petition.id,
                title=petition.title,
                count=format_number(petition.signatures),
                n=format_number(petition.threshold),
            ),
            buttons=_open_button(petition),
        )

    return await to_citizens(
        uow,
        "petition.not_enough",
        [petition.author_id, *signers],
        render,
        now,
        dedupe_key=f"petition-closed:{petition.id}",
    )
