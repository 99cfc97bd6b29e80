"""Every value an official reads in `spilno-admin`, in words of the configured language.

Statuses, audit actions, reasons, push kinds, booleans, moments and counts all go through
here: codes and ISO times are for `--json` only. A code missing from a table below is shown
as it is, and tests/unit/test_cli_words.py walks every enum member and every audit action and
push kind in the source, so a new one fails the test until it has words in uk and en.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from babel import Locale
from babel.numbers import format_decimal

from core.campaigns.audience import Audience, AudienceKind
from core.campaigns.eligibility import Eligibility
from core.campaigns.model import CampaignKind, CampaignStatus, ResultsVisibility
from core.citizens.model import VerificationLevel
from core.consultations.model import QuestionType
from core.contests.model import ContestPhase, EntryStatus
from core.hromadas.taxonomy import DISTRICTS, N_, TOPICS
from core.ideas.model import IdeaStatus, OfficialStatus, ReportReason, ReportTarget
from core.kernel.errors import ValidationError
from core.kernel.i18n import _, current_locale, format_datetime, ngettext
from core.officials.model import Role
from core.organizations.model import EventStatus

NOTHING = "—"

CAMPAIGN_STATUS: dict[str, str] = {
    CampaignStatus.DRAFT: N_("draft"),
    CampaignStatus.SCHEDULED: N_("scheduled"),
    CampaignStatus.OPEN: N_("open"),
    CampaignStatus.CLOSED: N_("closed"),
}
CAMPAIGN_KIND: dict[str, str] = {
    CampaignKind.POLL: N_("poll"),
    CampaignKind.IDEA_CALL: N_("idea call"),
    CampaignKind.CONSULTATION: N_("consultation"),
    CampaignKind.CONTEST: N_("contest"),
}
RESULTS_VISIBILITY: dict[str, str] = {
    ResultsVisibility.LIVE: N_("shown while voting goes on"),
    ResultsVisibility.AFTER_CLOSE: N_("shown after closing"),
}
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
ENTRY_STATUS: dict[str, str] = {
    EntryStatus.PENDING: N_("pending approval"),
    EntryStatus.APPROVED: N_("approved"),
    EntryStatus.REJECTED: N_("rejected"),
}
CONTEST_PHASE: dict[str, str] = {
    ContestPhase.SUBMISSIONS: N_("taking entries"),
    ContestPhase.VOTING: N_("voting"),
    ContestPhase.FINISHED: N_("finished"),
}
QUESTION_TYPE: dict[str, str] = {
    QuestionType.SINGLE: N_("one answer"),
    QuestionType.MULTIPLE: N_("several answers"),
    QuestionType.SCALE: N_("scale"),
    QuestionType.TEXT: N_("free text"),
}
EVENT_STATUS: dict[str, str] = {
    EventStatus.SCHEDULED: N_("planned"),
    EventStatus.CANCELLED: N_("cancelled"),
}
ROLE: dict[str, str] = {
    Role.CITY_ADMIN: N_("city admin"),
    Role.MODERATOR: N_("moderator"),
    Role.ORG_ADMIN: N_("organization admin"),
    Role.ORG_EDITOR: N_("organization editor"),
}
# What the audit log's `action` codes mean; `{target}.hide` / `{target}.restore` per ReportTarget.
AUDIT_ACTION: dict[str, str] = {
    "ballot.void": N_("set aside a second ballot of one person (merged accounts)"),
    "broadcast.send": N_("sent an announcement"),
    "campaign.close": N_("closed a campaign"),
    "campaign.delete": N_("deleted a draft"),
    "campaign.delivery": N_("set who is notified"),
    "campaign.edit": N_("changed the dates"),
    "campaign.open": N_("opened a campaign"),
    "campaign.results": N_("looked at the results"),
    "citizen.home_district": N_("set their home district"),
    "citizens.merge": N_("linked two messenger accounts of one resident"),
    "citizens.unlink": N_("unlinked a messenger from a resident"),
    "comment.hide": N_("hid a reported comment"),
    "comment.restore": N_("restored a comment"),
    "consultation.create": N_("created a consultation"),
    "consultation.export_text": N_("exported free-text answers"),
    "contest.approve": N_("approved a contest entry"),
    "contest.create": N_("created a contest"),
    "contest.phase": N_("moved a contest to its next phase"),
    "contest.reject": N_("turned down a contest entry"),
    "event.cancel": N_("cancelled an event"),
    "event.create": N_("announced an event"),
    "idea.answer": N_("answered an idea"),
    "idea.approve": N_("published an idea"),
    "idea.hide": N_("hid a reported idea"),
    "idea.reject": N_("rejected an idea"),
    "idea.restore": N_("restored an idea"),
    "idea.threshold_reached": N_("an idea reached its support threshold"),
    "idea_call.create": N_("created an idea call"),
    "ideas.export": N_("exported ideas"),
    "official.grant": N_("granted a role"),
    "org.add_official": N_("added an organization official"),
    "org.create": N_("created an organization"),
    "org.link_channel": N_("linked a channel"),
    "org.post": N_("posted news"),
    "poll.create": N_("created a poll"),
    "resident.show": N_("looked at a resident's record"),
}
VERIFICATION_LEVEL: dict[str, str] = {
    VerificationLevel.NONE: N_("not verified"),
    VerificationLevel.PHONE: N_("verified by phone"),
}
# What a resident took part in: the participation registry's tables (core/storage/participation.py).
PARTICIPATION: dict[str, str] = {
    "ballots": N_("poll ballots"),
    "ideas": N_("ideas proposed"),
    "idea_comments": N_("comments on ideas"),
    "idea_supports": N_("ideas supported"),
    "idea_reports": N_("reports of ideas or comments"),
    "consultation_responses": N_("consultation responses"),
    "contest_entries": N_("contest entries"),
    "contest_votes": N_("contest votes"),
    "org_followers": N_("organizations followed"),
    "event_rsvps": N_("event answers"),
}
# A resident's own action (their home district) names them `citizen:<id>`.
RESIDENT_ACTOR_PREFIX = "citizen:"
# Who did it, when it was not a person.
SYSTEM_ACTOR: dict[str, str] = {"scheduler": N_("scheduler"), "system": N_("system")}
AUDIT_OBJECT: dict[str, str] = {
    "ballot": N_("ballot"),
    "broadcast": N_("push"),
    "campaign": N_("campaign"),
    "citizen": N_("resident"),
    "comment": N_("comment"),
    "contest_entry": N_("contest entry"),
    "event": N_("event"),
    "idea": N_("idea"),
    "news": N_("news"),
    "official": N_("official"),
    "organization": N_("organization"),
}
# A resident's verification level (results --by verification).
VERIFICATION: dict[str, str] = {"phone": N_("verified (phone)"), "none": N_("not verified")}
# What a push (an outbox broadcast's `kind`) was about.
PUSH_KIND: dict[str, str] = {
    "announcement": N_("announcement"),
    "digest": N_("daily digest"),
    "poll.opened": N_("new poll"),
    "poll.reminder": N_("poll reminder"),
    "poll.results": N_("poll results"),
    "idea_call.opened": N_("new idea call"),
    "idea_call.reminder": N_("idea call reminder"),
    "idea_call.results": N_("idea call closed"),
    "consultation.opened": N_("new consultation"),
    "consultation.reminder": N_("consultation reminder"),
    "consultation.results": N_("consultation results"),
    "contest.opened": N_("new contest"),
    "contest.reminder": N_("contest reminder"),
    "contest.results": N_("contest closed"),
    "contest.winners": N_("contest winners"),
    "org.event": N_("organization event"),
    "org.news": N_("organization news"),
    "event.cancelled": N_("event cancelled"),
    "event.reminder": N_("event reminder"),
    "idea.approved": N_("idea published"),
    "idea.rejected": N_("idea rejected"),
    "idea.answered": N_("answer to an idea"),
    "idea.comments": N_("new comments on an idea"),
    "idea.threshold": N_("idea reached its threshold"),
}


def _lookup(table: Mapping[str, str], code: object) -> str:
    if code is None or code == "":
        return NOTHING
    key = code.value if isinstance(code, StrEnum) else str(code)
    msgid = table.get(key)
    return _(msgid) if msgid else key


def status(code: object) -> str:
    return _lookup(CAMPAIGN_STATUS, code)


def kind(code: object) -> str:
    return _lookup(CAMPAIGN_KIND, code)


def results_visibility(code: object) -> str:
    return _lookup(RESULTS_VISIBILITY, code)


def idea_status(code: object) -> str:
    return _lookup(IDEA_STATUS, code)


def idea_answer(code: object) -> str:
    return _lookup(IDEA_ANSWER, code)


def idea_state(code: object) -> str:
    """An idea's moderation status, or else the city's answer (errors name either)."""
    return idea_status(code) if str(code) in IDEA_STATUS else idea_answer(code)


def report_reason(code: object) -> str:
    return _lookup(REPORT_REASON, code)


def report_target(code: object) -> str:
    return _lookup(REPORT_TARGET, code)


def entry_status(code: object) -> str:
    return _lookup(ENTRY_STATUS, code)


def contest_phase(code: object) -> str:
    return _lookup(CONTEST_PHASE, code)


def question_type(code: object) -> str:
    return _lookup(QUESTION_TYPE, code)


def event_status(code: object) -> str:
    return _lookup(EVENT_STATUS, code)


def role(code: object) -> str:
    return _lookup(ROLE, code)


def verification_level(code: object) -> str:
    return _lookup(VERIFICATION_LEVEL, code)


def participation(table: str) -> str:
    return _lookup(PARTICIPATION, table)


def audit_action(code: str) -> str:
    return _lookup(AUDIT_ACTION, code)


def actor(name: str) -> str:
    if name.startswith(RESIDENT_ACTOR_PREFIX):  # a resident acting for themselves
        return _("resident {id}").format(id=name.removeprefix(RESIDENT_ACTOR_PREFIX))
    return _(SYSTEM_ACTOR[name]) if name in SYSTEM_ACTOR else name


def audit_object(object_type: str, object_id: str) -> str:
    return f"{_lookup(AUDIT_OBJECT, object_type)} {object_id}"


def push_kind(code: str) -> str:
    return _lookup(PUSH_KIND, code)


def topic(code: str | None) -> str:
    return _(TOPICS[code]) if code in TOPICS else (code or NOTHING)


def district(code: str | None) -> str:
    return _(DISTRICTS[code]) if code in DISTRICTS else (code or NOTHING)


def yes_no(value: object) -> str:
    return _("yes") if value else _("no")


def when(value: datetime | str | None) -> str:
    """A moment in the city's time zone, in the official's language; "—" when there is none."""
    if not value:
        return NOTHING
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_datetime(moment)


def number(value: float) -> str:
    return format_decimal(value, locale=Locale.parse(current_locale()))


def percent(value: float) -> str:
    """66.7 → "66.7" in English, "66,7" in Ukrainian: one decimal, the locale's mark."""
    return format_decimal(value, format="0.0", locale=Locale.parse(current_locale()))


