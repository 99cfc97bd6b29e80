"""Citizens: find or register a resident by platform identity; language; reachability."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.citizens.model import SUPPORTED_LOCALES, Citizen, IdentityRef, NotificationMode
from core.kernel.errors import ValidationError
from core.kernel.unit_of_work import UnitOfWork


async def resolve_citizen(
    uow: UnitOfWork, ref: IdentityRef, now: datetime, *, reopt_in: bool = False
) -> tuple[Citizen, bool]:
    """Return (citizen, is_new) for this identity, registering a new citizen on first contact.

    With `reopt_in` (the resident wrote to us), an identity marked unreachable becomes
    reachable again.
    """
    return await register_unless_found(
        uow, ref, await uow.citizens.find(ref), now, reopt_in=reopt_in
    )


async def find_citizen(uow: UnitOfWork, ref: IdentityRef) -> tuple[Citizen, bool] | None:
    """The citizen owning this identity and whether it is reachable; None for a newcomer."""
    return await uow.citizens.find(ref)


async def identities_of(
    uow: UnitOfWork, citizen_ids: Sequence[int]
) -> dict[int, list[IdentityRef]]:
    """Each citizen's platform identities, oldest first (officials' exports)."""
    return await uow.citizens.identities_of(citizen_ids)


async def register_unless_found(
    uow: UnitOfWork,
    ref: IdentityRef,
    found: tuple[Citizen, bool] | None,
    now: datetime,
    *,
    reopt_in: bool = False,
) -> tuple[Citizen, bool]:
    """`resolve_citizen` for a lookup already made (e.g. together with the update's claim)."""
    if found is None:
        return await uow.citizens.create(ref, locale=None, now=now), True
    citizen, reachable = found
    if reopt_in and not reachable:
        await uow.citizens.set_reachable(ref, True)
    return citizen, False


async def choose_locale(uow: UnitOfWork, citizen: Citizen, locale: str) -> None:
    if locale not in SUPPORTED_LOCALES:
        raise ValidationError("unsupported_locale", locale=locale)
    citizen.locale = locale
    await uow.citizens.save(citizen)


async def save_dialog_state(uow: UnitOfWork, citizen: Citizen) -> None:
    await uow.citizens.save(citizen)


async def mark_unreachable(uow: UnitOfWork, ref: IdentityRef) -> bool:
    """The resident blocked the bot or left: stop bulk sends until they write again."""
    return await uow.citizens.set_reachable(ref, False)


async def mark_reachable(uow: UnitOfWork, ref: IdentityRef) -> bool:
    """Any new message from the resident re-opts them in."""
    return await uow.citizens.set_reachable(ref, True)


async def set_notifications(uow: UnitOfWork, citizen: Citizen, mode: NotificationMode) -> None:
    """`off` (e.g. /stop) stops every bulk message; replies to the resident still arrive."""
    citizen.notifications = mode
    await uow.citizens.save(citizen)
