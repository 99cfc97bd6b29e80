"""A resident's home district: where they live, which decides the district campaigns they may
take part in. Changeable at most once in 30 days (residence must not flip per vote), and every
change is in the audit log with the resident as the actor.
"""

from __future__ import annotations

from datetime import datetime

from core.audit import service as audit
from core.citizens.model import DISTRICT_CHANGE_INTERVAL, Citizen
from core.hromadas.taxonomy import is_home_district
from core.kernel.errors import DistrictChangeTooSoonError, ValidationError
from core.kernel.unit_of_work import UnitOfWork

CHANGE_INTERVAL = DISTRICT_CHANGE_INTERVAL
AUDIT_ACTION = "citizen.home_district"


def resident_actor(citizen_id: int) -> str:
    """How the audit log names a resident acting for themselves."""
    return f"citizen:{citizen_id}"


def next_change_at(citizen: Citizen) -> datetime | None:
    """When the home district may change again; None: now (never set)."""
    return citizen.district_changeable_at


async def set_home_district(uow: UnitOfWork, citizen: Citizen, code: str, now: datetime) -> bool:
    """Set or change the resident's home district. False: it already was that one.

    The first choice is free; a change waits 30 days from the previous one (refused with
    `DistrictChangeTooSoonError(next_change_at=…)`). Both are audit-logged.
    """
    if not is_home_district(code):
        raise ValidationError("unknown_district", value=code)
    if citizen.home_district == code:
        return False
    if not citizen.can_change_district(now):
        raise DistrictChangeTooSoonError(next_change_at=next_change_at(citizen))
    # The resident's own row may be stale (a second tap in another turn): the UPDATE decides.
    changeable_before = now - CHANGE_INTERVAL
    if not await uow.citizens.set_home_district(
        citizen.id, code, now=now, changeable_before=changeable_before
    ):
        fresh = await uow.citizens.get(citizen.id)
        raise DistrictChangeTooSoonError(
            next_change_at=next_change_at(fresh) if fresh else now + CHANGE_INTERVAL
        )
    await audit.record(
        uow,
        actor=resident_actor(citizen.id),
        action=AUDIT_ACTION,
        object_type="citizen",
        object_id=citizen.id,
        now=now,
        before={"home_district": citizen.home_district},
        after={"home_district": code},
    )
    citizen.home_district = code
    citizen.home_district_set_at = now
    return True
