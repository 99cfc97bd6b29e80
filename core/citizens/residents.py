"""What officials may see about residents: counts, and one resident by an identity — the
masked phone only, never the number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.audit import service as audit
from core.citizens.model import (
    Citizen,
    IdentityRef,
    ResidentCounts,
    VerificationLevel,
    verification_level,
)
from core.kernel.errors import ValidationError
from core.kernel.unit_of_work import UnitOfWork
from core.officials import service as officials
from core.officials.model import Permission


@dataclass(frozen=True, slots=True)
class ResidentView:
    citizen: Citizen
    level: VerificationLevel
    identities: tuple[IdentityRef, ...]
    participation: dict[str, int]  # participation table → rows


IDENTITY_MAX = 160


def parse_identity(text: str) -> IdentityRef:
    """`telegram:123` as an official types it; ValidationError("bad_identity") otherwise."""
    value = text.strip()
    if len(value) > IDENTITY_MAX or not value.isprintable():
        raise ValidationError("bad_identity", value=value[:40])
    try:
        return IdentityRef.parse(value)
    except ValueError:
        raise ValidationError("bad_identity", value=value[:40]) from None


async def stats(uow: UnitOfWork, *, actor: str) -> ResidentCounts:
    await officials.require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    return await uow.residents.counts()


async def show(uow: UnitOfWork, ref: IdentityRef, *, actor: str, now: datetime) -> ResidentView:
    """One resident as an official may see them; looking is audit-logged."""
    await officials.require(uow, actor, Permission.MANAGE_CAMPAIGNS)
    citizen = await uow.citizens.get_by_identity(ref)
    if citizen is None:
        raise ValidationError("resident_not_found", identity=str(ref))
    await audit.record(
        uow,
        actor=actor,
        action="resident.show",
        object_type="citizen",
        object_id=citizen.id,
        now=now,
    )
    identities = (await uow.citizens.identities_of([citizen.id])).get(citizen.id, [])
    return ResidentView(
        citizen=citizen,
        level=verification_level(citizen),
        identities=tuple(identities),
        participation=await uow.residents.participation(citizen.id),
    )
