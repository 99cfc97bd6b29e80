"""The unit of work the services work through, composing every feature's repository port.

Each feature declares its port(s) in core/<feature>/ports.py and implements them in its sql.py;
`core.storage.unit_of_work.SqlUnitOfWork` puts them together on one session and transaction.
The shared features' repositories are attributes; a campaign kind's are reached by their typed
`Port` (`uow.repository(CONTESTS)`), bound in the kind's spec, so a new kind edits nothing here.
Services never see a session or a row: only these methods and the domain types they return.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

# The ports are annotations only: every module that names the unit of work (all services,
# every CLI module) would otherwise import every feature's ports and models with it.
if TYPE_CHECKING:
    from core.audit.ports import AuditRepository
    from core.campaigns.ports import CampaignRepository
    from core.citizens.data_ports import ResidentDataRepository
    from core.citizens.ports import CitizenRepository, MergeRepository, ResidentRepository
    from core.config import Policies
    from core.delivery.ports import OutboxRepository, SubscriptionRepository
    from core.hromadas.ports import ProfileRepository
    from core.hromadas.tenants import TenantRepository
    from core.kernel.ports import P, Port
    from core.officials.ports import OfficialTokenRepository
    from core.organizations.ports import OfficialRepository, OrganizationRepository
    from core.trust.ports import OpenDataRepository


class ConflictError(Exception):
    """A uniqueness race lost to a concurrent transaction; the whole unit of work may be retried."""


class StorageUnavailableError(Exception):
    """The database cannot be reached."""


class UnitOfWork(Protocol):
    citizens: CitizenRepository
    residents: ResidentRepository  # verification, link codes, officials' view (issue 16)
    merges: MergeRepository  # two citizens become one (core/storage/merging.py)
    campaigns: CampaignRepository
    audit: AuditRepository
    outbox: OutboxRepository
    subscriptions: SubscriptionRepository
    officials: OfficialRepository
    official_tokens: OfficialTokenRepository  # personal tokens (issue 19)
    organizations: OrganizationRepository
    open_data: OpenDataRepository
    resident_data: ResidentDataRepository
    tenants: TenantRepository  # the hromadas themselves (core/hromadas/tenants.py)
    profiles: ProfileRepository  # the hromada's profile (core/hromadas)
    policies: Policies  # deployment choices (quiet hours, premoderation), from core/bootstrap.py
    # True in an operator unit of work (App.operator_uow): no hromada filter, explicit ids only.
    operator: bool

    def repository(self, port: Port[P]) -> P:
        """A campaign kind's repository, by the port its spec binds (LookupError if none)."""
        ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
Clock = Callable[[], datetime]
