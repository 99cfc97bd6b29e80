""" "Forget me": a resident's data removed at their request (Settings → Delete my data) or an
official's (`spilno-admin residents forget`), by the participation registry's rules (see
core/storage/resident_data.py): personal rows go, participation in campaigns not closed yet is
withdrawn, participation in closed ones and public texts stay, anonymous. Writing to the bot
again starts a new resident."""

from __future__ import annotations

from datetime import datetime

from core.audit import service as audit
from core.citizens.data_ports import ForgetCounts
from core.citizens.model import IdentityRef
from core.kernel.errors import NotFoundError
from core.kernel.i18n import _, use_locale
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission
from core.officials.service import require


class ResidentNotFoundError(NotFoundError):
    code = "resident_not_found"


def deleted_marker(locale: str) -> str:
    """What stands instead of a forgotten resident's texts (stored in the city's language)."""
    with use_locale(locale):
        return _("deleted by the author")


async def forget_citizen(
    uow: UnitOfWork, citizen_id: int, *, now: datetime, locale: str, actor: str | None = None
) -> ForgetCounts:
    """Forget one citizen. `actor`: the official who did it (None: the resident themself).

    Audit-logged either way, with counts only: the log must not keep what was forgotten."""
    counts = await uow.resident_data.forget(citizen_id, now=now, marker=deleted_marker(locale))
    await audit.record(
        uow,
        actor=actor or "resident",
        action="resident.forget",
        object_type="resident",
        object_id="-",
        now=now,
        after={
            "deleted": sum(counts.deleted.values()),
            "withdrawn": sum(counts.withdrawn.values()),
            "anonymized": sum(counts.anonymized.values()),
            "by": "official" if actor else "resident",
        },
    )
    return counts


async def find_resident(uow: UnitOfWork, identity: str) -> int:
    """The citizen behind `telegram:123` / `viber:…`; an official's input, checked."""
    try:
        ref = IdentityRef.parse(identity.strip())
    except ValueError:
        raise ResidentNotFoundError("bad_identity", identity=identity) from None
    found = await uow.citizens.find(ref)
    if found is None:
        raise ResidentNotFoundError(identity=identity)
    return found[0].id


async def forget_by_official(
    uow: UnitOfWork, identity: str, *, actor: str, now: datetime, locale: str
) -> ForgetCounts:
    await require(uow, actor, Permission.MANAGE_OFFICIALS)
    citizen_id = await find_resident(uow, identity)
    return await forget_citizen(uow, citizen_id, now=now, locale=locale, actor=actor)


async def export_check(uow: UnitOfWork, identity: str, *, actor: str, now: datetime) -> int:
    """An official exports a resident's data (a request by letter): allowed and logged."""
    await require(uow, actor, Permission.MANAGE_OFFICIALS)
    citizen_id = await find_resident(uow, identity)
    await audit.record(
        uow,
        actor=actor,
        action="resident.export",
        object_type="resident",
        object_id="-",
        now=now,
    )
    return citizen_id
