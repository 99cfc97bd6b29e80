"""Migration 0021_bots on a database the previous release filled: the push already queued
belongs to the first hromada (and goes out through its bot); the bots table starts empty."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from core.hromadas.bots import BotPlatform
from core.storage.migrate import alembic_config, current_revision, head_revision, upgrade


async def test_0021_gives_queued_pushes_the_first_hromada(app):
    def downgrade(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0020_official_tokens")

    now = app.clock()
    async with app.engine.begin() as conn:
        await conn.run_sync(downgrade)
        await conn.execute(
            text(
                "INSERT INTO citizens (id, hromada_id, notifications, dialog_state, created_at)"
                " VALUES (7, 1, 'instant', '{}', :now)"
            ),
            {"now": now},
        )
        await conn.execute(
            text(
                "INSERT INTO identities (id, hromada_id, citizen_id, platform, external_id,"
                " reachable, created_at) VALUES (70, 1, 7, 'telegram', '9001', true, :now)"
            ),
            {"now": now},
        )
        await conn.execute(
            text(
                "INSERT INTO broadcasts (id, hromada_id, kind, audience, bulk, payloads, total,"
                " created_at) VALUES (5, 1, 'announcement', 'all', true, '{}', 1, :now)"
            ),
            {"now": now},
        )
        await conn.execute(
            text(
                "INSERT INTO outbox (hromada_id, broadcast_id, identity_id, citizen_id, platform,"
                " external_id, status, due_at, attempts)"
                " VALUES (1, 5, 70, 7, 'telegram', '9001', 'pending', :now, 0)"
            ),
            {"now": now},
        )
    await upgrade(app.engine)
    assert await current_revision(app.engine) == head_revision()
    async with app.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT hromada_id, external_id FROM outbox"))).all()
    assert [tuple(r) for r in rows] == [(1, "9001")]
    # It is claimed as the first hromada's Telegram bot's row.
    async with app.uow_factory() as uow:
        claimed = await uow.outbox.claim(
            "telegram", hromada_id=1, limit=10, now=now, lease_until=now, worker="w"
        )
        assert [m.external_id for m in claimed] == ["9001"]
        assert (
            await uow.outbox.claim(
                "telegram", hromada_id=2, limit=10, now=now, lease_until=now, worker="w"
            )
            == []
        )
    assert app.bots is not None and await app.bots.all() == []
    change = await app.bots.put(
        1, BotPlatform.TELEGRAM, "1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
        username=None, now=now,
    )  # fmt: skip
    assert change.created
