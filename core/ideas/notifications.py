"""Every notification the ideas feature sends, in one place, written to the delivery outbox.

Each function runs inside the caller's unit of work, so the outbox rows commit (or roll back)
together with the state change that caused them. Texts are rendered once per locale by the
outbox (`render()` runs inside use_locale).
"""

from __future__ import annotations

from datetime import datetime

from core.delivery.links import Link, link
from core.delivery.messenger import Button, Message
from core.delivery.notices import to_citizens
from core.ideas.model import Idea, OfficialStatus
from core.ideas.ports import IDEAS
from core.kernel.i18n import _, ngettext
from core.kernel.unit_of_work import UnitOfWork


def _open_button(idea: Idea) -> tuple[tuple[Button, ...], ...]:
    return ((Button(_("💡 Open the idea"), link(Link.IDEA, idea.id)),),)


def official_status_label(status: OfficialStatus | str) -> str:
    return {
        OfficialStatus.UNDER_REVIEW: _("under review"),
        OfficialStatus.ACCEPTED: _("accepted"),
        OfficialStatus.IMPLEMENTED: _("implemented"),
        OfficialStatus.REJECTED: _("not supported by the city"),
    }[OfficialStatus(status)]


async def idea_approved(uow: UnitOfWork, idea: Idea, *, now: datetime) -> int:
    def render() -> Message:
        return Message(
            _("✅ Your idea {code} “{title}” is published. Residents can now support it.").format(
                code=idea.code, title=idea.title
            ),
            buttons=_open_button(idea),
        )

    return await to_citizens(uow, "idea.approved", [idea.author_id], render, now)


async def idea_rejected(uow: UnitOfWork, idea: Idea, *, now: datetime) -> int:
    def render() -> Message:
        return Message(
            _(
                "Your idea {code} “{title}” was not published. Reason: {reason}\n"
                "You can propose it again with changes."
            ).format(code=idea.code, title=idea.title, reason=idea.reject_reason or "—")
        )

    return await to_citizens(uow, "idea.rejected", [idea.author_id], render, now)


async def idea_answered(uow: UnitOfWork, idea: Idea, *, now: datetime) -> int:
    """The author and every supporter, each in their own language."""
    supporters = await uow.repository(IDEAS).supporter_ids(idea.id)

    def render() -> Message:
        return Message(
            _("🏛 The city answered the idea {code} “{title}”: {status}.\n\n{answer}").format(
                code=idea.code,
                title=idea.title,
                status=official_status_label(idea.official_status or OfficialStatus.UNDER_REVIEW),
                answer=idea.answer or "",
            ),
            buttons=_open_button(idea),
        )

    return await to_citizens(uow, "idea.answered", [idea.author_id, *supporters], render, now)


async def new_comments(uow: UnitOfWork, idea: Idea, *, now: datetime) -> int:
    def render() -> Message:
        return Message(
            _("💬 There are new comments on your idea {code} “{title}”.").format(
                code=idea.code, title=idea.title
            ),
            buttons=_open_button(idea),
        )

    return await to_citizens(uow, "idea.comments", [idea.author_id], render, now)


async def threshold_reached(uow: UnitOfWork, idea: Idea, *, threshold: int, now: datetime) -> int:
    """The author hears it in chat. Officials have no chat identity: the audit log entry
    `idea.threshold_reached` and `spilno-admin ideas list --status threshold_reached` are their
    notice until the outbox can address officials."""

    def render() -> Message:
        return Message(
            ngettext(
                "🎉 Your idea {code} “{title}” has {n} support and goes to the city for review.",
                "🎉 Your idea {code} “{title}” has {n} supports and goes to the city for review.",
                threshold,
            ).format(code=idea.code, title=idea.title, n=threshold),
            buttons=_open_button(idea),
        )

    return await to_citizens(uow, "idea.threshold", [idea.author_id], render, now)
