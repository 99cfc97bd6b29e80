"""Every value an official reads in `spilno-admin`, in words of the configured language.

Statuses, audit actions, reasons, push kinds, booleans, moments and counts all go through
here: codes and ISO times are for `--json` only. A campaign kind's own codes (its enums, audit
actions, push kinds) are worded in its CLI module and composed here from admin_cli/kinds.py.
A code missing from a table is shown as it is, and tests/unit/test_cli_words.py walks every
enum member and every audit action and push kind in the source, so a new one fails the test
until it has words in uk and en.
"""

from __future__ import annotations

from functools import cache

from admin_cli.kind_names import KIND_NAMES
from admin_cli.wording import (
    NOTHING,
    VERIFICATION,
    district,
    home_district,
    number,
    percent,
    topic,
    verification,
    when,
    yes_no,
)
from admin_cli.wording import lookup as _lookup
from core.campaigns.audience import Audience, AudienceKind
from core.campaigns.eligibility import Eligibility
from core.campaigns.model import CampaignStatus, ResultsVisibility
from core.citizens.model import VerificationLevel
from core.hromadas.taxonomy import N_
from core.kernel.errors import ValidationError
from core.kernel.i18n import _, ngettext
from core.officials.model import Role
from core.organizations.model import EventStatus

__all__ = [  # re-exported
    "NOTHING",
    "VERIFICATION",
    "district",
    "home_district",
    "number",
    "percent",
    "topic",
    "verification",
    "when",
    "yes_no",
]

CAMPAIGN_STATUS: dict[str, str] = {
    CampaignStatus.DRAFT: N_("draft"),
    CampaignStatus.SCHEDULED: N_("scheduled"),
    CampaignStatus.OPEN: N_("open"),
    CampaignStatus.CLOSED: N_("closed"),
}
CAMPAIGN_KIND: dict[str, str] = KIND_NAMES
RESULTS_VISIBILITY: dict[str, str] = {
    ResultsVisibility.LIVE: N_("shown while voting goes on"),
    ResultsVisibility.AFTER_CLOSE: N_("shown after closing"),
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
    Role.OPERATOR: N_("the installation's operator"),
}
# What the audit log's `action` codes mean; `{target}.hide` / `{target}.restore` per ReportTarget.
_AUDIT_ACTION: dict[str, str] = {
    "audit.anchor": N_("published the audit log's head"),
    "open_data.export": N_("exported open data"),
    "resident.export": N_("exported a resident's data"),
    "resident.forget": N_("deleted a resident's data"),
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
    "citizens.phone_reassigned": N_(
        "gave a phone number to the resident who proved it theirs (the other one must confirm again)"
    ),
    "event.cancel": N_("cancelled an event"),
    "hromada.remove_bot": N_("removed a hromada's bot"),
    "hromada.set_bot": N_("set a hromada's bot"),
    "event.create": N_("announced an event"),
    "hromada.apply_profile": N_("changed the hromada's profile (districts, topics, settings)"),
    "hromada.create": N_("created a hromada"),
    "official.grant": N_("granted a role"),
    "official.token_issue": N_("issued a personal token"),
    "official.token_revoke": N_("revoked a personal token"),
    "official.token_rotate": N_("replaced a personal token"),
    "org.add_official": N_("added an organization official"),
    "org.create": N_("created an organization"),
    "org.link_channel": N_("linked a channel"),
    "org.post": N_("posted news"),
    "resident.show": N_("looked at a resident's record"),
}
VERIFICATION_LEVEL: dict[str, str] = {
    VerificationLevel.NONE: N_("not verified"),
    VerificationLevel.PHONE: N_("verified by phone"),
}
# What a resident took part in: the participation registry's tables (core/storage/participation.py),
# each kind naming its own.
_PARTICIPATION: dict[str, str] = {
    "org_followers": N_("organizations followed"),
    "event_rsvps": N_("event answers"),
}
# A resident's own action (their home district) names them `citizen:<id>`.
RESIDENT_ACTOR_PREFIX = "citizen:"
# Who did it, when it was not a person.
SYSTEM_ACTOR: dict[str, str] = {
    "scheduler": N_("scheduler"),
    "system": N_("system"),
    "resident": N_("a resident (Delete my data)"),  # core/citizens/forget.py
}
_AUDIT_OBJECT: dict[str, str] = {
    "audit": N_("audit log entry"),
    "resident": N_("resident"),
    "ballot": N_("ballot"),
    "bot": N_("bot"),
    "broadcast": N_("push"),
    "campaign": N_("campaign"),
    "citizen": N_("resident"),
    "event": N_("event"),
    "hromada": N_("hromada"),
    "news": N_("news"),
    "official": N_("official"),
    "organization": N_("organization"),
}
# A resident's verification level (results --by verification).
# What a push (an outbox broadcast's `kind`) was about.
_PUSH_KIND: dict[str, str] = {
    "audit.anchor": N_("audit log head"),
    "announcement": N_("announcement"),
    "citizens.phone_reassigned": N_("phone number confirmed by its owner elsewhere"),
    "digest": N_("daily digest"),
    "org.event": N_("organization event"),
    "org.news": N_("organization news"),
    "event.cancelled": N_("event cancelled"),
    "event.reminder": N_("event reminder"),
}


