"""Verify by phone: the resident shares their own number; only its keyed hash and a masked
form are kept. A number already belonging to another citizen is the same person in another
messenger: they are asked to confirm, then the two citizens become one (merge.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.citizens import phone
from core.citizens.merge import MergeOutcome, merge_citizens
from core.citizens.model import Citizen, LinkingError
from core.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class PhoneVerified:
    masked: str


@dataclass(frozen=True, slots=True)
class SamePersonElsewhere:
    """The number belongs to another citizen: confirm before the two become one."""

    other_citizen_id: int
    phone_hash: str
    masked: str
    other_platforms: tuple[str, ...]


async def verify_phone(
    uow: UnitOfWork, citizen: Citizen, raw_phone: str, now: datetime
) -> PhoneVerified | SamePersonElsewhere:
    """`raw_phone` is the resident's own number as the platform sent it (the adapter checked
    whose contact it is). ValidationError("phone_invalid") for what is not a phone number."""
    e164 = phone.normalize(raw_phone)
    phone_hash = uow.policies.secret.digest(phone.HASH_PURPOSE, e164)
    masked = phone.mask(e164)
    owner = await uow.residents.owner_of_phone(phone_hash)
    if owner is not None and owner != citizen.id:
        identities = await uow.citizens.identities_of([owner])
        platforms = tuple(sorted({ref.platform for ref in identities.get(owner, [])}))
        return SamePersonElsewhere(owner, phone_hash, masked, platforms)
    await uow.residents.set_phone(citizen.id, phone_hash, masked, now)
    citizen.phone_masked = masked
    citizen.verified_at = citizen.verified_at or now
    return PhoneVerified(masked)


async def confirm_same_person(
    uow: UnitOfWork,
    citizen: Citizen,
    other_citizen_id: int,
    phone_hash: str,
    masked: str,
    *,
    actor: str,
    now: datetime,
) -> MergeOutcome | None:
    """The resident confirmed: merge with the number's owner. None when, meanwhile, nobody
    owns the number any more (then it is simply this citizen's)."""
    await uow.merges.lock([citizen.id, other_citizen_id])
    owner = await uow.residents.owner_of_phone(phone_hash)
    if owner is None or owner == citizen.id:
        await uow.residents.set_phone(citizen.id, phone_hash, masked, now)
        citizen.phone_masked = masked
        citizen.verified_at = citizen.verified_at or now
        return None
    if owner != other_citizen_id:
        raise LinkingError("link_gone")
    return await merge_citizens(uow, citizen.id, owner, actor=actor, reason="same_phone", now=now)
