"""The compiled catalogs kept between processes (core/kernel/i18n.py): used when they match
the catalog, compiled afresh when it changed, and never needed (a read-only home still works)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.kernel import i18n

MSGID = "No campaigns yet. Create one with: spilno-admin poll create …"


@pytest.fixture(autouse=True)
def fresh_catalogs() -> Iterator[None]:
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


def _ukrainian() -> str:
    with i18n.use_locale("uk"):
        return i18n.gettext(MSGID)


def test_the_compiled_catalog_is_kept_and_used(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = _ukrainian()
    assert expected != MSGID
    (kept,) = (tmp_path / "spilno").glob("messages-uk-*.mo")
    # What is read next time is the kept file: proven by a doctored one.
    kept.write_bytes(_doctored(kept.read_bytes(), expected))
    i18n.translations.cache_clear()
    assert _ukrainian() == "X" * len(expected.encode())


def test_a_changed_catalog_is_compiled_afresh(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _ukrainian()
    (kept,) = (tmp_path / "spilno").glob("messages-uk-*.mo")
    kept.rename(kept.with_name("messages-uk-000000000000000000000000.mo"))  # another catalog's
    i18n.translations.cache_clear()
    assert _ukrainian() != MSGID
    assert len(list((tmp_path / "spilno").glob("messages-uk-*.mo"))) == 2


def test_without_a_writable_cache_the_catalog_is_compiled_in_memory(
    tmp_path: Path, monkeypatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _ukrainian() != MSGID
    assert not list(tmp_path.glob("**/*.mo"))


def _doctored(compiled: bytes, translation: str) -> bytes:
    """The .mo with one translation's bytes replaced by as many X (offsets stay valid)."""
    original = translation.encode()
    assert compiled.count(original) == 1
    return compiled.replace(original, b"X" * len(original))
