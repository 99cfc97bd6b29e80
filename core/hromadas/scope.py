"""Which hromada the code running now acts for.

The edge that knows sets it: a bot update for the bot's hromada, a CLI command for
`--hromada`, the scheduler for each hromada in turn. A unit of work opened under it scopes its
transaction to that hromada (on PostgreSQL also by row-level security). Unset, it is the first
hromada, so a single-city installation behaves exactly as before hromadas existed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The hromada migration 0017 gives an installation's existing data.
DEFAULT_HROMADA_ID = 1

_current: ContextVar[int] = ContextVar("spilno_hromada", default=DEFAULT_HROMADA_ID)


def current_hromada_id() -> int:
    return _current.get()


def set_hromada(hromada_id: int) -> None:
    """For the rest of this task (an update's handler, a CLI command)."""
    _current.set(hromada_id)


@contextmanager
def in_hromada(hromada_id: int) -> Iterator[None]:
    token = _current.set(hromada_id)
    try:
        yield
    finally:
        _current.reset(token)
