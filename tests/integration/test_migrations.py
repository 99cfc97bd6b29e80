"""The migrations and the models describe the same schema, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from core.storage.migrate import current_revision, head_revision, upgrade
from core.storage.schema import metadata


async def test_the_test_database_is_at_head_and_matches_the_models(app):
    assert await current_revision(app.engine) == head_revision()

    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, metadata)

    async with app.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_upgrading_twice_is_harmless(app):
    await upgrade(app.engine)
    assert await current_revision(app.engine) == head_revision()
