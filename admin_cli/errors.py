"""Every domain error an official can meet → one line in the configured language: ONE table.

Keyed by (error type, reason); core raises codes, never prose. A campaign kind's own errors get
their texts in its CLI module (`CliKind.error_texts`), composed here from admin_cli/kinds.py.
`tests/unit/test_error_texts.py` walks every error type × reason core can raise and fails when
one has no text here.
(Consultation and contest file problems are pydantic's open-ended codes: admin_cli/campaign_files.py.)
"""

from __future__ import annotations

from admin_cli import words
from admin_cli.kind import ErrorKey, Params, Text, as_failed, as_invalid, failed, invalid, own
from admin_cli.kinds import KINDS
from core.campaigns.audience import AudienceKind
from core.campaigns.eligibility import Ineligible
from core.citizens.forget import ResidentNotFoundError
from core.citizens.model import LinkingError
from core.delivery.broadcasts import BroadcastNotFoundError
from core.hromadas.service import HromadaProfileError
from core.hromadas.taxonomy import N_, district_codes, home_district_codes, topic_codes
from core.kernel.errors import (
    CampaignClosedError,
    CampaignNotFoundError,
    CampaignNotOpenError,
    DistrictChangeTooSoonError,
    InvalidTransitionError,
    NotEligibleError,
    ResultsHiddenError,
    SpilnoError,
    ValidationError,
)
from core.kernel.i18n import _
from core.kernel.ids import ID_MAX
from core.officials.model import PermissionDeniedError
from core.organizations.model import (
    EventCancelledError,
    EventNotFoundError,
    OrganizationNotFoundError,
)

_AUDIENCE_FORMS = "all, topic:CODE, district:CODE, org:ID, participants:CAMPAIGN_ID, citizens:ID,ID"
_PERMISSIONS = {
    "manage_officials": N_("manage officials' roles"),
    "manage_campaigns": N_("run polls and other campaigns"),
    "moderate": N_("moderate ideas and reports"),
    "create_organization": N_("create organizations"),
    "manage_organization": N_("manage this organization's officials and channel"),
    "publish": N_("publish this organization's news and events"),
    "manage_hromadas": N_("manage the installation's hromadas"),
}


def error_text(error: SpilnoError) -> str:
    # The most specific type first: a CampaignNotFoundError is also a NotFoundError.
    for cls in type(error).__mro__:
        if (text := TEXTS.get((cls, error.reason))) is not None:
            return text(error.params)
    if isinstance(error, ValidationError):
        return invalid(error.reason)
    return failed(error.code)


# --- transitions ----------------------------------------------------------------------------


def _transition(p: Params) -> str:
    return _("campaign {id} is {status}; it cannot become {target}").format(
        id=p.get("campaign_id"),
        status=words.status(p.get("status")),
        target=words.status(p.get("target")),
    )


def _cannot_open(p: Params) -> str:
    return _(
        "campaign {id} cannot open: its closing time has already passed. Give it a new "
        "one with: spilno-admin campaign edit {id} --closes … (or delete the draft: "
        "spilno-admin campaign delete {id})"
    ).format(id=p.get("campaign_id"))


def _not_editable(p: Params) -> str:
    return _("campaign {id} is {status}; only drafts and scheduled campaigns can be edited").format(
        id=p.get("campaign_id"), status=words.status(p.get("status"))
    )


def _not_deletable(p: Params) -> str:
    return _("campaign {id} is {status}; only drafts can be deleted (close it instead)").format(
        id=p.get("campaign_id"), status=words.status(p.get("status"))
    )


# --- roles ----------------------------------------------------------------------------------


def _what(p: Params) -> str:
    permission = str(p.get("permission"))
    return _(_PERMISSIONS.get(permission, permission))


def _not_an_official(p: Params) -> str:
    return _(
        "{official} has no role, so may not {what}; a city admin can grant one "
        "(spilno-admin officials add / org add-official)"
    ).format(official=p.get("official"), what=_what(p))


def _not_an_operator(p: Params) -> str:
    return _(
        "{official} is not the installation's operator, so may not {what}; an operator can "
        "grant the role in the installation's own hromada (officials add NAME --role operator)"
    ).format(official=p.get("official"), what=_what(p))


def _other_organization(p: Params) -> str:
    return _("{official} acts for another organization, so may not {what}").format(
        official=p.get("official"), what=_what(p)
    )


def _role_lacks_permission(p: Params) -> str:
    return _("{official}'s role does not allow them to {what}").format(
        official=p.get("official"), what=_what(p)
    )


# --- validation -----------------------------------------------------------------------------


def _audience_example(kind: str) -> str:
    return {
        AudienceKind.TOPIC: "topic:transport",
        AudienceKind.DISTRICT: "district:center",
        AudienceKind.ORG: "org:3",
        AudienceKind.PARTICIPANTS: "participants:12",
        AudienceKind.CITIZENS: "citizens:5,8",
    }.get(kind, "topic:transport")


