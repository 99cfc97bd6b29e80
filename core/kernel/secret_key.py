"""The installation's secret key (`SPILNO_SECRET_KEY`): keyed hashes of phone numbers, link
codes and the pseudonyms in exports, so that a database dump or an export alone reveals none.

Required with PostgreSQL (production). The embedded SQLite default generates one on first use
and keeps it beside the database file (`spilno.db.key`, mode 0600), so the bot and the CLI on
one machine share it; an in-memory database gets a key for the life of the process.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

from core.kernel.errors import SettingsError
from core.kernel.redaction import register_secret

MIN_KEY_LENGTH = 32


class SecretKey:
    """A key loaded on first use (most commands never need it) and then kept."""

    def __init__(self, loader: Callable[[], str]) -> None:
        self._loader = loader
        self._material: bytes | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, value: str) -> SecretKey:
        return cls(lambda: value)

    @classmethod
    def ephemeral(cls) -> SecretKey:
        """A random key for this process only (tests, in-memory databases)."""
        value = secrets.token_urlsafe(32)
        return cls(lambda: value)

    def material(self) -> bytes:
        with self._lock:
            if self._material is None:
                value = self._loader()
                if len(value) < MIN_KEY_LENGTH:
                    raise SettingsError(
                        f"SPILNO_SECRET_KEY must be at least {MIN_KEY_LENGTH} characters "
                        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
                    )
                register_secret(value)
                self._material = value.encode()
            return self._material

    def digest(self, purpose: str, value: str) -> str:
        """HMAC-SHA-256 of `value` as hex; `purpose` separates uses (a phone hash can never
        equal a pseudonym of the same text)."""
        message = purpose.encode() + b"\x00" + value.encode()
        return hmac.new(self.material(), message, hashlib.sha256).hexdigest()

    def pseudonym(self, scope: str, value: str, length: int = 12) -> str:
        """A stable pseudonym of `value` within `scope` (e.g. one campaign's export),
        unlinkable across scopes without the key."""
        return self.digest(f"pseudonym:{scope}", value)[:length]


def matches(expected_hex: str, actual_hex: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(expected_hex.encode(), actual_hex.encode())


def key_file_for(database: Path) -> Path:
    return database.with_name(database.name + ".key")


def load_or_create_key_file(path: Path) -> str:
    """The key kept in `path`, created (mode 0600) when there is none yet.

    Two processes starting at once both try O_EXCL; the loser reads the winner's key.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path)
    except OSError as error:
        raise SettingsError(
            f"SPILNO_SECRET_KEY is not set and {path} cannot be created ({error.strerror})"
        ) from None
    value = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def _read_key_file(path: Path) -> str:
    for _ in range(50):  # the creator may not have written it yet
        try:
            value = path.read_text().strip()
        except OSError as error:
            raise SettingsError(
                f"SPILNO_SECRET_KEY is not set and {path} cannot be read ({error.strerror})"
            ) from None
        if value:
            return value
        threading.Event().wait(0.02)
    raise SettingsError(f"SPILNO_SECRET_KEY is not set and {path} is empty")
