"""A hromada's messenger bots: at most one Telegram and one Viber bot each (issue 18).

The token is the bot: whoever has it can read residents' messages and write as the city. So it
is stored encrypted (AES-256-GCM under a key derived with HKDF from SPILNO_SECRET_KEY) and found
by a keyed fingerprint (HMAC of the token), never in the clear: a database dump alone reveals
no token, and the fingerprint's uniqueness keeps one bot from serving two hromadas. The webhook
secret Telegram echoes back (and we must hand Telegram) is stored the same way.

Plain Python, no I/O: the table is in bots_tables.py, the SQL in bots_sql.py.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from core.kernel.secret_key import SecretKey

# cryptography is loaded when a secret is sealed or opened: every command builds the bot store
# (core/bootstrap.py), few touch a bot.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_KEY_INFO = b"spilno/bot-secrets/aes-256-gcm/v1"
_NONCE_BYTES = 12
_FORMAT = b"\x01"  # the stored value's first byte: which scheme sealed it


class BotPlatform(StrEnum):
    TELEGRAM = "telegram"
    VIBER = "viber"


# BotFather's tokens: the bot's numeric id, a colon, 35 characters (allow some slack).
_TELEGRAM_TOKEN = re.compile(r"[0-9]{5,12}:[A-Za-z0-9_-]{30,64}")
# Viber's authentication tokens: three (sometimes more) dash-separated groups of [0-9a-z].
_VIBER_TOKEN = re.compile(r"[0-9a-z]{8,32}(-[0-9a-z]{8,32}){2,4}")
_SHAPES = {BotPlatform.TELEGRAM: _TELEGRAM_TOKEN, BotPlatform.VIBER: _VIBER_TOKEN}


class BotSetupError(Exception):
    """A bot cannot be set as asked; the CLI words it (the message never carries a token).

    Not a SpilnoError: only `hromada set-bot` raises these, and it words them itself."""

    def __init__(self, platform: BotPlatform) -> None:
        super().__init__(f"{type(self).__name__}: {platform.value}")
        self.platform = platform


class BadBotTokenError(BotSetupError):
    """A token that cannot be this platform's."""


class BotTokenTakenError(BotSetupError):
    """The same bot is already another hromada's."""


class UnknownHromadaError(Exception):
    """No hromada has this slug."""


def check_token(platform: BotPlatform, token: str) -> str:
    """The token without surrounding whitespace, if it has its platform's shape."""
    token = token.strip()
    if not _SHAPES[platform].fullmatch(token):
        raise BadBotTokenError(platform)
    return token


def masked(token: str) -> str:
    """What an official may see: enough to tell two bots apart, never enough to use one."""
    head, sep, _rest = token.partition(":")
    if sep:  # Telegram: the bot id is public anyway
        return f"{head}:…{token[-3:]}"
    return f"{token[:4]}…{token[-3:]}"


@dataclass(frozen=True, slots=True)
class Bot:
    """One bot as the runtime needs it (secrets decrypted, in memory only)."""

    id: int
    hromada_id: int
    platform: BotPlatform
    token: str
    webhook_secret: str
    username: str | None
    updated_at: datetime

    @property
    def version(self) -> tuple[str, str, str | None]:
        """What a running bot must be restarted for when it changes."""
        return (self.token, self.webhook_secret, self.username)

    def __repr__(self) -> str:  # never a secret in a log line or a traceback
        return f"Bot(id={self.id}, hromada_id={self.hromada_id}, platform={self.platform.value})"


@dataclass(frozen=True, slots=True)
class BotSummary:
    """What an official is shown: no secret, a fingerprint prefix to compare."""

    hromada_id: int
    platform: BotPlatform
    fingerprint: str
    username: str | None
    updated_at: datetime


class BotSecrets:
    """Seals and opens bot secrets with the installation's key; fingerprints tokens."""

    def __init__(self, key: SecretKey) -> None:
        self._key = key
        self._aead: AESGCM | None = None

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            from cryptography.hazmat.primitives.kdf.hkdf import HKDF

            # HKDF, not the key itself: the secret key also keys phone hashes (HMAC); one
            # derived key per use keeps the two uses independent.
            derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(
                self._key.material()
            )
            self._aead = AESGCM(derived)
        return self._aead

    def seal(self, value: str, *, context: str) -> bytes:
        """`context` (e.g. "token:telegram") is bound in as associated data: a sealed value
        copied to another column or platform does not open."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._cipher().encrypt(nonce, value.encode(), context.encode())
        return _FORMAT + nonce + sealed

    def open(self, blob: bytes, *, context: str) -> str:
        from cryptography.exceptions import InvalidTag

        if blob[:1] != _FORMAT:
            raise ValueError("unknown sealed format")
        nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            return self._cipher().decrypt(nonce, sealed, context.encode()).decode()
        except InvalidTag:
            raise ValueError("sealed with another key, or altered") from None

    def fingerprint(self, token: str) -> str:
        return self._key.digest("bot-token", token)


def new_webhook_secret() -> str:
    """Telegram allows 1-256 of [A-Za-z0-9_-]; 43 random URL-safe characters."""
    return secrets.token_urlsafe(32)


def token_context(platform: BotPlatform) -> str:
    return f"token:{platform.value}"


def webhook_context(platform: BotPlatform) -> str:
    return f"webhook-secret:{platform.value}"


@dataclass(frozen=True, slots=True)
class BotChange:
    """What setting a bot did: created, a new token (and webhook secret), or only its name."""

    bot_id: int
    created: bool
    token_changed: bool
    fingerprint: str  # its first 12 hex digits: enough to compare, shown to officials


class BotStore(Protocol):
    """Every hromada's bots, across hromadas (the runtime, the operator's CLI)."""

    async def hromada_id(self, slug: str) -> int:
        """Raises UnknownHromadaError."""
        ...

    async def put(
        self,
        hromada_id: int,
        platform: BotPlatform,
        token: str,
        *,
        username: str | None,
        now: datetime,
    ) -> BotChange:
        """Set (or replace) the hromada's bot on this platform; raises BotTokenTakenError."""
        ...

    async def remove(self, hromada_id: int, platform: BotPlatform) -> bool: ...

    async def all(self) -> list[Bot]:
        """Every hromada's bots with their secrets opened."""
        ...

    async def summaries(self, hromada_id: int) -> list[BotSummary]: ...
