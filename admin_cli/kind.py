"""What one campaign kind's CLI module contributes to the shared commands and tables.

Each kind's module (admin_cli/polls.py, …) exports one `CliKind`; admin_cli/kinds.py lists them
once, and app.py (its commands), words.py (its words), errors.py (its error texts) and
campaign_results.py (`campaign show` / `campaign results`) compose them from that list.
A leaf module: it imports no CLI module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import typer
from rich.console import Console

from core.campaigns.model import Campaign, CampaignKind
from core.kernel.errors import SpilnoError
from core.kernel.i18n import _

if TYPE_CHECKING:  # annotations only: the storage stack is not for a remote command
    from core.campaigns.breakdown import ResultsBreakdown
    from core.kernel.unit_of_work import UnitOfWork

R = TypeVar("R")
Params = Mapping[str, object]
Text = Callable[[Params], str]
ErrorKey = tuple[type[SpilnoError], str]


def invalid(reason: str) -> str:
    return _("invalid input ({reason})").format(reason=reason)


def failed(code: str) -> str:
    return _("the operation failed ({code})").format(code=code)


def as_invalid(reason: str) -> Text:
    """Reasons an official meets only through a file or a setting, which say it themselves."""
    return lambda p: invalid(reason)


def as_failed(error_type: type[SpilnoError]) -> Text:
    """Residents' refusals (a vote, an answer): a command never causes them."""
    return lambda p: failed(error_type.code)


def own(error_type: type[SpilnoError]) -> ErrorKey:
    """The key of an error raised without a reason (its reason is its code)."""
    return (error_type, error_type.code)


@dataclass(frozen=True, slots=True)
class KindResults(Generic[R]):
    """`campaign results` for one kind: read them (officials see them at any time), then each
    format. PNG files are the kind's `charts`; a table written to a file is `as_text`, or JSON."""

    load: Callable[[UnitOfWork, int, datetime], Awaitable[R]]
    as_dict: Callable[[R], dict[str, object]]
    as_csv: Callable[[R], str]
    print_table: Callable[[R], None]
    charts: Callable[[R], list[bytes]]
    as_text: Callable[[R], str] | None = None


@dataclass(frozen=True, slots=True)
class KindBreakdownView(Generic[R]):
    """`campaign results --by` for one kind: each format of its results per group (the core
    spec's `breakdown` reads them). PNG: the kind's charts for every group, one file each."""

    as_dict: Callable[[ResultsBreakdown[R]], dict[str, object]]
    as_csv: Callable[[ResultsBreakdown[R]], str]
    print_table: Callable[[ResultsBreakdown[R]], None]
    charts: Callable[[ResultsBreakdown[R]], list[bytes]]


@dataclass(frozen=True, slots=True)
class KindDetails:
    """`campaign show` for one kind: its fields as a dict (`--json`), and how they print."""

    load: Callable[[UnitOfWork, Campaign, datetime], Awaitable[dict[str, object]]]
    print: Callable[[Console, dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class CliKind:
    kind: CampaignKind
    name: str  # a msgid: how officials call the kind ("contest")
    commands: tuple[tuple[str, typer.Typer], ...]  # `spilno-admin <name> …`
    # Words for its own codes: its enums (walked by tests/unit/test_cli_words.py), its audit
    # actions and objects, its push kinds ("contest.winners").
    enum_words: tuple[tuple[type[StrEnum], Mapping[str, str]], ...] = ()
    audit_actions: Mapping[str, str] = field(default_factory=dict)
    audit_objects: Mapping[str, str] = field(default_factory=dict)
    # Its tables that hold residents' participation (`residents show`), table → msgid.
    participation: Mapping[str, str] = field(default_factory=dict)
    push_kinds: Mapping[str, str] = field(default_factory=dict)
    # Texts for the errors only this kind raises, keyed like admin_cli/errors.py's TEXTS, and
    # those only residents (or its file's own error line) meet: their code is enough here.
    error_texts: Mapping[ErrorKey, Text] = field(default_factory=dict)
    residents_only: tuple[ErrorKey, ...] = ()
    details: KindDetails | None = None
    results: KindResults[Any] | None = None
    # A kind counted by a rule its file chooses (a public budget): the same results with every
    # rule's outcome side by side, for `campaign results --compare-rules` before publishing.
    compare: KindResults[Any] | None = None
    # Its results per group of participants (`campaign results --by district|verification`),
    # for a kind whose core spec has a `breakdown`.
    breakdown: KindBreakdownView[Any] | None = None
