"""What officials may see about residents: counts, and one resident by an identity — the
masked phone only, never the number."""

from __future__ import annotations

from dataclasses import dataclass

from core.citizens.model import (
    Citizen,
    IdentityRef,
    ResidentCounts,
    VerificationLevel,
    verification_level,
)
from core.kernel.errors import NotFoundError
from core.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class ResidentView:
    citizen: Citizen
    level: VerificationLevel
    identities: tuple[IdentityRef, ...]
    participation: dict[str, int]  # participation table → rows


async def stats(uow: UnitOfWork) -> ResidentCounts:
    return await uow.residents.counts()


async def show(uow: UnitOfWork, ref: IdentityRef) -> ResidentView:
    citizen = await uow.citizens.get_by_identity(ref)
    if citizen is None:
        raise NotFoundError("resident_not_found", identity=str(ref))
    identities = (await uow.citizens.identities_of([citizen.id])).get(citizen.id, [])
    return ResidentView(
        citizen=citizen,
        level=verification_level(citizen),
        identities=tuple(identities),
        participation=await uow.residents.participation(citizen.id),
    )
