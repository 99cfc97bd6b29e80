"""Linking a second messenger without a phone: a one-time code, and undoing a link.

A code is 6 digits, lives 10 minutes, is stored only as its keyed hash and compared in constant
time. Wrong codes are counted in the database per citizen who typed them: at most 5 an hour,
whichever web process answers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.audit import service as audit
from core.citizens.merge import MergeOutcome, merge_citizens
from core.citizens.model import Citizen, IdentityRef, LinkingError
from core.kernel.errors import ValidationError
from core.kernel.secret_key import matches
from core.kernel.unit_of_work import UnitOfWork

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_WRONG_CODES = 5
WRONG_CODE_WINDOW = timedelta(hours=1)
HASH_PURPOSE = "link_code"


@dataclass(frozen=True, slots=True)
class LinkCode:
    code: str  # shown once to the resident, never stored
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class CodeMatched:
    other_citizen_id: int
    code_hash: str
    other_platforms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WrongCode:
    tries_left: int


def looks_like_code(text: str) -> bool:
    text = text.strip().replace(" ", "")
    return len(text) == CODE_DIGITS and text.isascii() and text.isdigit()


async def issue_code(uow: UnitOfWork, citizen: Citizen, now: datetime) -> LinkCode:
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires_at = now + CODE_TTL
    code_hash = uow.policies.secret.digest(HASH_PURPOSE, code)
    await uow.residents.put_link_code(citizen.id, code_hash, now, expires_at)
    return LinkCode(code, expires_at)


async def check_code(
    uow: UnitOfWork, citizen: Citizen, typed: str, now: datetime
) -> CodeMatched | WrongCode:
    """Whose code `typed` is. A wrong code is counted (and committed by the caller: it is an
    answer, not an error); past the limit LinkingError("too_many_tries")."""
    code = typed.strip().replace(" ", "")
    if not looks_like_code(code):
        raise ValidationError("link_code_format")  # a typo, not a guess: not counted
    since = now - WRONG_CODE_WINDOW
    if await uow.residents.link_failures_since(citizen.id, since) >= MAX_WRONG_CODES:
        raise LinkingError("too_many_tries", minutes=int(WRONG_CODE_WINDOW.total_seconds() // 60))
    code_hash = uow.policies.secret.digest(HASH_PURPOSE, code)
    owner: int | None = None
    # Every live code is compared, in constant time, with no early exit: neither the answer
    # nor its timing tells how close a guess was.
    for citizen_id, stored in await uow.residents.live_link_codes(now):
        if matches(stored, code_hash):
            owner = citizen_id
    if owner is None:
        await uow.residents.add_link_failure(citizen.id, now)
        used = await uow.residents.link_failures_since(citizen.id, since)
        return WrongCode(max(0, MAX_WRONG_CODES - used))
    if owner == citizen.id:
        raise LinkingError("own_code")
    identities = await uow.citizens.identities_of([owner])
    platforms = tuple(sorted({ref.platform for ref in identities.get(owner, [])}))
    return CodeMatched(owner, code_hash, platforms)


async def link_with_code(
    uow: UnitOfWork,
    citizen: Citizen,
    other_citizen_id: int,
    code_hash: str,
    *,
    actor: str,
    now: datetime,
) -> MergeOutcome:
    """The resident confirmed: the code is used up and the two citizens become one."""
    await uow.merges.lock([citizen.id, other_citizen_id])
    if not await uow.residents.take_link_code(other_citizen_id, code_hash, now):
        raise LinkingError("code_expired")
    return await merge_citizens(
        uow, citizen.id, other_citizen_id, actor=actor, reason="link_code", now=now
    )


async def unlink(uow: UnitOfWork, citizen: Citizen, ref: IdentityRef, *, now: datetime) -> Citizen:
    """Detach this messenger into a fresh citizen, from now on. What was done before stays
    with the citizen it was done as; the phone stays there too (share it again to verify)."""
    await uow.merges.lock([citizen.id])
    identities = (await uow.citizens.identities_of([citizen.id])).get(citizen.id, [])
    if ref not in identities:
        raise LinkingError("link_gone")
    if len(identities) < 2:
        raise LinkingError("only_messenger")
    fresh = await uow.residents.detach_identity(ref, now)
    await audit.record(
        uow,
        actor=str(ref),
        action="citizens.unlink",
        object_type="citizen",
        object_id=citizen.id,
        now=now,
        after={"identity": str(ref), "new_citizen": fresh.id},
    )
    return fresh
