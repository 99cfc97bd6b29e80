"""Officials' personal tokens: issue, rotate, revoke, and `verify` (core/officials/token_check.py):
who an official is when they work from their own computer (issue 19). The token's format and
why only its SHA-256 is kept: core/officials/token_model.py.
"""

from __future__ import annotations

from datetime import datetime

from core.audit import service as audit
from core.kernel.unit_of_work import UnitOfWork
from core.officials.model import Permission, Role, check_official_name
from core.officials.service import require, require_may_grant
from core.officials.token_check import verify
from core.officials.token_model import (
    TOKEN_ROLES,
    IssuedToken,
    StoredToken,
    TokenIdentity,
    TokenRefusedError,
    new_token,
    token_hash,
)

__all__ = ["IssuedToken", "StoredToken", "TokenIdentity", "TokenRefusedError", "verify"]


async def issue(
    uow: UnitOfWork,
    *,
    actor: str,
    official: str,
    role: Role,
    hromada_id: int,
    now: datetime,
    expires_at: datetime | None = None,
) -> IssuedToken | None:
    """A first token for `official` in the hromada; None when they already hold a live one
    (`rotate` replaces it)."""
    await require_may_grant(uow, actor, role)
    official = check_official_name(official)
    live = [t for t in await uow.official_tokens.of(hromada_id, official) if t.usable(now)]
    if live:
        return None
    issued = await _issue(uow, actor, official, role, hromada_id, now, expires_at)
    await _audit(uow, actor, "official.token_issue", issued.stored, now)
    return issued


async def rotate(
    uow: UnitOfWork,
    *,
    actor: str,
    official: str,
    hromada_id: int,
    now: datetime,
    expires_at: datetime | None = None,
) -> IssuedToken | None:
    """A new token for `official`; every earlier one stops working. It carries the role of
    their live token, else their strongest role; None when they have neither."""
    official = check_official_name(official)
    tokens = await uow.official_tokens.of(hromada_id, official)
    role = next((t.role for t in tokens if t.usable(now)), None) or await _strongest_role(
        uow, official
    )
    # The new token goes to the actor: only who may grant its role may have it.
    if role is None:
        await require(uow, actor, Permission.MANAGE_OFFICIALS)
        return None
    await require_may_grant(uow, actor, role)
    await uow.official_tokens.revoke_all(hromada_id, official, now)
    issued = await _issue(uow, actor, official, role, hromada_id, now, expires_at)
    await _audit(uow, actor, "official.token_rotate", issued.stored, now)
    return issued


async def revoke(
    uow: UnitOfWork, *, actor: str, official: str, hromada_id: int, now: datetime
) -> int:
    """Every live token of `official` in the hromada stops working; how many did."""
    await require(uow, actor, Permission.MANAGE_OFFICIALS)
    official = check_official_name(official)
    live = [t for t in await uow.official_tokens.of(hromada_id, official) if t.usable(now)]
    await uow.official_tokens.revoke_all(hromada_id, official, now)
    for stored in live:
        await _audit(uow, actor, "official.token_revoke", stored, now)
    return len(live)


async def list_tokens(uow: UnitOfWork, hromada_id: int) -> list[StoredToken]:
    return await uow.official_tokens.all_of(hromada_id)


async def hromada_id_of(uow: UnitOfWork, slug: str) -> int | None:
    return await uow.official_tokens.hromada_id_of(slug)


async def _strongest_role(uow: UnitOfWork, official: str) -> Role | None:
    held = {grant.role for grant in await uow.officials.grants_of(official)}
    return next((role for role in TOKEN_ROLES if role in held), None)


async def _issue(
    uow: UnitOfWork,
    actor: str,
    official: str,
    role: Role,
    hromada_id: int,
    now: datetime,
    expires_at: datetime | None,
) -> IssuedToken:
    if role not in TOKEN_ROLES:
        raise ValueError(f"a personal token carries an official's role, not {role.value}")
    token = new_token()
    stored = await uow.official_tokens.add(
        hromada_id=hromada_id,
        official=official,
        role=role,
        token_hash=token_hash(token),
        created_by=actor,
        created_at=now,
        expires_at=expires_at,
    )
    return IssuedToken(token, stored)


# Who `spilno officials-token` acts as in the audit log: the installation, not an official.
INSTALLATION_ACTOR = "installation"


class InstallationIssueRefusedError(Exception):
    """`issue_as_installation` refused: `reason` no_role (no city role to carry) or live
    (a working token exists and `rotate` was not asked)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def issue_as_installation(
    uow: UnitOfWork, *, official: str, hromada_id: int, now: datetime, rotate: bool
) -> IssuedToken:
    """A token for `official`, issued by the installation itself (`spilno officials-token`,
    for whoever holds the database's credentials: they may act as anyone, so no one's role is
    asked). It carries the official's strongest role; `rotate` replaces a working one."""
    held = {grant.role for grant in await uow.officials.grants_of(official)}
    role = next((r for r in TOKEN_ROLES if r in held), None)
    if role is None:
        raise InstallationIssueRefusedError("no_role")
    live = [t for t in await uow.official_tokens.of(hromada_id, official) if t.usable(now)]
    if live and not rotate:
        raise InstallationIssueRefusedError("live")
    await uow.official_tokens.revoke_all(hromada_id, official, now)
    issued = await _issue(uow, INSTALLATION_ACTOR, official, role, hromada_id, now, None)
    action = "official.token_rotate" if live else "official.token_issue"
    await _audit(uow, INSTALLATION_ACTOR, action, issued.stored, now)
    return issued


async def _audit(
    uow: UnitOfWork, actor: str, action: str, stored: StoredToken, now: datetime
) -> None:
    # Which token (its id), for whom, until when: never the token or its hash.
    await audit.record(
        uow,
        actor=actor,
        action=action,
        object_type="official",
        object_id=stored.official,
        now=now,
        after={
            "token_id": stored.id,
            "role": stored.role.value,
            "hromada_id": stored.hromada_id,
            "expires_at": stored.expires_at.isoformat() if stored.expires_at else None,
        },
    )
