"""Which worker process sends for a bot: one at a time.

A bot's cap (Telegram: ~30 messages in any one second) is counted where the platform receives
the sends. A process can keep that exactly for its own sends (it knows when each one left and
when its answer came back: `SendWindow` in worker.py), but not for sends another process makes
at the same moment, whose delays it never sees. So each bot is sent for by one process at a
time; the others take other bots. The shared budget in `delivery_platforms` still paces a bot
when it changes hands.

On PostgreSQL the hold is a session advisory lock on one connection of the process: a process
that dies or loses the connection lets go of its bots at once, with no lease to wait out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import zlib
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.delivery.messenger import BotKey

log = logging.getLogger(__name__)

# The first key of our advisory locks (pg_locks.classid): the delivery workers' own.
BOT_LOCKS = 0x5D1B0001
WORKER_LOCKS = 0x5D1B0002


class BotLocks(Protocol):
    exclusive: bool  # True: a held bot is sent for by this process alone

    async def hold(self, bot: BotKey) -> bool:
        """Take the bot for this process; False: another process sends for it."""
        ...

    async def release(self, bot: BotKey) -> None: ...

    async def workers(self) -> int:
        """How many worker processes share the bots (at least 1): each takes its share."""
        ...

    async def fewest_held(self) -> int:
        """The fewest bots any worker process holds: below its share, it would take one a
        process over its share gives back."""
        ...

    async def aclose(self) -> None: ...


class LocalBotLocks:
    """Bots held within this process only. `exclusive`: no other process sends for them (a
    single process: tests, the embedded SQLite `spilno run`); else, other processes may, and
    only the shared budget paces them together."""

    def __init__(self, *, exclusive: bool = True) -> None:
        self.exclusive = exclusive
        self._held: set[BotKey] = set()

    async def hold(self, bot: BotKey) -> bool:
        if bot in self._held:
            return False
        self._held.add(bot)
        return True

    async def release(self, bot: BotKey) -> None:
        self._held.discard(bot)

    async def workers(self) -> int:
        return 1

    async def fewest_held(self) -> int:
        return len(self._held)

    async def aclose(self) -> None:
        self._held.clear()


def lock_key(bot: BotKey) -> int:
    """The bot's advisory lock key: stable across processes and versions (not hash())."""
    return zlib.crc32(bot.budget.encode()) & 0x7FFFFFFF


class PostgresBotLocks:
    """Advisory locks on one connection of the worker process: one per bot it sends for, and
    one that tells the others it is alive (they count these to take fair shares)."""

    exclusive = True

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._held: set[BotKey] = set()
        self._me = uuid.uuid4().int & 0x7FFFFFFF
        self._busy = asyncio.Lock()  # one statement at a time on the one connection

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            conn = await self._engine.connect()
            try:
                # Session locks outlive transactions; never leave this one idle in a transaction.
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(
                    text("SELECT pg_advisory_lock(:ns, :me)"), {"ns": WORKER_LOCKS, "me": self._me}
                )
            except BaseException:
                await conn.close()
                raise
            self._conn = conn
        return self._conn

    async def _lost(self) -> None:
        """The connection failed: its locks are gone with it (the server released them)."""
        log.warning("the delivery worker lost its bot locks; it takes bots again")
        conn, self._conn = self._conn, None
        self._held.clear()
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()
            with contextlib.suppress(Exception):
                await conn.close()

    async def hold(self, bot: BotKey) -> bool:
        async with self._busy:
            return await self._hold(bot)

    async def _hold(self, bot: BotKey) -> bool:
        if bot in self._held:
            return False
        try:
            conn = await self._connection()
            got = (
                await conn.execute(
                    text("SELECT pg_try_advisory_lock(:ns, :key)"),
                    {"ns": BOT_LOCKS, "key": lock_key(bot)},
                )
            ).scalar_one()
        except Exception:
            await self._lost()
            return False
        if got:
            self._held.add(bot)
        return bool(got)

    async def release(self, bot: BotKey) -> None:
        async with self._busy:
            await self._release(bot)

    async def _release(self, bot: BotKey) -> None:
        if bot not in self._held:
            return
        self._held.discard(bot)
        if self._conn is None:
            return
        try:
            await self._conn.execute(
                text("SELECT pg_advisory_unlock(:ns, :key)"),
                {"ns": BOT_LOCKS, "key": lock_key(bot)},
            )
        except Exception:
            await self._lost()

    async def workers(self) -> int:
        async with self._busy:
            return await self._workers()

    async def _workers(self) -> int:
        try:
            conn = await self._connection()
            count = (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND classid = :ns AND objsubid = 2 AND granted "
                        "AND database = (SELECT oid FROM pg_database "
                        "WHERE datname = current_database())"
                    ),
                    {"ns": WORKER_LOCKS},
                )
            ).scalar_one()
        except Exception:
            await self._lost()
            return 1
        return max(1, int(count))

    async def fewest_held(self) -> int:
        async with self._busy:
            try:
                conn = await self._connection()
                fewest = (
                    await conn.execute(
                        text(
                            "SELECT coalesce(min((SELECT count(*) FROM pg_locks b "
                            "WHERE b.locktype = 'advisory' AND b.classid = :bots "
                            "AND b.objsubid = 2 AND b.granted AND b.pid = w.pid)), 0) "
                            "FROM pg_locks w WHERE w.locktype = 'advisory' "
                            "AND w.classid = :workers AND w.objsubid = 2 AND w.granted "
                            "AND w.database = (SELECT oid FROM pg_database "
                            "WHERE datname = current_database())"
                        ),
                        {"bots": BOT_LOCKS, "workers": WORKER_LOCKS},
                    )
                ).scalar_one()
            except Exception:
                await self._lost()
                return 0
            return int(fewest)

    async def aclose(self) -> None:
        async with self._busy:
            await self._close()

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        self._held.clear()
        if conn is None:
            return
        try:
            # The connection goes back to the pool: its session locks must not go with it.
            await conn.execute(text("SELECT pg_advisory_unlock_all()"))
        except Exception:
            with contextlib.suppress(Exception):
                await conn.invalidate()
        with contextlib.suppress(Exception):
            await conn.close()
