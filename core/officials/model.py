"""Officials and what their roles let them do.

City admins may do everything in their hromada; moderators look after ideas and reports; an organization's
admin and editor act only inside their organization (the editor publishes news and runs
events, the admin also manages the organization's officials and channel). The scheduler, the
demo seed and other system actors act with the city's authority.

The installation's operator manages hromadas (creates them, lists them, shows and applies any
hromada's profile) and nothing else: the role is held in the installation's own hromada
(INSTALLATION_HROMADA_ID) and makes nobody a city admin anywhere (issue 18).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from core.hromadas.scope import DEFAULT_HROMADA_ID
from core.kernel.errors import SpilnoError, ValidationError

# The hromada an installation starts with: its operators' roles live there.
INSTALLATION_HROMADA_ID = DEFAULT_HROMADA_ID


class Role(StrEnum):
    CITY_ADMIN = "city_admin"
    MODERATOR = "moderator"
    ORG_ADMIN = "org_admin"
    ORG_EDITOR = "org_editor"
    OPERATOR = "operator"  # the installation's, held in INSTALLATION_HROMADA_ID


# Roles that only make sense for one organization, and the names officials type for them.
ORG_ROLES = {"admin": Role.ORG_ADMIN, "editor": Role.ORG_EDITOR}
CITY_ROLES = {"city_admin": Role.CITY_ADMIN, "moderator": Role.MODERATOR}
# What `officials add --role` takes: the city-wide roles and the installation's operator.
OFFICIAL_ROLES = {**CITY_ROLES, "operator": Role.OPERATOR}


class PermissionDeniedError(SpilnoError):
    """An official tried something their roles do not allow; `reason` says why:
    not_an_official · role_lacks_permission · other_organization · not_an_operator."""

    code = "permission_denied"


OFFICIAL_NAME_MAX = 128


def check_official_name(name: str, field: str = "official") -> str:
    """An official's name as every audit row and role keeps it (`--as`, `officials add`)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("text_empty", field=field)
    if len(name) > OFFICIAL_NAME_MAX:
        raise ValidationError("text_too_long", field=field, max=OFFICIAL_NAME_MAX)
    return name


def parse_city_role(text: str) -> Role:
    role = CITY_ROLES.get((text or "").strip().lower())
    if role is None:
        raise ValidationError("unknown_role", value=text, known=", ".join(CITY_ROLES))
    return role


def parse_official_role(text: str) -> Role:
    """A role `officials add --role` grants: city_admin, moderator or operator."""
    role = OFFICIAL_ROLES.get((text or "").strip().lower())
    if role is None:
        raise ValidationError("unknown_role", value=text, known=", ".join(OFFICIAL_ROLES))
    return role


def parse_org_role(text: str) -> Role:
    role = ORG_ROLES.get((text or "").strip().lower())
    if role is None:
        raise ValidationError("unknown_role", value=text, known=", ".join(ORG_ROLES))
    return role


class Permission(StrEnum):
    MANAGE_OFFICIALS = "manage_officials"  # city-wide roles
    MANAGE_CAMPAIGNS = "manage_campaigns"  # polls, consultations, contests, idea calls
    MODERATE = "moderate"  # ideas, comments, reports
    CREATE_ORGANIZATION = "create_organization"
    MANAGE_ORGANIZATION = "manage_organization"  # its officials and channel
    PUBLISH = "publish"  # an organization's news and events
    MANAGE_HROMADAS = "manage_hromadas"  # the installation's: create, list, any one's profile


_CITY_WIDE: dict[Role, frozenset[Permission]] = {
    # Everything in their hromada; other hromadas are the operator's.
    Role.CITY_ADMIN: frozenset(Permission) - {Permission.MANAGE_HROMADAS},
    Role.MODERATOR: frozenset({Permission.MODERATE}),
    Role.OPERATOR: frozenset({Permission.MANAGE_HROMADAS}),
}
_IN_ORGANIZATION: dict[Role, frozenset[Permission]] = {
    Role.ORG_ADMIN: frozenset({Permission.MANAGE_ORGANIZATION, Permission.PUBLISH}),
    Role.ORG_EDITOR: frozenset({Permission.PUBLISH}),
}

# Actors that are the system itself, not a person: they keep working whatever the roles say.
SYSTEM_ACTORS = frozenset({"scheduler", "demo", "system"})


@dataclass(frozen=True, slots=True)
class Grant:
    official: str
    role: Role
    org_id: int | None = None  # set for org roles only


def allows(grants: Iterable[Grant], permission: Permission, org_id: int | None = None) -> bool:
    for grant in grants:
        if permission in _CITY_WIDE.get(grant.role, frozenset()):
            return True
        if (
            org_id is not None
            and grant.org_id == org_id
            and permission in _IN_ORGANIZATION.get(grant.role, frozenset())
        ):
            return True
    return False


def refusal_reason(grants: Iterable[Grant], permission: Permission, org_id: int | None) -> str:
    """Why `allows` said no, as a stable code for the error message."""
    grants = list(grants)
    if not grants:
        return "not_an_official"
    if org_id is not None and any(
        permission in _IN_ORGANIZATION.get(g.role, frozenset()) for g in grants
    ):
        return "other_organization"
    return "role_lacks_permission"