# Each kind adds its own audit actions and objects, participation tables and push kinds; they
# are merged in when first looked up, so a command that prints none loads no kind's module.
_KINDS_ADD = {
    "AUDIT_ACTION": "audit_actions",
    "PARTICIPATION": "participation",
    "AUDIT_OBJECT": "audit_objects",
    "PUSH_KIND": "push_kinds",
}


@cache
def _with_kinds(name: str) -> dict[str, str]:
    from admin_cli.kinds import KINDS

    merged = dict(globals()[f"_{name}"])
    for k in KINDS:
        merged.update(getattr(k, _KINDS_ADD[name]))
    return merged


def __getattr__(name: str) -> dict[str, str]:  # words.AUDIT_ACTION and the others, merged
    if name in _KINDS_ADD:
        return _with_kinds(name)
    raise AttributeError(name)


def status(code: object) -> str:
    return _lookup(CAMPAIGN_STATUS, code)


def kind(code: object) -> str:
    return _lookup(CAMPAIGN_KIND, code)


def results_visibility(code: object) -> str:
    return _lookup(RESULTS_VISIBILITY, code)


def event_status(code: object) -> str:
    return _lookup(EVENT_STATUS, code)


def role(code: object) -> str:
    return _lookup(ROLE, code)


def verification_level(code: object) -> str:
    return _lookup(VERIFICATION_LEVEL, code)


def participation(table: str) -> str:
    return _lookup(_with_kinds("PARTICIPATION"), table)


def audit_action(code: str) -> str:
    return _lookup(_with_kinds("AUDIT_ACTION"), code)


def actor(name: str) -> str:
    if name.startswith(RESIDENT_ACTOR_PREFIX):  # a resident acting for themselves
        return _("resident {id}").format(id=name.removeprefix(RESIDENT_ACTOR_PREFIX))
    return _(SYSTEM_ACTOR[name]) if name in SYSTEM_ACTOR else name


def audit_object(object_type: str, object_id: str) -> str:
    return f"{_lookup(_with_kinds('AUDIT_OBJECT'), object_type)} {object_id}"


def push_kind(code: str) -> str:
    return _lookup(_with_kinds("PUSH_KIND"), code)


def audience(text: str | None) -> str:
    """Who a push goes to, as officials read it: "topic: Transport", not "topic:transport"."""
    if not text:
        return _("every subscriber")
    if text == "digest":  # the daily digest's own broadcast (core/delivery/digest.py)
        return _("residents on the daily digest")
    try:
        parsed = Audience.parse(text, stored=True)
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
