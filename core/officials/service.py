"""Officials' roles and the one permission check every official entry point goes through.

Bootstrap: the roles table starts empty. While it holds no city admin, the CLI grants
city_admin to the names in SPILNO_CITY_ADMINS (`bootstrap_city_admins`); when that is unset
too, nobody can be refused (any official acts as a city admin) so a fresh install works out of
the box. Once a city admin exists, roles decide.

The installation's operator (`require_operator`) is checked against the roles of the
installation's own hromada, named explicitly: the operator's commands run in an operator unit
of work, where nothing filters by hromada. While that hromada holds no role at all, anyone
may (a single-city installation keeps working as before). The first operator is named by that
hromada's city admin; later ones by an operator.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core.audit import service as audit
from core.hromadas.scope import current_hromada_id
from core.kernel.errors import ValidationError
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import (
    INSTALLATION_HROMADA_ID,
    SYSTEM_ACTORS,
    Grant,
    Permission,
    PermissionDeniedError,
    Role,
    allows,
    check_official_name,
    refusal_reason,
)


async def require(
    uow: UnitOfWork, actor: str, permission: Permission, org_id: int | None = None
) -> None:
    """Raise PermissionDeniedError unless `actor` may do `permission` (in `org_id`)."""
    if actor in SYSTEM_ACTORS:
        return
    grants = await uow.officials.grants_of(actor)
    if allows(grants, permission, org_id):
        return
    if not await uow.officials.has_city_admin():
        return  # open mode: no city admin configured yet
    raise PermissionDeniedError(
        refusal_reason(grants, permission, org_id),
        official=actor,
        permission=permission.value,
        org_id=org_id,
    )


async def require_operator(uow: UnitOfWork, actor: str) -> None:
    """Raise PermissionDeniedError unless `actor` may manage the installation's hromadas: an
    operator (a role held in the installation's hromada), or anyone while that hromada has no
    role at all. Works in an operator unit of work and in one scoped to that hromada."""
    if actor in SYSTEM_ACTORS:
        return
    grants = await uow.officials.grants_in(INSTALLATION_HROMADA_ID, actor)
    if allows(grants, Permission.MANAGE_HROMADAS):
        return
    if not await uow.officials.has_role_in(INSTALLATION_HROMADA_ID):
        return  # open mode: nobody holds a role in the installation's hromada yet
    raise PermissionDeniedError(
        "not_an_operator", official=actor, permission=Permission.MANAGE_HROMADAS.value
    )


async def is_operator(uow: UnitOfWork, actor: str) -> bool:
    """Whether `actor` holds the operator's role (open mode aside)."""
    grants = await uow.officials.grants_in(INSTALLATION_HROMADA_ID, actor)
    return allows(grants, Permission.MANAGE_HROMADAS)


async def require_may_grant(uow: UnitOfWork, actor: str, role: Role) -> None:
    """Who may grant `role` in the unit of work's hromada (or issue a token carrying it). The
    operator's role lives in the installation's hromada only; an operator grants it, and while
    there is none, whoever manages that hromada's officials."""
    if role is not Role.OPERATOR:
        await require(uow, actor, Permission.MANAGE_OFFICIALS)
        return
    if current_hromada_id() != INSTALLATION_HROMADA_ID:
        raise ValidationError("operator_outside_installation")
    if await uow.officials.has_role_in(INSTALLATION_HROMADA_ID, Role.OPERATOR):
        await require_operator(uow, actor)
    else:
        await require(uow, actor, Permission.MANAGE_OFFICIALS)


async def bootstrap_city_admins(uow: UnitOfWork, names: Iterable[str], now: datetime) -> list[str]:
    """Grant city_admin to `names` while no city admin exists; returns who was granted."""
    wanted = [n.strip() for n in names if n.strip()]
    if not wanted or await uow.officials.has_city_admin():
        return []
    granted = []
    for name in wanted:
        if await uow.officials.grant(Grant(name, Role.CITY_ADMIN), granted_by="system", now=now):
            granted.append(name)
            await audit.record(
                uow,
                actor="system",
                action="official.grant",
                object_type="official",
                object_id=name,
                now=now,
                after={"role": Role.CITY_ADMIN.value, "source": "SPILNO_CITY_ADMINS"},
            )
    return granted


async def grant_city_role(
    uow: UnitOfWork, *, actor: str, official: str, role: Role, now: datetime
) -> bool:
    """City-wide role (city_admin, moderator), or the installation's operator (in its own
    hromada only). False when the official already had it."""
    await require_may_grant(uow, actor, role)
    official = check_official_name(official)
    added = await uow.officials.grant(Grant(official, role), granted_by=actor, now=now)
    if added:
        await audit.record(
            uow,
            actor=actor,
            action="official.grant",
            object_type="official",
            object_id=official,
            now=now,
            after={"role": role.value},
        )
    return added


async def grant_org_role(
    uow: UnitOfWork,
    *,
    actor: str,
    official: str,
    role: Role,
    org_id: int,
    org_slug: str,
    now: datetime,
) -> bool:
    await require(uow, actor, Permission.MANAGE_ORGANIZATION, org_id)
    official = check_official_name(official)
    added = await uow.officials.grant(Grant(official, role, org_id), granted_by=actor, now=now)
    if added:
        await audit.record(
            uow,
            actor=actor,
            action="org.add_official",
            object_type="organization",
            object_id=org_id,
            now=now,
            after={"org": org_slug, "official": official, "role": role.value},
        )
    return added


async def list_grants(uow: UnitOfWork) -> list[Grant]:
    return await uow.officials.all_grants()
