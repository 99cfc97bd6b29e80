"""Many residents at once, set-based (PostgreSQL's generate_series), for delivery tests and
benchmarks: resident k gets Telegram chat id CHAT_BASE + k."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

CHAT_BASE = 500_000


async def seed_telegram_residents(engine: AsyncEngine, count: int, *, locale: str = "uk") -> None:
    async with engine.begin() as conn:
        first = (await conn.execute(text("SELECT coalesce(max(id), 0) FROM citizens"))).scalar()
        await conn.execute(
            text(
                "INSERT INTO citizens (hromada_id, locale, notifications, dialog_state, created_at)"
                " SELECT 1, :locale, 'instant', '{}', now() FROM generate_series(1, :n)"
            ),
            {"locale": locale, "n": count},
        )
        await conn.execute(
            text(
                "INSERT INTO identities (hromada_id, citizen_id, platform, external_id, reachable,"
                " created_at) SELECT 1, id, 'telegram', (:base + id)::text, true, now() FROM citizens"
                " WHERE id > :first"
            ),
            {"base": CHAT_BASE, "first": first},
        )
