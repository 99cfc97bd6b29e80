from __future__ import annotations

import os
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from core.bootstrap import App, bootstrap
from core.config import Settings
from core.hromadas import current as hromada_profiles
from tests.cli import CliMode
from tests.databases import (
    PostgresTestDatabase,
    SqliteTemplate,
    SqliteUnitOfWorkFactory,
    postgres_required,
    postgres_url,
)
from tests.fakes.clock import FakeClock
from tests.processes import AdminServers

BACKENDS = ["sqlite", "postgres"]
# The CLI in this process, or logged in to a real `spilno run --role web` (tests/cli.py).
CLI_MODES = ["local", "remote"]

# PostgreSQL installations need SPILNO_SECRET_KEY; the processes tests start inherit this one.
os.environ.setdefault("SPILNO_SECRET_KEY", "test-only-secret-key-0123456789abcdef")


@pytest.fixture(autouse=True)
def _no_cached_hromada_profile() -> None:
    """Tests share database URLs (PostgreSQL is emptied between them): each reads its own
    hromada profile, not one a previous test cached (core/hromadas/current.py)."""
    hromada_profiles.forget()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresTestDatabase]:
    database = PostgresTestDatabase(postgres_url())
    database.create()
    if database.unavailable_reason:
        message = (
            f"PostgreSQL at {database.server_url} is unreachable "
            f"({database.unavailable_reason}); PostgreSQL tests are SKIPPED. "
            "Set SPILNO_TEST_POSTGRES_URL, or SPILNO_REQUIRE_POSTGRES=1 to fail instead."
        )
        warnings.warn(message, stacklevel=1)
        database.unavailable_reason = message
    yield database
    database.drop()


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: SqliteTemplate
) -> AsyncIterator[str]:
    """A migrated, empty database: a fresh SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        yield sqlite_template.fresh(tmp_path)
        return
    yield await _fresh_postgres(request)


@pytest.fixture
async def sqlite_uow(
    tmp_path: Path, sqlite_template: SqliteTemplate
) -> AsyncIterator[SqliteUnitOfWorkFactory]:
    """A unit-of-work factory over a fresh copy of the migrated SQLite template (a file copy,
    no migration): fast enough for service and dialog tests."""
    factory = SqliteUnitOfWorkFactory(sqlite_template.fresh(tmp_path))
    yield factory
    await factory.aclose()


@pytest.fixture
async def postgres_database_url(request: pytest.FixtureRequest) -> str:
    """For the few tests that only make sense on PostgreSQL (e.g. cutting its TCP connection)."""
    return await _fresh_postgres(request)


async def _fresh_postgres(request: pytest.FixtureRequest) -> str:
    database: PostgresTestDatabase = request.getfixturevalue("postgres_database")
    if database.unavailable_reason:
        if postgres_required():
            pytest.fail("SPILNO_REQUIRE_POSTGRES=1 but " + database.unavailable_reason)
        pytest.skip(database.unavailable_reason)
    await database.truncate_all()
    return database.url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app(database_url: str, clock: FakeClock) -> AsyncIterator[App]:
    settings = Settings(database_url=database_url, default_locale="uk", _env_file=None)
    application = bootstrap(settings, clock=clock)
    yield application
    await application.aclose()


@pytest.fixture(scope="session")
def admin_servers(
    tmp_path_factory: pytest.TempPathFactory, postgres_database: PostgresTestDatabase
) -> Iterator[AdminServers]:
    """The remote mode's `spilno run --role web` processes, on the session's PostgreSQL
    database; started when a remote test first needs one, stopped at the end."""
    servers = AdminServers(tmp_path_factory.mktemp("spilno-web"), postgres_database.url)
    yield servers
    servers.stop()


@pytest.fixture(params=CLI_MODES)
def cli_mode(request: pytest.FixtureRequest) -> CliMode:
    """How the `admin` fixtures run `spilno-admin`: in-process, or over HTTP (PostgreSQL only:
    the sqlite+remote combinations are deselected below)."""
    if request.param == "local":
        return CliMode()
    mode = CliMode("remote", request.getfixturevalue("admin_servers"))
    request.node.spilno_cli_mode = mode
    return mode


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "local_only(reason): the test's assertions cannot hold over HTTP (its remote variant "
        "is deselected); say why",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Remote mode runs on PostgreSQL only, and not for tests marked local_only."""
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        remote = params.get("cli_mode") == "remote"
        if remote and (
            params.get("database_url") != "postgres" or item.get_closest_marker("local_only")
        ):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed remote test shows the log of the servers it talked to."""
    outcome = yield
    report = outcome.get_result()
    mode: CliMode | None = getattr(item, "spilno_cli_mode", None)
    if report.failed and mode is not None:
        for server in mode.used:
            report.sections.append(
                (f"spilno run --role web ({server.url}) log", server.log_tail(200))
            )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if any("is unreachable" in str(getattr(r, "longrepr", "")) for r in skipped):
        terminalreporter.write_sep(
            "!", "PostgreSQL tests were SKIPPED: no server reachable", red=True, bold=True
        )
