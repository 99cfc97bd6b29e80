"""Officials' personal tokens: their format and what is stored of them (issue 19).

A token is `spl_` and 43 characters of a 256-bit random value, shown once when issued.
Only its SHA-256 is stored: with 256 random bits nobody can guess a token from its hash, so
a database dump reveals none, and unlike a keyed hash it survives a change of
SPILNO_SECRET_KEY. It is found by its hash (no scan, nothing to time) and compared in constant
time (core/officials/tokens.py). Its prefix makes a leaked token easy to find (secret scanners,
`grep spl_`), and the log redaction masks anything of its shape (core/kernel/redaction.py).

A token belongs to one official in one hromada and carries the role it was issued with; it
stops working when revoked, rotated (a new one replaces it) or past its expiry.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from core.kernel import redaction
from core.officials.model import Role

PREFIX = redaction.PERSONAL_TOKEN_PREFIX
_RANDOM_BYTES = 32  # 256 bits; token_urlsafe writes them as 43 characters
TOKEN_LENGTH = len(PREFIX) + 43
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# The roles a personal token may carry, strongest first (a rotated token keeps the strongest).
# It is the label `whoami` shows: what the official may do comes from their grants, so an
# organization's editor's token opens that organization's news and events, and nothing else.
TOKEN_ROLES = (Role.CITY_ADMIN, Role.OPERATOR, Role.MODERATOR, Role.ORG_ADMIN, Role.ORG_EDITOR)


class TokenRefusedError(Exception):
    """A token that opens nothing; `reason`: malformed · unknown · revoked · expired.
    The admin API answers 401 whatever the reason (it names none to the caller)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"token refused: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token as stored: never the token itself."""

    id: int
    hromada_id: int
    official: str
    role: Role
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """The token to show once, and what was stored for it."""

    token: str
    stored: StoredToken

    def __repr__(self) -> str:  # never the token, even in a traceback's locals
        return f"IssuedToken(stored={self.stored!r})"


@dataclass(frozen=True, slots=True)
class TokenIdentity:
    """Who a verified token speaks for."""

    official: str
    hromada_id: int
    role: Role
    token_id: int


def new_token() -> str:
    redaction.install()  # from now on no log line of this process can carry it
    return PREFIX + secrets.token_urlsafe(_RANDOM_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return (
        len(token) == TOKEN_LENGTH
        and token.startswith(PREFIX)
        and _ALPHABET.issuperset(token[len(PREFIX) :])
    )
