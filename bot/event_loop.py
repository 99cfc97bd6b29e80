"""How a Spilno process runs: uvloop's event loop where it exists, and a settled heap.

Both were measured on the webhook path (bench/telegram_inbound.py): the asyncio loop and the
garbage collector, not our code, were a large part of the CPU per update.
- uvloop (libuv) does the socket and scheduling work of asyncio in C. It is not built for
  Windows; there the standard loop runs, unchanged.
- `settle_heap`: once a process has imported everything and started, tens of thousands of
  long-lived objects (aiogram's and pydantic's models, SQLAlchemy's metadata) would otherwise
  be scanned by every full collection. gc.freeze() moves them out of the collector's sight;
  objects made afterwards are collected as before.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)`, on uvloop when it is installed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def settle_heap() -> None:
    """Call when start-up is over: collect its garbage once, freeze what survives."""
    gc.collect()
    gc.freeze()