def _audience_ids(p: Params) -> str:
    return _("audience {value!r}: ids must be whole numbers from 1 to {max}").format(
        value=p.get("audience") or p.get("value") or "", max=ID_MAX
    )


_VALIDATION: dict[str, Text] = {
    # polls and campaigns
    "naive_datetime": lambda p: _("--{field} needs a time zone").format(field=p.get("field")),
    "closes_before_opens": lambda p: _("--closes must be later than --opens"),
    "closes_in_past": lambda p: _(
        "the closing time {date} has already passed; choose a later one"
    ).format(date=words.when(p.get("closes_at"))),  # type: ignore[arg-type]
    "text_empty": lambda p: _("--{field} is empty").format(field=p.get("field")),
    "text_too_long": lambda p: _("--{field} is longer than {max} characters").format(
        field=p.get("field"), max=p.get("max")
    ),
    "text_no_words": lambda p: _("--{field} has no words").format(field=p.get("field")),
    "text_has_link": lambda p: _("--{field} must not contain links").format(field=p.get("field")),
    # organizations, roles and events
    "bad_slug": lambda p: _(
        "--slug {value!r}: use 2–63 lowercase letters a-z, digits and '-', e.g. green-city"
    ).format(value=p.get("value")),
    "slug_taken": lambda p: _("an organization with slug {value} already exists").format(
        value=p.get("value")
    ),
    "unknown_role": lambda p: _("unknown role {value!r}; use one of: {known}").format(
        value=p.get("value"), known=p.get("known")
    ),
    "operator_outside_installation": lambda p: _(
        "the operator's role is held in the installation's own hromada (its first one) only: "
        "grant it there, not in this hromada"
    ),
    "bad_reminder": lambda p: _(
        "--remind: {value!r} is not a duration like 24h, 2h, 30m or 1d"
    ).format(value=p.get("value")),
    "too_many_reminders": lambda p: _("--remind: at most {max} reminders").format(max=p.get("max")),
    "reminder_too_early": lambda p: _("--remind: at most {max} days before the event").format(
        max=p.get("max")
    ),
    "starts_in_past": lambda p: _("--starts must be in the future"),
    "ends_before_starts": lambda p: _("--ends must be later than --starts"),
    # audiences, reminders and pushes
    "audience_unknown_kind": lambda p: _("unknown audience {value!r}; use one of: {forms}").format(
        value=p.get("value"), forms=_AUDIENCE_FORMS
    ),
    "audience_unexpected_argument": lambda p: _(
        "audience {value!r}: «all» takes nothing after it"
    ).format(value=p.get("value")),
    "audience_missing_argument": lambda p: _(
        "audience {value!r} needs a value after the colon, e.g. {example}"
    ).format(value=p.get("value"), example=_audience_example(str(p.get("kind")))),
    "audience_unknown_topic": lambda p: _("unknown topic {value!r}; topics: {codes}").format(
        value=p.get("value"), codes=", ".join(topic_codes())
    ),
    "audience_unknown_district": lambda p: _(
        "unknown district {value!r}; districts: {codes}"
    ).format(value=p.get("value"), codes=", ".join(district_codes())),
    "audience_unknown_org": lambda p: _(
        "audience {value!r}: there is no organization with that id"
    ).format(value=p.get("value")),
    "audience_unknown_participants": lambda p: _(
        "audience {value!r}: there is no campaign with that id"
    ).format(value=p.get("value")),
    "audience_unknown_event": lambda p: _(
        "audience {value!r}: there is no event with that id"
    ).format(value=p.get("value")),
    "audience_bad_id": _audience_ids,
    "audience_no_citizens": _audience_ids,
    "audience_too_many_citizens": lambda p: _(
        "audience: at most {max} citizens can be listed"
    ).format(max=p.get("max")),
    "bad_reminders": lambda p: _(
        "--remind {value!r}: write times before closing like 24h,2h or 30m"
    ).format(value=p.get("value")),
    "reminders_need_closing": lambda p: _(
        "--remind needs --closes: reminders count back from the closing time"
    ),
    "image_too_big": lambda p: _("--image is larger than {max} MB").format(max=p.get("max_mb")),
    "bad_channel": lambda p: _(
        "{value!r} is not a Telegram channel: write its @username or its numeric chat id"
    ).format(value=p.get("value")),
    # who may take part
    "eligible_unknown": lambda p: _(
        "--eligible {value!r}: use verified and/or district:CODE,CODE"
    ).format(value=p.get("value")),
    "eligible_no_districts": lambda p: _(
        "--eligible {value!r}: name at least one district, e.g. district:{example}"
    ).format(value=p.get("value"), example=next(iter(home_district_codes()), "center")),
    "eligible_unknown_district": lambda p: _(
        "--eligible: unknown district {value!r}; districts: {codes}"
    ).format(value=p.get("value"), codes=", ".join(home_district_codes())),
}

