"""SqlUnitOfWork: one session, one transaction; rolls back unless committed.

The shared features' repositories are wired here; every campaign kind's come from its spec's
bindings (core/campaigns/registry.py), built on the same session.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self, cast

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.sql import SqlAuditRepository
from core.campaigns.registry import KINDS
from core.campaigns.sql import SqlCampaignRepository
from core.citizens.sql import SqlCitizenRepository, SqlResidentRepository
from core.config import Policies
from core.delivery.sql import SqlOutboxRepository, SqlSubscriptionRepository
from core.hromadas.policies import hromada_policies
from core.hromadas.scope import current_hromada_id
from core.hromadas.sql import SqlProfileRepository, load_current
from core.kernel import i18n
from core.kernel.ports import P, Port
from core.kernel.unit_of_work import ConflictError, StorageUnavailableError
from core.officials.sql import SqlOfficialTokenRepository
from core.organizations.sql import SqlOfficialRepository, SqlOrganizationRepository
from core.storage.merging import SqlMergeRepository
from core.storage.resident_data import SqlResidentDataRepository
from core.storage.statements import CONNECTION_KEY
from core.storage.tenancy import SqlTenantRepository, scope_session
from core.trust.sql import SqlOpenDataRepository

BINDINGS = KINDS.bindings()


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

    async def __aenter__(self) -> Self:
        await self._use_hromada_profile()
        session = self._session_factory()
        scope_session(session, operator=self._operator)
        self._session = session
        self.citizens = SqlCitizenRepository(session)
        self.residents = SqlResidentRepository(session)
        self.merges = SqlMergeRepository(session)
        self.campaigns = SqlCampaignRepository(session)
        self.audit = SqlAuditRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.subscriptions = SqlSubscriptionRepository(session)
        self.officials = SqlOfficialRepository(session)
        self.official_tokens = SqlOfficialTokenRepository(session)
        self.organizations = SqlOrganizationRepository(session)
        self.open_data = SqlOpenDataRepository(session)
        self.resident_data = SqlResidentDataRepository(session)
        self.tenants = SqlTenantRepository(session)
        self.profiles = SqlProfileRepository(session)
        self._kinds = {binding.port: binding.build(session) for binding in BINDINGS}
        return self

    async def _use_hromada_profile(self) -> None:
        """The current hromada's profile (cached) and the rules it sets (issue 18)."""
        try:
            profile = await load_current(self._session_factory, current_hromada_id())
        except Exception as exc:
            _translate(exc)
            raise
        self.policies = hromada_policies(self._base_policies, profile.settings)
        i18n.use_hromada_timezone(profile.settings.timezone)

    def repository(self, port: Port[P]) -> P:
        try:
            return cast(P, self._kinds[port])
        except KeyError:
            raise LookupError(f"no campaign kind binds the repository {port.name!r}") from None

    def __getattr__(self, name: str) -> object:
        """`uow.contests`: a kind's repository by its port's name (tests, benches, the REPL)."""
        for port, repository in self.__dict__.get("_kinds", {}).items():
            if port.name == name:
                return repository
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