def counts(values: Mapping[str, int], table: Mapping[str, str]) -> str:
    """{'pending': 0, 'approved': 3} → "pending approval: 0 · approved: 3", in table order."""
    ordered = [code for code in table if code in values] + [c for c in values if c not in table]
    return " · ".join(f"{_lookup(table, code)}: {values[code]}" for code in ordered) or NOTHING


def reasons(values: Mapping[str, int]) -> str:
    return counts(values, REPORT_REASON)


def entry_counts(values: Mapping[str, int]) -> str:
    return counts(values, ENTRY_STATUS)


def audience(text: str | None) -> str:
    """Who a push goes to, as officials read it: "topic: Transport", not "topic:transport"."""
    if not text:
        return _("every subscriber")
    if text == "digest":  # the daily digest's own broadcast (core/delivery/digest.py)
        return _("residents on the daily digest")
    try:
        parsed = Audience.parse(text)
    except ValidationError:
        return text
    match parsed.kind:
        case AudienceKind.ALL:
            return _("every subscriber")
        case AudienceKind.TOPIC:
            return _("topic: {name}").format(name=topic(parsed.code))
        case AudienceKind.DISTRICT:
            return _("district: {name}").format(name=district(parsed.code))
        case AudienceKind.ORG:
            return _("followers of organization {id}").format(id=parsed.ref_id)
        case AudienceKind.PARTICIPANTS:
            return _("participants of campaign {id}").format(id=parsed.ref_id)
        case AudienceKind.EVENT:
            return _("those coming to event {id}").format(id=parsed.ref_id)
        case AudienceKind.CITIZENS:
            n = len(parsed.citizen_ids)
            return ngettext("{n} resident", "{n} residents", n).format(n=n)
    return text


def eligibility(value: Eligibility) -> str:
    """Who may take part: "everyone", "verified residents", "residents of Rotok, Zarichchia"…"""
    names = ", ".join(district(code) for code in value.districts)
    if value.verified and names:
        return _("verified residents of: {districts}").format(districts=names)
    if value.verified:
        return _("verified residents")
    if names:
        return _("residents of: {districts}").format(districts=names)
    return _("everyone")


def home_district(code: str | None) -> str:
    """A resident's home district; "not set" when they have not chosen one."""
    return district(code) if code else _("not set")


def verification(code: str) -> str:
    return _lookup(VERIFICATION, code)
