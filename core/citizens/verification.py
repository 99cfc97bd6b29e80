"""Verify by phone: the resident shares their number; only its keyed hash and a masked form
are kept. A number already belonging to another citizen is, maybe, the same person in another
messenger: two citizens become one (merge.py) only on proof that one person holds both.

How far a contact proves the number is the sender's own decides what it may do
(`PhoneProof`): Telegram names the contact's account, so its contacts are proven; a Viber
contact may be any entry of the sender's address book, so it is only claimed.

- A claimed number nobody holds verifies the sender (the platform offers nothing better);
  a claimed number another citizen holds never merges on the resident's word: both accounts
  must be proven theirs with a link code (linking.py).
- A proven number held by a citizen whose own claim was never proven (no identity on a
  proving platform): the resident is asked whether that account is theirs too; if not, the
  number is theirs (`reassign_phone`) and the other citizen must confirm again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.audit import service as audit
from core.campaigns.audience import Audience
from core.citizens import phone
from core.citizens.merge import MergeOutcome, merge_citizens
from core.citizens.model import PROVING_PLATFORMS, Citizen, LinkingError, PhoneProof
from core.delivery import outbox
from core.delivery.links import Link, link
from core.delivery.messenger import Button, Message
from core.kernel.errors import ValidationError
from core.kernel.i18n import _
from core.kernel.unit_of_work import UnitOfWork

PHONE_REASSIGNED = "citizens.phone_reassigned"  # the audit action and the notice's push kind


@dataclass(frozen=True, slots=True)
class PhoneVerified:
    masked: str


@dataclass(frozen=True, slots=True)
class SamePersonElsewhere:
    """A proven number belongs to another citizen: confirm before the two become one.

    `unproven_holder`: that citizen's claim to the number was never proven, so if the account
    is not the resident's, the number is the resident's instead (`reassign_phone`)."""

    other_citizen_id: int
    phone_hash: str
    masked: str
    other_platforms: tuple[str, ...]
    unproven_holder: bool = False


@dataclass(frozen=True, slots=True)
class ProveWithCode:
    """A claimed number belongs to another citizen: nothing changes unless a link code from
    that account proves both are the resident's."""

    other_citizen_id: int
    masked: str
    other_platforms: tuple[str, ...]


async def _platforms_of(uow: UnitOfWork, citizen_id: int) -> tuple[str, ...]:
    identities = await uow.citizens.identities_of([citizen_id])
    return tuple(sorted({ref.platform for ref in identities.get(citizen_id, [])}))


async def verify_phone(
    uow: UnitOfWork, citizen: Citizen, raw_phone: str, now: datetime, *, proof: PhoneProof
) -> PhoneVerified | SamePersonElsewhere | ProveWithCode:
    """`raw_phone` is the number as the platform sent it, `proof` what the adapter could tell
    about whose it is. ValidationError("phone_invalid") for what is not a phone number; a
    FOREIGN contact is refused by the dialogs before it gets here."""
    if proof is PhoneProof.FOREIGN:
        raise ValidationError("phone_not_own")
    e164 = phone.normalize(raw_phone)
    phone_hash = uow.policies.secret.digest(phone.HASH_PURPOSE, e164)
    masked = phone.mask(e164)
    owner = await uow.residents.owner_of_phone(phone_hash)
    if owner is not None and owner != citizen.id:
        platforms = await _platforms_of(uow, owner)
        if proof is PhoneProof.CLAIMED:
            return ProveWithCode(owner, masked, platforms)
        unproven = not PROVING_PLATFORMS.intersection(platforms)
        return SamePersonElsewhere(owner, phone_hash, masked, platforms, unproven)
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
    """The resident confirmed (a proven number only): merge with the number's owner. None
    when, meanwhile, nobody owns the number any more (then it is simply this citizen's)."""
    await uow.merges.lock([citizen.id, other_citizen_id])
    owner = await uow.residents.owner_of_phone(phone_hash)
    if owner is None or owner == citizen.id:
        await _take_number(uow, citizen, phone_hash, masked, now)
        return None
    if owner != other_citizen_id:
        raise LinkingError("link_gone")
    return await merge_citizens(uow, citizen.id, owner, actor=actor, reason="same_phone", now=now)


async def reassign_phone(
    uow: UnitOfWork,
    citizen: Citizen,
    other_citizen_id: int,
    phone_hash: str,
    masked: str,
    *,
    actor: str,
    now: datetime,
) -> None:
    """The resident proved the number is theirs and said the account holding it is not: the
    number moves to them, the other citizen is no longer verified, is told so (in their
    language, through the outbox) and the move is audit-logged (never the number).

    LinkingError("link_gone") when, meanwhile, that citizen let the number go to someone
    else or proved it theirs (linked a proving messenger): then nothing changes."""
    await uow.merges.lock([citizen.id, other_citizen_id])
    owner = await uow.residents.owner_of_phone(phone_hash)
    if owner is None or owner == citizen.id:
        await _take_number(uow, citizen, phone_hash, masked, now)
        return
    if owner != other_citizen_id or PROVING_PLATFORMS.intersection(await _platforms_of(uow, owner)):
        raise LinkingError("link_gone")
    await uow.residents.clear_phone(owner)  # first: the hash is unique
    await _take_number(uow, citizen, phone_hash, masked, now)
    await audit.record(
        uow,
        actor=actor,
        action=PHONE_REASSIGNED,
        object_type="citizen",
        object_id=owner,
        now=now,
        before={"verified_citizen": owner},
        after={"verified_citizen": citizen.id, "reason": "proven_by_owner"},
    )

    def notice() -> Message:
        return Message(
            _(
                "Your phone number was confirmed by its owner in another messenger, so this "
                "account is no longer confirmed. If this was a mistake, confirm yours again: "
                "Settings → “📱 Confirm my phone number”."
            ),
            buttons=(
                (Button(_("📱 Confirm my phone number"), link(Link.VERIFY)),),
                (Button(_("« Main menu"), link(Link.MAIN_MENU)),),
            ),
        )

    await outbox.enqueue(
        uow,
        kind=PHONE_REASSIGNED,
        audience=Audience.citizens([owner]),
        render=notice,
        now=now,
        bulk=False,  # their own business: at once, even in quiet hours
    )


async def _take_number(
    uow: UnitOfWork, citizen: Citizen, phone_hash: str, masked: str, now: datetime
) -> None:
    await uow.residents.set_phone(citizen.id, phone_hash, masked, now)
    citizen.phone_masked = masked
    citizen.verified_at = citizen.verified_at or now
