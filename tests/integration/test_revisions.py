"""The CLI's schema check without Alembic (core/storage/revisions.py) agrees with Alembic."""

from __future__ import annotations

from pathlib import Path

from core.storage.db import create_engine
from core.storage.migrate import current_revision, head_revision
from core.storage.revisions import database_revisions, head_revisions


def test_heads_are_alembics() -> None:
    assert head_revisions() == head_revision()


def test_a_merge_and_a_branch_are_read_like_alembic_reads_them(tmp_path: Path) -> None:
    scripts = {
        "a.py": 'revision: str = "a"\ndown_revision: str | None = None\n',
        "b.py": "revision = 'b'\ndown_revision = 'a'\n",
        "c.py": 'revision = "c"\ndown_revision = "a"\n',
        "d.py": 'revision = "d"\ndown_revision: tuple[str, ...] = (\n    "b",\n    "c",\n)\n',
        "e.py": 'revision = "e"\ndown_revision = "a"  # a branch still open\n',
    }
    for name, source in scripts.items():
        (tmp_path / name).write_text(source)
    assert head_revisions(tmp_path) == {"d", "e"}


async def test_the_database_revision_is_alembics(database_url: str, tmp_path: Path) -> None:
    engine = create_engine(database_url)
    try:
        assert await database_revisions(engine) == await current_revision(engine)
        assert await database_revisions(engine) == head_revision()
    finally:
        await engine.dispose()
    empty = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        assert await database_revisions(empty) == frozenset()
    finally:
        await empty.dispose()
