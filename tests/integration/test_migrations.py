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


async def test_0008_keeps_results_going_out_for_existing_consultations_and_contests(app):
    """A database filled by the previous release: its consultations and contests always sent
    their results, so after the upgrade their send_results says so; polls keep theirs."""
    from alembic import command
    from sqlalchemy import select

    from core.campaigns.tables import CampaignRow
    from core.storage.migrate import alembic_config

    def downgrade(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0007_outbox_chat_pace")

    async with app.engine.begin() as conn:
        await conn.run_sync(downgrade)
    now = app.clock()
    rows = [
        {"kind": kind, "send_results": False, "title": kind, "description": "",
         "status": "open", "results_visibility": "live", "created_at": now,
         "created_by": "m", "updated_at": now, "reminders": ""}
        for kind in ("poll", "consultation", "contest")
    ]  # fmt: skip
    async with app.engine.begin() as conn:
        await conn.execute(CampaignRow.__table__.insert(), rows)
    await upgrade(app.engine)
    async with app.engine.connect() as conn:
        found = dict((await conn.execute(select(CampaignRow.kind, CampaignRow.send_results))).all())
    assert found == {"poll": False, "consultation": True, "contest": True}
    assert await current_revision(app.engine) == head_revision()
