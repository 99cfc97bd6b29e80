"""Typed keys for the repositories a campaign kind brings to the unit of work.

A kind declares `CONTESTS: Port[ContestRepository] = Port("contests", ContestRepository)` in its
ports.py, and its services ask `uow.repository(CONTESTS)`: the type checker knows what comes
back, and a misspelt port is a NameError at import. The kind's spec binds the port to its SQL
implementation (core/campaigns/kinds.py), so the unit of work needs no edit for a new kind;
tests/unit/test_kind_template.py checks each binding implements its port's Protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

P = TypeVar("P")


@dataclass(frozen=True, slots=True, eq=False)
class Port(Generic[P]):
    """One repository port; compared by identity, so two kinds' ports never collide."""

    name: str  # also `uow.<name>`, for tests and the REPL
    # The Protocol itself, so a test can check what a kind binds to the port implements it.
    protocol: type[object]
