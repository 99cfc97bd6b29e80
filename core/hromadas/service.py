"""A hromada's profile: read it, see what a file would change, apply it, create a hromada.

Officials' actions are audit-logged; applying drops the cached profile (core/hromadas/current.py)
so this process reads the new one at once and others within a minute.

Who may: a hromada's own profile, whoever manages its officials (a scoped unit of work); any
hromada's profile, creating hromadas and listing them, the installation's operator, in an
operator unit of work (`uow.operator`), whose queries name every hromada they touch.
"""

from __future__ import annotations

import re
from datetime import datetime

from core.audit import service as audit
from core.hromadas import current
from core.hromadas.default import default_profile
from core.hromadas.model import HromadaProfile, ProfileChange, ProfilePlan, plan_profile
from core.hromadas.ports import HromadaSummary
from core.hromadas.scope import current_hromada_id
from core.kernel.errors import SpilnoError, ValidationError
from core.kernel.unit_of_work import UnitOfWork
from core.officials import service as officials
from core.officials.model import INSTALLATION_HROMADA_ID, Permission, PermissionDeniedError

SLUG = re.compile(r"[a-z][a-z0-9-]{1,39}")


class HromadaProfileError(SpilnoError):
    """`hromada_exists` (create), `profile_changed` (apply: someone applied meanwhile)."""

    code = "hromada_profile"


def check_slug(slug: str) -> str:
    """What officials type as `--hromada`: 2-40 lowercase Latin letters, digits and -."""
    if not SLUG.fullmatch(slug):
        raise ValidationError("bad_hromada_slug", value=slug)
    return slug


async def profile(
    uow: UnitOfWork, hromada_id: int | None = None, *, actor: str | None = None
) -> HromadaProfile:
    """The hromada's profile as stored; the built-in one if it has none yet. In an operator
    unit of work `actor` must be the operator (any official may read their own hromada's)."""
    if uow.operator:
        await officials.require_operator(uow, actor or "")
    found = await uow.profiles.load(current_hromada_id() if hromada_id is None else hromada_id)
    return found if found is not None else default_profile()


async def plan_apply(
    uow: UnitOfWork, wanted: HromadaProfile, *, actor: str | None = None
) -> ProfilePlan:
    """What applying `wanted` to the current hromada would change (nothing is written)."""
    hromada_id = current_hromada_id()
    current_profile = await profile(uow, hromada_id, actor=actor)
    return plan_profile(current_profile, wanted, await uow.profiles.codes_in_use(hromada_id))


async def require_profile_rights(uow: UnitOfWork, actor: str) -> None:
    """May `actor` change the current hromada's profile: its officials' manager, or the
    operator (in an operator unit of work; in the installation's own hromada, in either)."""
    if uow.operator:
        await officials.require_operator(uow, actor)
        return
    try:
        await officials.require(uow, actor, Permission.MANAGE_OFFICIALS)
    except PermissionDeniedError:
        if current_hromada_id() == INSTALLATION_HROMADA_ID and await officials.is_operator(
            uow, actor
        ):
            return
        raise


async def apply(
    uow: UnitOfWork,
    wanted: HromadaProfile,
    *,
    actor: str,
    now: datetime,
    expected: tuple[ProfileChange, ...] | None = None,
) -> ProfilePlan:
    """Apply `wanted` to the current hromada; with `expected` (the changes the official
    confirmed), refuse if the changes are no longer those."""
    await require_profile_rights(uow, actor)
    plan = await plan_apply(uow, wanted, actor=actor)
    if expected is not None and plan.changes != expected:
        raise HromadaProfileError("profile_changed")
    if not plan.changes:
        return plan
    hromada_id = current_hromada_id()
    await uow.profiles.save(hromada_id, plan.profile, now)
    await audit.record(
        uow,
        actor=actor,
        action="hromada.apply_profile",
        object_type="hromada",
        object_id=hromada_id,
        now=now,
        after={"changes": [_change(c) for c in plan.changes]},
        hromada_id=hromada_id,  # its own log, also when the operator applies it
    )
    current.forget(hromada_id)
    return plan


async def create(
    uow: UnitOfWork, slug: str, wanted: HromadaProfile, *, actor: str, now: datetime
) -> int:
    """A new hromada with its profile; returns its id. An operator's act, in an operator unit
    of work: logged in the new hromada's audit log and in the installation's."""
    check_slug(slug)
    await officials.require_operator(uow, actor)
    if await uow.profiles.find_slug(slug) is not None:
        raise HromadaProfileError("hromada_exists", slug=slug)
    hromada_id = await uow.profiles.create_hromada(slug, now)
    await uow.profiles.save(hromada_id, wanted, now)
    for log in (hromada_id, INSTALLATION_HROMADA_ID):
        await audit.record(
            uow,
            actor=actor,
            action="hromada.create",
            object_type="hromada",
            object_id=hromada_id,
            now=now,
            after={"slug": slug, "name": wanted.names.uk},
            hromada_id=log,
        )
    return hromada_id


async def hromadas(uow: UnitOfWork, *, actor: str) -> list[HromadaSummary]:
    """Every hromada of the installation (the operator's, in an operator unit of work)."""
    await officials.require_operator(uow, actor)
    return await uow.profiles.hromadas()


def _change(change: ProfileChange) -> dict[str, str | None]:
    return {
        "entry": change.entry,
        "code": change.code,
        "what": change.what,
        "before": change.before,
        "after": change.after,
    }
