"""The installation's secret key: where it comes from, and that its uses stay apart."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.config import Settings
from core.kernel.errors import SettingsError
from core.kernel.redaction import redact
from core.kernel.secret_key import SecretKey, matches

KEY = "k" * 40


def test_set_key_is_used_and_masked() -> None:
    key = Settings(secret_key=KEY, database_url="postgresql+asyncpg://u@h/db").secret()
    assert key.digest("phone", "+380501234567") == SecretKey.of(KEY).digest(
        "phone", "+380501234567"
    )
    assert redact(f"key={KEY}") == "key=***"


def test_postgres_without_key_is_one_line_naming_the_setting(monkeypatch) -> None:
    monkeypatch.delenv("SPILNO_SECRET_KEY", raising=False)
    key = Settings(database_url="postgresql+asyncpg://u@h/db", _env_file=None).secret()
    with pytest.raises(SettingsError, match="SPILNO_SECRET_KEY is required with PostgreSQL"):
        key.material()


def test_short_key_is_refused() -> None:
    with pytest.raises(SettingsError, match="at least 32 characters"):
        SecretKey.of("short-key-1234").material()


def test_sqlite_key_is_generated_once_beside_the_database(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SPILNO_SECRET_KEY", raising=False)
    url = f"sqlite+aiosqlite:///{tmp_path / 'spilno.db'}"
    first = Settings(database_url=url, _env_file=None).secret()
    second = Settings(database_url=url, _env_file=None).secret()
    assert first.digest("phone", "x") == second.digest("phone", "x")
    key_file = tmp_path / "spilno.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 32


def test_in_memory_sqlite_gets_a_process_key(monkeypatch) -> None:
    monkeypatch.delenv("SPILNO_SECRET_KEY", raising=False)
    key = Settings(database_url="sqlite+aiosqlite://", _env_file=None).secret()
    assert len(key.digest("phone", "x")) == 64


def test_purposes_and_scopes_do_not_collide() -> None:
    key = SecretKey.of(KEY)
    assert key.digest("phone", "7") != key.digest("link-code", "7")
    assert key.pseudonym("campaign:1", "7") != key.pseudonym("campaign:2", "7")
    assert key.pseudonym("campaign:1", "7") == key.pseudonym("campaign:1", "7")
    assert SecretKey.of("o" * 40).pseudonym("campaign:1", "7") != key.pseudonym("campaign:1", "7")
    assert matches(key.digest("phone", "7"), key.digest("phone", "7"))
    assert not matches(key.digest("phone", "7"), key.digest("phone", "8"))
