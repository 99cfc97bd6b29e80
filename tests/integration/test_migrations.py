"""The migrations and the models describe the same schema, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from core.audit import service as audit_service
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
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
    from sqlalchemy import column, select, table

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
    # Only the columns 0007 had: the model's later columns (and their defaults) do not exist yet.
    then = table(
        "campaigns", *(column(c.name, c.type) for c in CampaignRow.__table__.c if c.name in rows[0])
    )
    async with app.engine.begin() as conn:
        await conn.execute(then.insert(), rows)
    await upgrade(app.engine)
    async with app.engine.connect() as conn:
        found = dict((await conn.execute(select(CampaignRow.kind, CampaignRow.send_results))).all())
    assert found == {"poll": False, "consultation": True, "contest": True}
    assert await current_revision(app.engine) == head_revision()


async def test_0011_lets_existing_campaigns_admit_everyone(app):
    """Campaigns of the previous release had no eligibility: after the upgrade they admit
    everyone, as they always did."""
    from alembic import command
    from sqlalchemy import text

    from core.campaigns.eligibility import EVERYONE
    from core.storage.migrate import alembic_config

    def downgrade(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0009_resident_profile")

    async with app.engine.begin() as conn:
        await conn.run_sync(downgrade)
        await conn.execute(
            text(
                "INSERT INTO campaigns (kind, title, description, status, results_visibility,"
                " created_at, created_by, updated_at, reminders, send_results)"
                " VALUES ('poll', 'Old poll', '', 'open', 'live', :now, 'm', :now, '', false)"
            ),
            {"now": app.clock()},
        )
    await upgrade(app.engine)
    async with app.uow_factory() as uow:
        (campaign,) = await uow.campaigns.list()
    assert campaign.title == "Old poll" and campaign.eligibility == EVERYONE
    assert await current_revision(app.engine) == head_revision()


async def test_0018_puts_everything_already_here_in_hromada_1_and_goes_back(app):
    """A database filled by the previous release (one city): after the upgrade every row is
    hromada 1's, nothing is lost, and the upgraded app reads it; the downgrade keeps it too."""
    from alembic import command
    from sqlalchemy import func, inspect, select, table, text

    from core.demo.polls import seed_demo_city
    from core.storage.migrate import alembic_config

    async with app.uow_factory() as uow:  # what the previous release would have written
        assert await seed_demo_city(uow, app.clock())
        resident, _new = await citizens.resolve_citizen(
            uow, IdentityRef("telegram", "555"), app.clock()
        )
        await uow.commit()

    def downgrade(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0017_hromadas")

    async def counts() -> dict[str, int]:
        found = {}
        async with app.engine.connect() as conn:
            for name in OWNED_TABLES:
                found[name] = (
                    await conn.execute(select(func.count()).select_from(table(name)))
                ).scalar_one()
        return found

    before = await counts()
    assert before["campaigns"] >= 5 and before["ideas"] > 0 and before["audit_log"] > 0
    async with app.engine.begin() as conn:
        await conn.run_sync(downgrade)
    assert await counts() == before
    async with app.engine.connect() as conn:
        columns = await conn.run_sync(
            lambda sync: [c["name"] for c in inspect(sync).get_columns("campaigns")]
        )
    assert "hromada_id" not in columns
    await upgrade(app.engine)
    assert await counts() == before
    async with app.engine.connect() as conn:
        for name in OWNED_TABLES:
            hromadas = (
                (await conn.execute(text(f"SELECT DISTINCT hromada_id FROM {name}")))
                .scalars()
                .all()
            )
            assert set(hromadas) <= {1}, name
    async with app.uow_factory() as uow:
        assert len(await uow.campaigns.list()) == before["campaigns"]
        found = await uow.citizens.find(IdentityRef("telegram", "555"))
        assert found is not None and found[0].id == resident.id
        assert (await audit_service.verify(uow)).ok
    assert await current_revision(app.engine) == head_revision()


OWNED_TABLES = (
    "citizens", "identities", "campaigns", "polls", "poll_options", "ideas", "idea_code_counters",
    "organizations", "org_events", "consultations", "consultation_questions", "contests",
    "audit_log", "audit_head", "broadcasts", "outbox", "processed_updates",
)  # fmt: skip
