"""Viber's callback signature: hex HMAC-SHA256 of the raw body, keyed with the bot token.

The scheme is viberbot's (`Api._calculate_message_signature`); viberbot compares with `==`, which
leaks timing, so the comparison here is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Viber-Content-Signature"


def sign(token: str, body: bytes) -> str:
    return hmac.new(token.encode("utf-8"), body, hashlib.sha256).hexdigest()


def is_valid(token: str, body: bytes, signature: str | None) -> bool:
    """True only when `signature` is the body's signature; a missing one is never valid."""
    if not signature:
        return False
    return hmac.compare_digest(sign(token, body), signature.strip().lower())
