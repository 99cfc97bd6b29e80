"""The campaign-kind template's extension points: what one kind supplies, as a plain value.

The template (core/campaigns/service.py, pushes.py, core/scheduling/jobs.py) is written once and
asks a kind's `CampaignKindSpec` only for what differs: the words of its opening push, an extra
check when an official moves its window, what "closed before it ever opened" means for its own
state, whether the shared results push fits it, its results per district (the breakdown), and
its own scheduled sweep (phases, results).
Storage composes the rest from the specs: the schema (its tables module), the unit of work (its
repositories), the participation registry (who took part, its columns that hold citizens).
Specs are listed explicitly in core/campaigns/registry.py; nothing registers itself on import.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select

from core.campaigns.model import Campaign, CampaignKind
from core.hromadas.taxonomy import N_
from core.kernel.ports import P, Port
from core.kernel.unit_of_work import UnitOfWork

if TYPE_CHECKING:  # named by the specs; the registry is imported by services that use neither
    from core.campaigns.breakdown import KindBreakdown
    from core.campaigns.files import CampaignPlan, PlanParser  # pydantic
    from core.storage.contributions import Binding, CitizenReference

# (uow, campaign id, new opening, new closing): raise a ValidationError to refuse the window.
WindowCheck = Callable[[UnitOfWork, int, datetime | None, datetime | None], Awaitable[None]]
# (uow, campaign id, now): the kind's own state once its campaign closed without opening.
Settle = Callable[[UnitOfWork, int, datetime], Awaitable[None]]
# (uow, now) → the ids each step of the kind's sweep changed, e.g. (now voting, finished).
Sweep = Callable[[UnitOfWork, datetime], Awaitable[tuple[list[int], ...]]]
# campaign id → a single-column Select of the citizen ids who took part (duplicates are fine).
Participants = Callable[[int], Select[tuple[int]]]


@dataclass(frozen=True, slots=True)
class KindOpenData:
    """A kind's part of the open-data export (core/trust/open_data.py adds the manifest):
    its files (always `campaign.json`), the tally the manifest states, how many rows."""

    files: dict[str, bytes]
    tally: dict[str, Any] | None
    rows: int


# (uow, campaign, now, the campaign.json fields every kind shares) → its open data.
OpenData = Callable[[UnitOfWork, Campaign, datetime, dict[str, Any]], Awaitable[KindOpenData]]


@dataclass(frozen=True, slots=True)
class CampaignKindSpec:
    kind: CampaignKind
    # Headline of the "it is open" push (a msgid with {title}, translated when rendered).
    opened_headline: str = N_("📣 New: “{title}”")
    # The shared "closed, here are the results" push to participants. A kind whose outcome
    # is final only later (a contest's winners, a consultation's summary) sends its own from
    # `sweep` instead, in the words that fit it.
    results_on_close: bool = True
    # The kind opens and closes its campaigns by its own use cases (a petition: moderation
    # opens it, its answer or its period closes it), so the shared `campaign open / close /
    # edit / delete` refuse its campaigns rather than bypass them.
    own_lifecycle: bool = False
    check_window: WindowCheck | None = None
    settle_unannounced: Settle | None = None
    sweep: Sweep | None = None
    # Its results per group of participants (home district, verification level), for kinds
    # with a tally: `campaign results --by`, and each participant's district line in its
    # results push (the shared one, or its own from `sweep`).
    breakdown: KindBreakdown[Any] | None = None
    # Storage: its tables module (the schema Alembic and the tests see), its repositories on
    # the unit of work, who took part (reminders skip them, results go to them), and every
    # column of its tables that holds a citizen, with how it is merged and forgotten.
    tables: ModuleType | None = None
    repositories: tuple[Binding[Any], ...] = ()
    participants: Participants | None = None
    citizen_columns: tuple[CitizenReference, ...] = ()
    # Its YAML file (`spilno-admin <kind> create --file`), for kinds created from one.
    parse_file: PlanParser[CampaignPlan] | None = None
    # Its open data (`spilno-admin open-data export`), for a kind whose files the export does
    # not build itself; tools/recount.py must recount what it writes.
    open_data: OpenData | None = None


class KindRegistry:
    """The registered kinds, in order (their sweeps run and report in this order).

    `specs` may be a function returning them: the registry then imports the kinds (their
    services, tables and SQL) on first use, not when a module that names it is imported, so a
    command that touches no kind (`spilno-admin campaign list`) loads none of them."""

    def __init__(
        self, specs: Sequence[CampaignKindSpec] | Callable[[], Sequence[CampaignKindSpec]]
    ) -> None:
        self._load = specs if callable(specs) else None
        if not callable(specs):
            self._register(specs)

    def _register(self, specs: Sequence[CampaignKindSpec]) -> None:
        kinds = [s.kind for s in specs]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"campaign kind registered twice: {kinds}")
        ports = [b.port.name for s in specs for b in s.repositories]
        if len(set(ports)) != len(ports):
            raise ValueError(f"repository port registered twice: {ports}")
        self._specs = tuple(specs)
        self._by_kind = {s.kind: s for s in specs}
        self._by_port = {b.port: b for s in specs for b in s.repositories}

    def _ensure_loaded(self) -> None:
        if self._load is not None:
            load, self._load = self._load, None
            self._register(load())

    @property
    def specs(self) -> tuple[CampaignKindSpec, ...]:
        self._ensure_loaded()
        return self._specs

    def spec(self, kind: CampaignKind | str) -> CampaignKindSpec:
        self._ensure_loaded()
        try:
            return self._by_kind[CampaignKind(kind)]
        except (KeyError, ValueError):
            raise LookupError(f"campaign kind {kind!r} is not registered") from None

    def __iter__(self) -> Iterator[CampaignKindSpec]:
        return iter(self.specs)

    def bindings(self) -> tuple[Binding[Any], ...]:
        return tuple(b for s in self.specs for b in s.repositories)

    def binding(self, port: Port[P]) -> Binding[P]:
        """The binding of a kind's repository port (LookupError if no kind binds it)."""
        self._ensure_loaded()
        try:
            return self._by_port[port]
        except KeyError:
            raise LookupError(f"no campaign kind binds the repository {port.name!r}") from None

    def table_modules(self) -> tuple[ModuleType, ...]:
        return tuple(s.tables for s in self.specs if s.tables is not None)

    def participants(self) -> dict[str, Participants]:
        return {s.kind.value: s.participants for s in self.specs if s.participants is not None}

    def citizen_columns(self) -> tuple[CitizenReference, ...]:
        return tuple(ref for s in self.specs for ref in s.citizen_columns)
