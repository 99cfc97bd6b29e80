"""What every dialog step shares: the `Turn` it runs in, handler shapes, and action tables.

A leaf module: it imports no feature, so every feature (and the engine) can import it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from bot.ui import Action, Incoming, Reply
from core.citizens.model import Citizen, initial_locale
from core.kernel.unit_of_work import UnitOfWork

A = TypeVar("A", bound=Action)


@dataclass
class Turn:
    """Everything a dialog step may use: the incoming event, the citizen, the unit of work."""

    incoming: Incoming
    citizen: Citizen
    uow: UnitOfWork
    now: datetime
    is_new: bool
    default_locale: str
    ended: set[str] = field(default_factory=set)

    def end(self, key: str) -> None:
        """Drop a lasting dialog-state key for good (the draft was submitted or discarded)."""
        self.ended.add(key)
        self.citizen.dialog_state.pop(key, None)

    @property
    def locale(self) -> str:
        return self.citizen.effective_locale(
            initial_locale(self.incoming.language_hint, self.default_locale)
        )


Handler = Callable[[Turn], Awaitable[list[Reply]]]


@dataclass(frozen=True, slots=True)
class Route(Generic[A]):
    """One button action and the step that answers it with the decoded payload."""

    action: type[A]
    handler: Callable[[Turn, A], Awaitable[list[Reply]]]

    async def __call__(self, turn: Turn, payload: str) -> list[Reply]:
        return await self.handler(turn, self.action.unpack(payload))


def on(action: type[A], handler: Callable[[Turn, A], Awaitable[list[Reply]]]) -> Route[A]:
    """`on(Vote, vote)`: the handler's payload type is checked against the action."""
    return Route(action, handler)


class DuplicateActionError(ValueError):
    """Two actions claim one prefix: a button would reach the wrong screen."""


def compose(*tables: Iterable[Route[Any]]) -> Mapping[str, Route[Any]]:
    """The features' action tables as one prefix → route map, refusing a prefix used twice."""
    routes: dict[str, Route[Any]] = {}
    for table in tables:
        for route in table:
            prefix = route.action.PREFIX
            if prefix in routes:
                raise DuplicateActionError(
                    f"action prefix {prefix!r} is claimed by {routes[prefix].action.__name__} "
                    f"and {route.action.__name__}"
                )
            routes[prefix] = route
    return routes
