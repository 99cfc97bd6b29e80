"""`verify`: who a personal token speaks for (issue 19). Every local command and every admin
API request asks it, so it is a module of its own: issuing, rotating and revoking tokens
(core/officials/tokens.py) bring the audit log and role checks, which verifying does without."""

from __future__ import annotations

import hmac
from datetime import datetime

from core.kernel import redaction
from core.kernel.unit_of_work import UnitOfWork
from core.officials.token_model import TokenIdentity, TokenRefusedError, token_hash, well_formed


async def verify(uow: UnitOfWork, token: str, now: datetime) -> TokenIdentity:
    """Who `token` speaks for; TokenRefusedError unless it is a live token. Looked up across
    hromadas: the token itself says which hromada it belongs to."""
    redaction.install()
    token = token.strip()
    if not well_formed(token):
        raise TokenRefusedError("malformed")
    digest = token_hash(token)
    found = await uow.official_tokens.find_by_hash(digest)
    # The lookup matched on the hash already; the constant-time compare keeps it that way
    # whatever the database's collation or index does.
    if found is None or not hmac.compare_digest(found[1], digest):
        raise TokenRefusedError("unknown")
    stored = found[0]
    if stored.revoked_at is not None:
        raise TokenRefusedError("revoked")
    if stored.expires_at is not None and now >= stored.expires_at:
        raise TokenRefusedError("expired")
    return TokenIdentity(stored.official, stored.hromada_id, stored.role, stored.id)
