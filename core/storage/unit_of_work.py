"""SqlUnitOfWork: one session, one transaction; rolls back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.sql import SqlAuditRepository
from core.campaigns.sql import SqlCampaignRepository
from core.citizens.sql import SqlCitizenRepository, SqlResidentRepository
from core.config import Policies
from core.consultations.sql import SqlConsultationRepository
from core.contests.sql import SqlContestRepository
from core.delivery.sql import SqlOutboxRepository, SqlSubscriptionRepository
from core.ideas.sql import SqlIdeaRepository
from core.kernel.unit_of_work import ConflictError, StorageUnavailableError
from core.organizations.sql import SqlOfficialRepository, SqlOrganizationRepository
from core.polls.sql import SqlBallotRepository
from core.storage.merging import SqlMergeRepository
from core.storage.statements import CONNECTION_KEY


class SqlUnitOfWork:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], policies: Policies | None = None
    ) -> None:
        self._session_factory = session_factory
        self.policies = policies or Policies()
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        session = self._session_factory()
        self._session = session
        self.citizens = SqlCitizenRepository(session)
        self.residents = SqlResidentRepository(session)
        self.merges = SqlMergeRepository(session)
        self.campaigns = SqlCampaignRepository(session)
        self.ballots = SqlBallotRepository(session)
        self.audit = SqlAuditRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.subscriptions = SqlSubscriptionRepository(session)
        self.consultations = SqlConsultationRepository(session)
        self.contests = SqlContestRepository(session)
        self.ideas = SqlIdeaRepository(session)
        self.officials = SqlOfficialRepository(session)
        self.organizations = SqlOrganizationRepository(session)
        return self

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
