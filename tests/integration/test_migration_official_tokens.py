"""Migration 0020_official_tokens on a database filled by the previous release (SQLite and
PostgreSQL): roles and the audit log stay as they were, tokens can be issued for them at once,
and the downgrade removes only the tokens."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from core.officials import tokens
from core.officials.model import Role
from core.storage.migrate import alembic_config, current_revision, head_revision, upgrade


def _to(revision: str):
    def run(connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    return run


async def _tables(app) -> set[str]:
    async with app.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_0020_adds_tokens_beside_the_roles_already_granted(app):
    async with app.engine.begin() as conn:
        await conn.run_sync(_to("0019_profile"))
        await conn.execute(
            text(
                "INSERT INTO official_roles (hromada_id, official, role, scope, org_id, granted_by,"
                " granted_at) VALUES (1, 'mayor', 'city_admin', 'city', NULL, 'system', :now),"
                " (1, 'olha', 'moderator', 'city', NULL, 'mayor', :now)"
            ),
            {"now": app.clock()},
        )
    assert "official_tokens" not in await _tables(app)
    await upgrade(app.engine)
    assert await current_revision(app.engine) == head_revision()
    async with app.uow_factory() as uow:
        assert {(g.official, g.role) for g in await uow.officials.all_grants()} == {
            ("mayor", Role.CITY_ADMIN),
            ("olha", Role.MODERATOR),
        }
        assert await tokens.list_tokens(uow, 1) == []
        # Her role from before the upgrade is what her first token carries.
        issued = await tokens.rotate(
            uow, actor="mayor", official="olha", hromada_id=1, now=app.clock()
        )
        await uow.commit()
    assert issued is not None
    async with app.uow_factory() as uow:
        identity = await tokens.verify(uow, issued.token, app.clock())
    assert (identity.official, identity.role, identity.hromada_id) == ("olha", Role.MODERATOR, 1)

    async with app.engine.begin() as conn:
        await conn.run_sync(_to("0019_profile"))
    assert "official_tokens" not in await _tables(app)
    assert {"official_roles", "hromadas"} <= await _tables(app)
    await upgrade(app.engine)
    assert await current_revision(app.engine) == head_revision()
