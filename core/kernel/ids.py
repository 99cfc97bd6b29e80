"""Database ids as people type them: the range every table's id column can hold."""

from __future__ import annotations

# PostgreSQL's bigint and SQLite's INTEGER are signed 64-bit; 0 and below are never ids.
ID_MAX = 2**63 - 1


def parse_id(text: str) -> int | None:
    """The id written in `text` (ASCII digits, 1..ID_MAX), or None when it cannot be one.

    `str.isdigit()` alone is not enough: it accepts '²' and other digits `int()` refuses.
    """
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= ID_MAX else None
