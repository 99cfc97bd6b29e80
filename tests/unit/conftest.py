from __future__ import annotations

import pytest

from bot.dialogs import Dialogs
from tests.databases import SqliteUnitOfWorkFactory


@pytest.fixture
def factory(sqlite_uow: SqliteUnitOfWorkFactory) -> SqliteUnitOfWorkFactory:
    return sqlite_uow


@pytest.fixture
def dialogs(factory: SqliteUnitOfWorkFactory, clock) -> Dialogs:
    """The chat engine over a fresh SQLite copy, in Ukrainian until the resident picks."""
    return Dialogs(factory, clock=clock, default_locale="uk")
