"""The profile of the hromada the code runs for, without a database round trip per read.

A unit of work loads it when it opens (core/storage/unit_of_work.py → `load_current`): from a
small cache keyed by database and hromada, refreshed at most a minute after another process
changed it, at once after `hromada apply` in this one. Code that is not async (a model's
checks, a dialog's button list) then reads `current_profile()`.

Before any unit of work has run in this task (or for a hromada with no profile yet) the
built-in profile answers (core/hromadas/default.py).
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from core.hromadas.default import default_profile
from core.hromadas.model import HromadaProfile
from core.hromadas.scope import current_hromada_id

REFRESH_S = 60.0

# (hromada id, its profile) as the last unit of work in this task loaded it.
_active: ContextVar[tuple[int, HromadaProfile] | None] = ContextVar(
    "spilno_hromada_profile", default=None
)
# (database, hromada id) -> (loaded at, monotonic seconds; the profile, None = none stored)
_cache: dict[tuple[str, int], tuple[float, HromadaProfile | None]] = {}


def current_profile() -> HromadaProfile:
    active = _active.get()
    if active is not None and active[0] == current_hromada_id():
        return active[1]
    return default_profile()


def use_profile(hromada_id: int, profile: HromadaProfile | None) -> HromadaProfile:
    chosen = profile if profile is not None else default_profile()
    _active.set((hromada_id, chosen))
    return chosen


def cached(database: str, hromada_id: int) -> tuple[bool, HromadaProfile | None]:
    """(found and fresh, the profile)."""
    entry = _cache.get((database, hromada_id))
    if entry is None or time.monotonic() - entry[0] > REFRESH_S:
        return False, None
    return True, entry[1]


def remember(database: str, hromada_id: int, profile: HromadaProfile | None) -> None:
    _cache[(database, hromada_id)] = (time.monotonic(), profile)


def forget(hromada_id: int | None = None) -> None:
    """After `hromada apply`: the next unit of work reads the profile again."""
    for key in list(_cache):
        if hromada_id is None or key[1] == hromada_id:
            del _cache[key]
    _active.set(None)
