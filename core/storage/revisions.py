"""Where the schema is and where it should be, without Alembic.

Every CLI command checks the schema before it works; importing Alembic and loading every
migration script for that cost a quarter of a simple command's time. The heads are read from
the scripts' `revision` / `down_revision` lines, the database's revisions from Alembic's own
table; core/storage/migrate.py (Alembic itself) upgrades when they differ.
tests/integration/test_revisions.py checks both agree with Alembic.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

VERSIONS_DIR = Path(__file__).parent / "migrations" / "versions"

_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
# A revision, None, or a tuple of revisions over several lines (a merge).
_DOWN = re.compile(r"^down_revision\b[^=\n]*=\s*(\([^)]*\)|[^\n]+)", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@functools.cache
def head_revisions(versions: Path = VERSIONS_DIR) -> frozenset[str]:
    """The revisions no other script builds on (more than one while branches are unmerged)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        if down := _DOWN.search(source):
            parents.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions - parents)


async def database_revisions(engine: AsyncEngine) -> frozenset[str]:
    """The revisions the database is at; none when Alembic never ran on it."""
    async with engine.connect() as connection:
        try:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:  # no alembic_version table: an empty database
            return frozenset()
        return frozenset(row[0] for row in rows)
