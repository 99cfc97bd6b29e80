"""Reading a repository's search page by page: the screens' lists and the officials' exports.

`search(offset, limit)` is any repository read that takes an offset and a limit; one page asks
for one row more than it shows, so that the screen knows whether to offer "Next".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
Search = Callable[[int, int], Awaitable[list[T]]]
EXPORT_BATCH = 1000


async def one_page(search: Search[T], *, page: int, page_size: int) -> tuple[list[T], bool]:
    """One page (a negative page reads as the first) and whether there is a next one."""
    found = await search(max(page, 0) * page_size, page_size + 1)
    return found[:page_size], len(found) > page_size


async def read_all(search: Search[T], *, batch: int = EXPORT_BATCH) -> list[T]:
    """Every row, read in batches of `batch` (exports)."""
    out: list[T] = []
    while True:
        found = await search(len(out), batch)
        out.extend(found)
        if len(found) < batch:
            return out
