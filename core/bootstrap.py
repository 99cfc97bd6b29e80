"""The one composition root: settings → engine → unit of work factory → services' ports."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from core.delivery.messengers import Messengers
from core.kernel import i18n
from core.kernel.unit_of_work import Clock, UnitOfWork

# Every CLI module names `App`; the storage stack (SQLAlchemy, the unit of work) and settings
# are imported when `bootstrap` runs, not with the name.
if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.config import Settings
    from core.hromadas.bots import BotStore


def utc_now() -> datetime:
    return datetime.now(UTC)


def _import_schema() -> None:
    # Every table module: the tables load with their repositories, and a write whose foreign
    # keys name one not loaded yet needs it (core/storage/foreign_keys.py).
    import core.storage.schema  # noqa: F401


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    # Units of work across every hromada: the delivery worker's claim, sweeps over all
    # hromadas, hromada management (core/storage/tenancy.py). None: same as uow_factory.
    operator_uow_factory: Callable[[], UnitOfWork] | None = None
    # Every running bot's Messenger, by (hromada, platform); bot/fleet.py keeps it current.
    messengers: Messengers = field(default_factory=Messengers)
    # Every hromada's bots (the `bots` table): the runtime serves them, the CLI sets them.
    # Built on first use (`bots`): most CLI commands touch no bot.
    bots_factory: Callable[[], BotStore] | None = None
    # Async callables run before each /metrics scrape (e.g. reading the outbox depth).
    metric_refreshers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def prepare_database(self, *, upgrade_any: bool = False) -> None:
        """SQLite (the embedded default) is upgraded on start; PostgreSQL only when asked."""
        from core.storage.db import is_sqlite

        if upgrade_any or is_sqlite(self.settings.database_url):
            from core.storage.migrate import upgrade  # Alembic: only when a schema may change

            await upgrade(self.engine)

    async def ping_database(self) -> None:
        """One trivial query; raises when the database cannot answer (health checks)."""
        from core.storage.db import ping

        await ping(self.engine)

    @functools.cached_property
    def bots(self) -> BotStore | None:
        return None if self.bots_factory is None else self.bots_factory()

    def operator_uow(self) -> UnitOfWork:
        return (self.operator_uow_factory or self.uow_factory)()

    async def aclose(self) -> None:
        await self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    clock: Clock = utc_now,
) -> App:
    from core.config import get_settings
    from core.storage import foreign_keys
    from core.storage.db import create_engine, create_session_factory
    from core.storage.unit_of_work import SqlUnitOfWork

    settings = settings or get_settings()
    engine = engine or create_engine(settings.database_url, pool_size=settings.db_pool_size)
    session_factory = create_session_factory(engine)
    foreign_keys.install(_import_schema)
    i18n.set_timezone(settings.tz)
    policies = settings.policies()
    app = App(
        settings=settings,
        engine=engine,
        uow_factory=lambda: SqlUnitOfWork(session_factory, policies),
        clock=clock,
        operator_uow_factory=lambda: SqlUnitOfWork(session_factory, policies, operator=True),
        bots_factory=lambda: _sql_bots(engine, settings),
    )
    app.metric_refreshers.append(lambda: _refresh_outbox_depth(app))
    return app


def _sql_bots(engine: AsyncEngine, settings: Settings) -> BotStore:
    from core.hromadas.bots import BotSecrets
    from core.hromadas.bots_sql import SqlBots

    return SqlBots(engine, BotSecrets(settings.secret()))


async def _refresh_outbox_depth(app: App) -> None:
    from core.delivery.model import OutboxStatus
    from core.kernel import metrics  # the Prometheus client: for `/metrics` only, not the CLI

    async with app.operator_uow() as uow:  # the installation's outbox, every hromada's rows
        depth = await uow.outbox.depth()
    for status in OutboxStatus:
        metrics.OUTBOX_ROWS.labels(status.value).set(depth.get(status.value, 0))
