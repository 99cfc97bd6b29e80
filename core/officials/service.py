"""Officials' roles and the one permission check every official entry point goes through.

Bootstrap: the roles table starts empty. While it holds no city admin, the CLI grants
city_admin to the names in SPILNO_CITY_ADMINS (`bootstrap_city_admins`); when that is unset
too, nobody can be refused (any official acts as a city admin) so a fresh install works out of
the box. Once a city admin exists, roles decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core.audit import service as audit
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import (
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
    """City-wide role (city_admin, moderator). False when the official already had it."""
    await require(uow, actor, Permission.MANAGE_OFFICIALS)
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
