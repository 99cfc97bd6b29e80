"""Storage imports a feature's tables with the repository that uses them (issue 19): a process
may hold a table whose foreign keys name tables it never imported. Writing one must still work
(core/storage/foreign_keys.py, installed by bootstrap, imports the rest of the schema before
the ORM orders the write)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.databases import SqliteTemplate

ROOT = Path(__file__).resolve().parents[2]

_WRITE = """
import asyncio, sys
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from core.bootstrap import bootstrap
from core.config import Settings
from core.polls.tables import BallotRow
from core.storage.base import Base
from core.storage.db import create_session_factory
from core.storage.tenancy import scope_session


async def main() -> None:
    app = bootstrap(Settings(database_url=sys.argv[1], _env_file=None))
    assert "citizens" not in Base.metadata.tables, "the probe must start with a dangling key"
    session = create_session_factory(app.engine)()
    scope_session(session, operator=True)
    now = datetime.now(UTC)
    session.add(
        BallotRow(hromada_id=1, campaign_id=999, citizen_id=999, created_at=now, updated_at=now)
    )
    try:
        await session.flush()
    except IntegrityError:  # the database's own check: no poll 999, no citizen 999
        print("ORDERED")
    finally:
        await session.close()
        await app.aclose()
    print("citizens" in Base.metadata.tables)


asyncio.run(main())
"""


def test_a_write_naming_tables_not_yet_imported_reaches_the_database(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPILNO_")}
    done = subprocess.run(
        [sys.executable, "-c", _WRITE, sqlite_template.fresh(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ORDERED", "True"]