# Checked again with their own words where an official meets them (file problems in
# admin_cli/campaign_files.py, settings in core/config.py), or only residents meet them.
_VALIDATION_AS_CODE = [
    "link_code_format",
    "phone_invalid",
    "phone_not_own",
    "bad_digest_hour",
    "bad_quiet_hours",
    "description_empty",
    "description_too_long",
    "event_over",
    "location_incomplete",
    "location_out_of_range",
    "title_empty",
    "title_too_long",
    "unknown_district",
    "unknown_subscription",
    "unknown_topic",
    "unsupported_locale",
]

LINKING_REASONS = (
    "already_linked",
    "code_expired",
    "link_gone",
    "only_messenger",
    "own_code",
    "too_many_tries",
)

SHARED_TEXTS: dict[tuple[type[SpilnoError], str], Text] = {
    own(CampaignNotFoundError): lambda p: _("there is no campaign with id {id}").format(
        id=p.get("campaign_id")
    ),
    own(ResidentNotFoundError): lambda p: _(
        "no resident has the identity {identity}: write it as telegram:ID or viber:ID"
    ).format(identity=p.get("identity")),
    (ResidentNotFoundError, "bad_identity"): lambda p: _(
        "{identity!r} is not an identity: write it as telegram:ID or viber:ID"
    ).format(identity=p.get("identity")),
    own(BroadcastNotFoundError): lambda p: _("there is no push with id {id}").format(
        id=p.get("broadcast_id")
    ),
    own(OrganizationNotFoundError): lambda p: _("there is no organization {slug}").format(
        slug=p.get("slug")
    ),
    own(EventNotFoundError): lambda p: _("there is no event with id {id}").format(
        id=p.get("event_id")
    ),
    (EventCancelledError, "already_cancelled"): lambda p: _(
        "event {id} is already cancelled"
    ).format(id=p.get("event_id")),
    (EventCancelledError, "event_cancelled"): lambda p: _("event {id} is already cancelled").format(
        id=p.get("event_id")
    ),
    own(InvalidTransitionError): _transition,
    (InvalidTransitionError, "closes_in_past"): _cannot_open,
    (InvalidTransitionError, "not_editable"): _not_editable,
    (InvalidTransitionError, "not_deletable"): _not_deletable,
    (InvalidTransitionError, "own_lifecycle"): lambda p: _(
        "campaign {id} opens and closes by its own kind's commands (a petition: spilno-admin "
        "petitions approve / answer), not by campaign open, close, edit or delete"
    ).format(id=p.get("campaign_id")),
    (PermissionDeniedError, "not_an_official"): _not_an_official,
    (PermissionDeniedError, "other_organization"): _other_organization,
    (PermissionDeniedError, "role_lacks_permission"): _role_lacks_permission,
    (PermissionDeniedError, "not_an_operator"): _not_an_operator,
    own(CampaignClosedError): lambda p: _("the campaign is closed"),
    own(CampaignNotOpenError): lambda p: _("the campaign is not open yet"),
    **{
        own(error_type): as_failed(error_type)
        for error_type in (DistrictChangeTooSoonError, ResultsHiddenError)
    },
    **{(NotEligibleError, reason.value): as_failed(NotEligibleError) for reason in Ineligible},
    (HromadaProfileError, "hromada_exists"): lambda p: _(
        "there is already a hromada {slug}"
    ).format(slug=p.get("slug")),
    (HromadaProfileError, "profile_changed"): lambda p: _(
        "the profile changed while you were confirming; run the command again"
    ),
    (ValidationError, "bad_hromada_slug"): lambda p: _(
        "{value!r} is not a hromada's short name: 2-40 lowercase Latin letters, digits and -, "
        "starting with a letter"
    ).format(value=p.get("value")),
    (ValidationError, "resident_not_found"): lambda p: _("there is no resident {identity}").format(
        identity=p.get("identity")
    ),
    (ValidationError, "bad_identity"): lambda p: _(
        "{value!r} is not an identity: write it as telegram:ID or viber:ID"
    ).format(value=p.get("value")),
    # Only residents link their messengers, in the chat.
    **{(LinkingError, reason): as_failed(LinkingError) for reason in LINKING_REASONS},
    **{(ValidationError, reason): text for reason, text in _VALIDATION.items()},
    **{(ValidationError, reason): as_invalid(reason) for reason in _VALIDATION_AS_CODE},
}


def _with_kinds(shared: dict[ErrorKey, Text]) -> dict[ErrorKey, Text]:
    """The shared texts and every kind's own; a key claimed twice would hide one text."""
    texts = dict(shared)
    for kind in KINDS:
        own_texts = dict(kind.error_texts)
        for error_type, reason in kind.residents_only:
            invalid = issubclass(error_type, ValidationError)
            own_texts[error_type, reason] = as_invalid(reason) if invalid else as_failed(error_type)
        if claimed := texts.keys() & own_texts.keys():
            raise ValueError(f"{kind.kind}: error texts already in the table: {claimed}")
        texts.update(own_texts)
    return texts


TEXTS = _with_kinds(SHARED_TEXTS)
