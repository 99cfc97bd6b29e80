"""SqlUnitOfWork: one session, one transaction; rolls back unless committed.

The shared features' repositories are wired here; every campaign kind's come from its spec's
bindings (core/campaigns/registry.py), built on the same session.
"""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import Policies
from core.hromadas.policies import hromada_policies
from core.hromadas.scope import current_hromada_id
from core.kernel import i18n
from core.kernel.ports import P, Port
from core.kernel.unit_of_work import ConflictError, StorageUnavailableError
from core.storage.statements import CONNECTION_KEY
from core.storage.tenancy import scope_session

if TYPE_CHECKING:
    from core.audit.sql import SqlAuditRepository
    from core.campaigns.sql import SqlCampaignRepository
    from core.citizens.sql import SqlCitizenRepository, SqlResidentRepository
    from core.delivery.sql import SqlOutboxRepository, SqlSubscriptionRepository
    from core.hromadas.sql import SqlProfileRepository
    from core.officials.roles_sql import SqlOfficialRepository
    from core.officials.sql import SqlOfficialTokenRepository
    from core.organizations.sql import SqlOrganizationRepository
    from core.storage.merging import SqlMergeRepository
    from core.storage.resident_data import SqlResidentDataRepository
    from core.storage.tenancy import SqlTenantRepository
    from core.trust.sql import SqlOpenDataRepository


class SqlUnitOfWork:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        policies: Policies | None = None,
        *,
        operator: bool = False,
    ) -> None:
        """`operator`: work across every hromada (the delivery worker's claim, sweeps that span
        hromadas, hromada management); otherwise the unit of work sees and writes only the
        hromada current when it opens (core/hromadas/scope.py, core/storage/tenancy.py)."""
        self._session_factory = session_factory
        self._operator = operator
        self.operator = operator
        self._base_policies = policies or Policies()
        self.policies = self._base_policies
        self._session: AsyncSession | None = None
        self._kinds: dict[Port[Any], object] = {}

    # Every repository is built, and its module (SQL, tables) imported, on first use in each
    # unit of work: a command touches two or three of them, and importing and building all of
    # them (and every kind's) cost a third of a simple command's time.

    async def __aenter__(self) -> Self:
        await self._use_hromada_profile()
        session = self._session_factory()
        scope_session(session, operator=self._operator)
        self._session = session
        for name in _REPOSITORIES:  # a unit of work entered again builds them on its new session
            self.__dict__.pop(name, None)
        self._kinds = {}
        return self

    @property
    def _open_session(self) -> AsyncSession:
        if self._session is None:
            raise AttributeError("the unit of work is not open: use it in `async with`")
        return self._session

    @cached_property
    def citizens(self) -> SqlCitizenRepository:
        from core.citizens.sql import SqlCitizenRepository

        return SqlCitizenRepository(self._open_session)

    @cached_property
    def residents(self) -> SqlResidentRepository:
        from core.citizens.sql import SqlResidentRepository

        return SqlResidentRepository(self._open_session)

    @cached_property
    def merges(self) -> SqlMergeRepository:
        from core.storage.merging import SqlMergeRepository

        return SqlMergeRepository(self._open_session)

    @cached_property
    def campaigns(self) -> SqlCampaignRepository:
        from core.campaigns.sql import SqlCampaignRepository

        return SqlCampaignRepository(self._open_session)

    @cached_property
    def audit(self) -> SqlAuditRepository:
        from core.audit.sql import SqlAuditRepository

        return SqlAuditRepository(self._open_session)

    @cached_property
    def outbox(self) -> SqlOutboxRepository:
        from core.delivery.sql import SqlOutboxRepository

        return SqlOutboxRepository(self._open_session)

    @cached_property
    def subscriptions(self) -> SqlSubscriptionRepository:
        from core.delivery.sql import SqlSubscriptionRepository

        return SqlSubscriptionRepository(self._open_session)

    @cached_property
    def officials(self) -> SqlOfficialRepository:
        from core.officials.roles_sql import SqlOfficialRepository

        return SqlOfficialRepository(self._open_session)

    @cached_property
    def official_tokens(self) -> SqlOfficialTokenRepository:
        from core.officials.sql import SqlOfficialTokenRepository

        return SqlOfficialTokenRepository(self._open_session)

    @cached_property
    def organizations(self) -> SqlOrganizationRepository:
        from core.organizations.sql import SqlOrganizationRepository

        return SqlOrganizationRepository(self._open_session)

    @cached_property
    def open_data(self) -> SqlOpenDataRepository:
        from core.trust.sql import SqlOpenDataRepository

        return SqlOpenDataRepository(self._open_session)

    @cached_property
    def resident_data(self) -> SqlResidentDataRepository:
        from core.storage.resident_data import SqlResidentDataRepository

        return SqlResidentDataRepository(self._open_session)

    @cached_property
    def tenants(self) -> SqlTenantRepository:
        from core.storage.tenancy import SqlTenantRepository

        return SqlTenantRepository(self._open_session)

    @cached_property
    def profiles(self) -> SqlProfileRepository:
        from core.hromadas.sql import SqlProfileRepository

        return SqlProfileRepository(self._open_session)

    async def _use_hromada_profile(self) -> None:
        """The current hromada's profile (cached) and the rules it sets (issue 18)."""
        from core.hromadas.sql import load_current

        try:
            profile = await load_current(self._session_factory, current_hromada_id())
        except Exception as exc:
            _translate(exc)
            raise
        self.policies = hromada_policies(self._base_policies, profile.settings)
        i18n.use_hromada_timezone(profile.settings.timezone)

    def repository(self, port: Port[P]) -> P:
        """A kind's repository, built (and its SQL imported) the first time it is asked for."""
        found = self._kinds.get(port)
        if found is None:
            # Every kind's spec, imported with the first kind repository a command asks for.
            from core.campaigns.registry import KINDS

            found = self._kinds[port] = KINDS.binding(port).build(self._open_session)
        return cast(P, found)

    def __getattr__(self, name: str) -> object:
        """`uow.contests`: a kind's repository by its port's name (tests, benches, the REPL)."""
        if name.startswith("_") or self.__dict__.get("_session") is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        from core.campaigns.registry import KINDS

        for binding in KINDS.bindings():
            if binding.port.name == name:
                return self.repository(binding.port)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        self._session.info.pop(CONNECTION_KEY, None)
        try:
            await self._session.rollback()
        finally:
            await self._session.close()
            self._session = None
        _translate(exc)

    async def commit(self) -> None:
        assert self._session is not None
        self._session.info.pop(CONNECTION_KEY, None)
        try:
            await self._session.commit()
        except Exception as exc:
            _translate(exc)
            raise

    async def rollback(self) -> None:
        assert self._session is not None
        self._session.info.pop(CONNECTION_KEY, None)
        await self._session.rollback()


# The shared repositories (the cached properties above), dropped when a unit of work opens.
_REPOSITORIES = tuple(
    name for name, member in vars(SqlUnitOfWork).items() if isinstance(member, cached_property)
)


def _translate(exc: Any) -> None:
    """Re-raise storage failures as the core's typed errors (the core knows no SQLAlchemy)."""
    if isinstance(exc, IntegrityError):
        raise ConflictError(str(exc.orig)) from exc
    if isinstance(exc, InterfaceError | OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        if "database is locked" in str(exc):
            raise ConflictError(str(exc)) from exc
        raise StorageUnavailableError(
            str(exc.orig if isinstance(exc, DBAPIError) else exc)
        ) from exc
    if isinstance(exc, OSError | ConnectionError):
        raise StorageUnavailableError(str(exc)) from exc
