"""Hromada profiles on SQLite and PostgreSQL: migration 0018 seeds the districts and topics
that were constants, applying a file retires what records use and deletes the rest, and
`spilno-admin hromada` shows, applies (after confirmation), creates and lists, in English and
Ukrainian."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from core.bootstrap import App, bootstrap
from core.campaigns.eligibility import Eligibility
from core.citizens import home_district as homes
from core.citizens import service as citizens
from core.citizens import subscriptions
from core.citizens.model import IdentityRef
from core.config import Settings
from core.hromadas import current
from core.hromadas import service as hromadas
from core.hromadas.default import default_profile
from core.hromadas.model import ProfileChange
from core.hromadas.profile_file import parse_profile
from core.hromadas.scope import in_hromada
from core.hromadas.sql import load_current
from core.hromadas.taxonomy import district_name, is_district, is_topic
from core.ideas import service as ideas
from core.ideas.model import NewIdea
from core.kernel.i18n import use_locale
from core.polls import service as polls
from core.storage.db import create_session_factory
from core.storage.migrate import current_revision, head_revision, upgrade
from core.storage.tenancy import OutOfScopeError
from tests.cli import cli_runner
from tests.databases import run_blocking

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KYIV = EXAMPLES / "hromada-kyiv.yaml"
BILA_TSERKVA = EXAMPLES / "hromada-bila-tserkva.yaml"


async def ensure_hromada_one(app: App) -> None:
    """PostgreSQL tests empty every table between tests, hromadas too: give it back."""
    async with app.engine.begin() as conn:
        if (await conn.execute(text("SELECT 1 FROM hromadas WHERE id = 1"))).first() is None:
            await conn.execute(
                text("INSERT INTO hromadas (id, slug, created_at) VALUES (1, 'main', :now)"),
                {"now": datetime.now(UTC)},
            )
            if app.engine.dialect.name == "postgresql":
                await conn.execute(
                    text("SELECT setval(pg_get_serial_sequence('hromadas', 'id'), 1)")
                )


async def records_in(app: App) -> None:
    """An idea in Rotok on greenery, a resident living in Hayok who follows Zarichchia and
    safety, a poll only for Pishchanyi."""
    async with app.uow_factory() as uow:
        now = app.clock()
        author, _ = await citizens.resolve_citizen(uow, IdentityRef("telegram", "1"), now)
        await ideas.submit_idea(
            uow, NewIdea(author.id, "Лавки", "Більше лавок", "greenery", "rotok"), now=now
        )
        await homes.set_home_district(uow, author, "hayok", now)
        await subscriptions.toggle(uow, author, "district", "zarichchia")
        await subscriptions.toggle(uow, author, "topic", "safety")
        await polls.create_poll(
            uow,
            question="Де сквер?",
            options=["Тут", "Там"],
            actor="m",
            now=now,
            eligibility=Eligibility(districts=("pishchanyi",)),
        )
        await uow.commit()


async def test_applying_kyiv_retires_what_records_use_and_deletes_the_rest(app):
    await ensure_hromada_one(app)
    await records_in(app)
    async with app.uow_factory() as uow:
        plan = await hromadas.apply(
            uow, parse_profile(KYIV.read_text()), actor="mayor", now=app.clock()
        )
        await uow.commit()
    whats = {(c.entry, c.code): c.what for c in plan.changes}
    for code in ("rotok", "hayok", "zarichchia", "pishchanyi"):
        assert whats[("district", code)] == "retired_in_use", code
    assert whats[("district", "center")] == "deleted"
    assert ("topic", "greenery") not in whats  # Kyiv has it too, unchanged
    async with app.uow_factory() as uow:
        stored = await hromadas.profile(uow)
        assert stored == plan.profile
        assert stored.names.uk == "Київ"
        # Retired: still named for the records, no longer offered.
        assert not is_district("rotok") and is_district("obolonskyi")
        with use_locale("uk"):
            assert district_name("rotok") == "Роток"
        with use_locale("en"):
            assert district_name("obolonskyi") == "Obolonskyi"
        assert is_topic("safety")
        assert uow.policies.ideas.support_threshold == 500
    # Applying the same file again changes nothing.
    async with app.uow_factory() as uow:
        assert (await hromadas.plan_apply(uow, parse_profile(KYIV.read_text()))).changes == ()
    # Bila Tserkva back: the retired districts come back into use.
    async with app.uow_factory() as uow:
        back = await hromadas.apply(
            uow, parse_profile(BILA_TSERKVA.read_text()), actor="mayor", now=app.clock()
        )
        await uow.commit()
    assert ProfileChange("district", "rotok", "restored") in back.changes
    assert ProfileChange("district", "center", "added", None, "Центр / Center") in back.changes


async def test_a_new_hromada_gets_its_own_profile(app):
    await ensure_hromada_one(app)
    # Creating and listing hromadas is the operator's work, across hromadas.
    async with app.operator_uow() as uow:
        hromada_id = await hromadas.create(
            uow, "kyiv", parse_profile(KYIV.read_text()), actor="mayor", now=app.clock()
        )
        await uow.commit()
    async with app.operator_uow() as uow:
        found = {h.slug: h for h in await hromadas.hromadas(uow, actor="mayor")}
        assert found["kyiv"].id == hromada_id
        assert found["kyiv"].profile is not None and found["kyiv"].profile.names.en == "Kyiv"
        assert (await hromadas.profile(uow, hromada_id, actor="mayor")).district(
            "podilskyi"
        ) is not None
        # Hromada 1 keeps its own.
        assert (await hromadas.profile(uow, 1, actor="mayor")).district("center") is not None
        with pytest.raises(hromadas.HromadaProfileError):
            await hromadas.create(uow, "kyiv", default_profile(), actor="m", now=app.clock())
    async with app.uow_factory() as uow:  # scoped to hromada 1
        assert (await hromadas.profile(uow)).district("center") is not None
        # Another hromada's profile is not silently "none" behind the fences: it is refused.
        with pytest.raises(OutOfScopeError):
            await hromadas.profile(uow, hromada_id)
        with pytest.raises(OutOfScopeError):
            await uow.profiles.hromadas()
        with pytest.raises(OutOfScopeError):
            await uow.profiles.create_hromada("lviv", app.clock())
    with in_hromada(hromada_id):
        async with app.uow_factory() as uow:  # scoped to the new one: its own profile
            assert (await hromadas.profile(uow)).names.en == "Kyiv"


async def test_0019_seeds_hromada_one_from_the_constants_with_data_in_place(app):
    """A database filled by the previous release: its records keep their district and topic
    codes, and the profile migration 0019 writes names every one of them."""
    from alembic import command

    from core.storage.migrate import alembic_config

    await ensure_hromada_one(app)

    def downgrade(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0018_tenancy")

    async with app.engine.begin() as conn:
        await conn.run_sync(downgrade)
        await conn.execute(
            text(
                "INSERT INTO citizens (hromada_id, locale, notifications, dialog_state,"
                " created_at, home_district) VALUES (1, 'uk', 'instant', '{}', :now,"
                " 'zarichchia')"
            ),
            {"now": datetime.now(UTC)},
        )
    await upgrade(app.engine)
    assert await current_revision(app.engine) == head_revision()
    async with app.uow_factory() as uow:
        assert await uow.profiles.load(1) == default_profile()
        assert ("district", "zarichchia") in await uow.profiles.codes_in_use(1)


# --- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, official="mayor", mode=cli_mode)


@pytest.fixture
def hromada_one(app):
    run_blocking(ensure_hromada_one(app))


def test_show_apply_list_create_in_english(admin, hromada_one, monkeypatch):
    shown = admin("hromada", "show")
    assert "Hromada: Біла Церква" not in shown.stdout  # English reader: the English name
    assert "Hromada: Bila Tserkva" in shown.stdout and "Zarichchia" in shown.stdout

    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))  # the official answers no
    refused = admin("hromada", "apply", "--file", str(KYIV))
    assert "district holosiivskyi: added (Голосіївський / Holosiivskyi)" in refused.stdout
    assert "district center: deleted (no record uses it)" in refused.stdout
    assert "Nothing was changed." in refused.stdout
    assert json.loads(admin("hromada", "show", "--json").stdout)["name"]["en"] == "Bila Tserkva"

    applied = admin("hromada", "apply", "--file", str(KYIV), "--yes")
    assert "The profile is applied." in applied.stdout
    data = json.loads(admin("hromada", "show", "--json").stdout)
    assert data["name"] == {"uk": "Київ", "en": "Kyiv"}
    assert [d["code"] for d in data["districts"]][:2] == ["city", "holosiivskyi"]
    again = admin("hromada", "apply", "--file", str(KYIV), "--yes")
    assert "Nothing to change" in again.stdout

    created = admin("hromada", "create", "bila-tserkva", "--file", str(BILA_TSERKVA))
    assert "Hromada bila-tserkva created (id 2): Bila Tserkva." in created.stdout
    listed = json.loads(admin("hromada", "list", "--json").stdout)
    assert [h["slug"] for h in listed] == ["main", "bila-tserkva"]

    # Two hromadas now: the audit log is per hromada. The creation is in both logs.
    actions = admin("--hromada", "main", "audit", "--json").stdout
    assert "hromada.apply_profile" in actions and "hromada.create" in actions
    created_log = json.loads(admin("--hromada", "bila-tserkva", "audit", "--json").stdout)
    assert [e["action"] for e in created_log] == ["hromada.create"]


def test_in_ukrainian(admin, hromada_one, monkeypatch):
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "uk")
    shown = admin("hromada", "show")
    assert "Громада: Біла Церква" in shown.stdout
    assert "як у налаштуваннях встановлення" in shown.stdout
    applied = admin("hromada", "apply", "--file", str(KYIV), "--yes")
    assert "район holosiivskyi: додано (Голосіївський / Holosiivskyi)" in applied.stdout
    assert "Профіль застосовано." in applied.stdout
    bad = admin("hromada", "create", "Kyiv!", "--file", str(KYIV), expect=2)
    assert "не коротка назва громади" in bad.stderr


def test_a_bad_file_is_one_line_with_its_line_number_and_nothing_is_applied(
    admin, hromada_one, tmp_path
):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        KYIV.read_text().replace("{code: podilskyi,", "{code: podilskyi, parent: podil,"),
        encoding="utf-8",
    )
    line = next(
        i for i, row in enumerate(bad.read_text().splitlines(), 1) if "parent: podil" in row
    )
    failed = admin("hromada", "apply", "--file", str(bad), "--yes", expect=2)
    assert failed.stderr.strip().splitlines() == [
        f"spilno-admin: {bad}:{line}: districts[8].parent: "
        "parent 'podil' is not another district of this file"
    ]
    typo = tmp_path / "typo.yaml"
    typo.write_text(KYIV.read_text().replace("digest_hour:", "digest_houre:"), encoding="utf-8")
    failed = admin("hromada", "apply", "--file", str(typo), "--yes", expect=2)
    assert "digest_houre: unknown field (check the spelling)" in failed.stderr
    missing = admin("hromada", "apply", "--file", str(tmp_path / "nope.yaml"), expect=2)
    assert "there is no such file" in missing.stderr
    assert json.loads(admin("hromada", "show", "--json").stdout)["name"]["uk"] == "Біла Церква"


async def test_row_level_security_shows_a_role_without_superuser_only_its_hromadas_profile(
    postgres_database_url, clock
):
    """On PostgreSQL the profile tables fail closed: a role that is no superuser (as the app
    runs in production) sees no row until a transaction names its hromada, as the profile
    loader does."""
    admin_app = bootstrap(Settings(database_url=postgres_database_url, _env_file=None), clock=clock)
    role = f"spilno_rls_{uuid.uuid4().hex[:8]}"
    try:
        await ensure_hromada_one(admin_app)
        async with admin_app.uow_factory() as uow:
            await hromadas.apply(
                uow, parse_profile(KYIV.read_text()), actor="m", now=admin_app.clock()
            )
            await uow.commit()
        async with admin_app.engine.begin() as conn:
            await conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            await conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
        url = postgres_database_url.replace("postgres@", f"{role}@", 1)
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                unscoped = await conn.execute(text("SELECT count(*) FROM hromada_districts"))
                assert unscoped.scalar_one() == 0
            current.forget()  # read through this role, not from the cache
            profile = await load_current(create_session_factory(engine), 1)
            assert profile.names.en == "Kyiv" and profile.district("podilskyi") is not None
        finally:
            await engine.dispose()
    finally:
        async with admin_app.engine.begin() as conn:
            await conn.execute(text(f'DROP OWNED BY "{role}"'))
            await conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        await admin_app.aclose()
