"""The installation's operator (issue 18): `officials add NAME --role operator`, held in the
installation's own hromada, creates and lists hromadas and shows and applies any one's profile
— and is nobody's city admin for that. A city admin of another hromada can do none of it.
On SQLite and PostgreSQL, in English and Ukrainian."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.hromadas import service as hromadas
from core.hromadas.default import default_profile
from core.hromadas.profile_file import parse_profile
from core.hromadas.scope import in_hromada
from core.officials import service as officials
from core.officials import tokens
from core.officials.model import Grant, Permission, PermissionDeniedError, Role, allows
from core.storage.tenancy import OutOfScopeError
from tests.cli import cli_runner
from tests.databases import run_blocking
from tests.integration.test_hromada_profiles import ensure_hromada_one

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KYIV = EXAMPLES / "hromada-kyiv.yaml"
BILA_TSERKVA = EXAMPLES / "hromada-bila-tserkva.yaml"


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, mode=cli_mode)


@pytest.fixture
def hromada_one(app):
    run_blocking(ensure_hromada_one(app))


def test_the_operator_manages_hromadas_and_is_no_city_admin(cli, hromada_one, monkeypatch):
    # Hromada 1 ("main"): a city admin, who names the first operator.
    cli("--as", "mayor", "officials", "add", "mayor", "--role", "city_admin")
    added = cli("--as", "mayor", "officials", "add", "olena", "--role", "operator")
    assert "olena is now the installation's operator." in added.stdout
    assert "spl_" in added.stdout  # a personal token, as for every role
    # The operator creates a second hromada and lists both.
    created = cli("--as", "olena", "hromada", "create", "kyiv", "--file", str(KYIV))
    assert "Hromada kyiv created (id 2): Kyiv." in created.stdout
    listed = json.loads(cli("--as", "olena", "hromada", "list", "--json").stdout)
    assert [h["slug"] for h in listed] == ["main", "kyiv"]
    assert listed[1]["name"] == {"uk": "Київ", "en": "Kyiv"}
    # The city admin of hromada 1 is no operator.
    refused = cli("--as", "mayor", "hromada", "list", expect=1)
    assert refused.stderr.strip().splitlines() == [
        "spilno-admin: mayor is not the installation's operator, so may not manage the "
        "installation's hromadas; an operator can grant the role in the installation's own "
        "hromada (officials add NAME --role operator)"
    ]
    # …and the operator is no city admin of hromada 1.
    no_admin = cli(
        "--as", "olena", "--hromada", "main", "officials", "add", "x", "--role", "moderator",
        expect=1,
    )  # fmt: skip
    assert "olena's role does not allow them to manage officials' roles" in no_admin.stderr

    # Kyiv gets its own city admin (open mode there: it has no role yet).
    cli("--as", "mayor", "--hromada", "kyiv", "officials", "add", "bohdan", "--role", "city_admin")
    # Bohdan, city admin of Kyiv, may neither create nor list hromadas, nor touch hromada 1.
    for args in (
        ("--hromada", "kyiv", "hromada", "list"),
        ("--hromada", "kyiv", "hromada", "create", "lviv", "--file", str(KYIV)),
        ("--hromada", "main", "hromada", "show"),
        ("--hromada", "main", "hromada", "apply", "--file", str(KYIV), "--yes"),
    ):
        stranger = cli("--as", "bohdan", *args, expect=1)
        assert len(stranger.stderr.strip().splitlines()) == 1, args
        assert "bohdan is not the installation's operator" in stranger.stderr, args
    cli("--as", "bohdan", "--hromada", "main", "campaign", "list", expect=1)
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "uk")
    in_uk = cli("--as", "bohdan", "--hromada", "kyiv", "hromada", "list", expect=1)
    assert in_uk.stderr.strip().splitlines() == [
        "spilno-admin: bohdan не є оператором встановлення, тож не може керувати громадами "
        "встановлення; роль може надати оператор у власній громаді встановлення "
        "(officials add ІМʼЯ --role operator)"
    ]
    created_uk = cli("--as", "bohdan", "--hromada", "kyiv", "hromada", "create", "lviv",
                     "--file", str(KYIV), expect=1)  # fmt: skip
    assert "не є оператором встановлення" in created_uk.stderr
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "en")

    # The operator shows and applies Kyiv's profile without being Kyiv's official…
    shown = json.loads(
        cli("--as", "olena", "--hromada", "kyiv", "hromada", "show", "--json").stdout
    )
    assert shown["name"]["en"] == "Kyiv"
    applied = cli(
        "--as", "olena", "--hromada", "kyiv", "hromada", "apply", "--file", str(BILA_TSERKVA),
        "--yes",
    )  # fmt: skip
    assert "The profile is applied." in applied.stdout
    own = json.loads(cli("--as", "bohdan", "--hromada", "kyiv", "hromada", "show", "--json").stdout)
    assert own["name"]["en"] == "Bila Tserkva"
    kyiv_log = json.loads(cli("--as", "bohdan", "--hromada", "kyiv", "audit", "--json").stdout)
    assert [(e["action"], e["actor"]) for e in kyiv_log][:2] == [
        ("hromada.apply_profile", "olena"),
        ("official.grant", "mayor"),
    ]
    assert ("hromada.create", "olena") in [(e["action"], e["actor"]) for e in kyiv_log]
    main_log = cli("--as", "mayor", "--hromada", "main", "audit", "--json").stdout
    assert "hromada.create" in main_log and "hromada.apply_profile" not in main_log
    # …but runs none of Kyiv's campaign commands: Kyiv granted them no role, and their token
    # (hromada 1's) opens Kyiv for the operator's commands only.
    campaigns = cli("--as", "olena", "--hromada", "kyiv", "campaign", "list", expect=1)
    assert "your token is for another hromada than kyiv" in campaigns.stderr

    # The operator's role lives in hromada 1 only: one line, exit 2.
    elsewhere = cli(
        "--as", "bohdan", "--hromada", "kyiv", "officials", "add", "x", "--role", "operator",
        expect=2,
    )  # fmt: skip
    assert elsewhere.stderr.strip().splitlines() == [
        "spilno-admin: the operator's role is held in the installation's own hromada (its first "
        "one) only: grant it there, not in this hromada"
    ]
    # Once there is an operator, only an operator names another one.
    late = cli("--as", "mayor", "--hromada", "main", "officials", "add", "x", "--role", "operator",
               expect=1)  # fmt: skip
    assert "mayor is not the installation's operator" in late.stderr
    cli("--as", "olena", "--hromada", "main", "officials", "add", "taras", "--role", "operator")
    cli("--as", "taras", "hromada", "list")


def test_open_mode_lets_the_first_official_create_and_list(cli, hromada_one):
    """No role in hromada 1 yet: a single-city installation's first official grows it."""
    created = cli("--as", "anyone", "hromada", "create", "kyiv", "--file", str(KYIV))
    assert "Hromada kyiv created (id 2)" in created.stdout
    listed = json.loads(cli("--as", "anyone", "hromada", "list", "--json").stdout)
    assert [h["slug"] for h in listed] == ["main", "kyiv"]
    # A city admin in Kyiv does not end hromada 1's open mode.
    cli("--as", "anyone", "--hromada", "kyiv", "officials", "add", "b", "--role", "city_admin")
    cli("--as", "anyone", "hromada", "create", "lviv", "--file", str(KYIV))
    # A role in hromada 1 does.
    cli("--as", "anyone", "--hromada", "main", "officials", "add", "m", "--role", "moderator")
    cli("--as", "anyone", "hromada", "list", expect=1)


async def test_the_services_check_the_operator_against_hromada_one(app):
    await ensure_hromada_one(app)
    now = app.clock()
    async with app.uow_factory() as uow:  # hromada 1
        await officials.grant_city_role(
            uow, actor="system", official="olena", role=Role.OPERATOR, now=now
        )
        await uow.commit()
    async with app.operator_uow() as uow:
        kyiv = await hromadas.create(
            uow, "kyiv", parse_profile(KYIV.read_text()), actor="olena", now=now
        )
        await uow.commit()
    with in_hromada(kyiv):
        async with app.uow_factory() as uow:
            await officials.grant_city_role(
                uow, actor="system", official="bohdan", role=Role.CITY_ADMIN, now=now
            )
            await uow.commit()
        async with app.operator_uow() as uow:
            with pytest.raises(PermissionDeniedError) as refused:
                await hromadas.hromadas(uow, actor="bohdan")
            assert refused.value.reason == "not_an_operator"
            with pytest.raises(PermissionDeniedError):
                await hromadas.create(uow, "lviv", default_profile(), actor="bohdan", now=now)
            with pytest.raises(PermissionDeniedError):
                await hromadas.profile(uow, actor="bohdan")
            plan = await hromadas.apply(
                uow, parse_profile(BILA_TSERKVA.read_text()), actor="olena", now=now
            )
            assert plan.changes
            await uow.commit()
        async with app.uow_factory() as uow:  # scoped to Kyiv: hromada 1's roles are fenced off
            assert (await hromadas.profile(uow)).names.en == "Bila Tserkva"
            with pytest.raises(OutOfScopeError):
                await officials.require_operator(uow, "olena")
            # Its city admin applies its profile as before; the operator is none of its officials.
            await hromadas.apply(uow, parse_profile(KYIV.read_text()), actor="bohdan", now=now)
            with pytest.raises(PermissionDeniedError):
                await hromadas.apply(uow, default_profile(), actor="olena", now=now)
    async with app.operator_uow() as uow:
        # In an operator unit of work nothing filters: the roles of one hromada are asked by id.
        with pytest.raises(RuntimeError):
            await uow.officials.grants_of("olena")
        assert await uow.officials.grants_in(kyiv, "bohdan") == [Grant("bohdan", Role.CITY_ADMIN)]
        assert await uow.officials.grants_in(1, "bohdan") == []
    with in_hromada(kyiv):
        async with app.uow_factory() as uow:
            assert [e.action for e in await uow.audit.list()] == [
                "hromada.apply_profile",
                "official.grant",
                "hromada.create",
            ]
    async with app.uow_factory() as uow:
        assert [e.action for e in await uow.audit.list()] == ["hromada.create", "official.grant"]
        assert (await uow.audit.head())[0] == 2


def test_an_operator_is_no_city_admin_and_a_city_admin_no_operator():
    operator, admin = [Grant("o", Role.OPERATOR)], [Grant("a", Role.CITY_ADMIN)]
    assert allows(operator, Permission.MANAGE_HROMADAS)
    assert not any(allows(operator, p) for p in Permission if p is not Permission.MANAGE_HROMADAS)
    assert not allows(admin, Permission.MANAGE_HROMADAS)
    assert all(allows(admin, p) for p in Permission if p is not Permission.MANAGE_HROMADAS)


async def test_an_operators_token_carries_the_role_and_only_an_operator_rotates_it(app):
    await ensure_hromada_one(app)
    now = app.clock()
    async with app.uow_factory() as uow:  # hromada 1
        await officials.grant_city_role(
            uow, actor="system", official="mayor", role=Role.CITY_ADMIN, now=now
        )
        issued = await tokens.issue(
            uow, actor="mayor", official="olena", role=Role.OPERATOR, hromada_id=1, now=now
        )
        await officials.grant_city_role(
            uow, actor="mayor", official="olena", role=Role.OPERATOR, now=now
        )
        await uow.commit()
    assert issued is not None
    async with app.uow_factory() as uow:
        identity = await tokens.verify(uow, issued.token, now)
        assert (identity.official, identity.role) == ("olena", Role.OPERATOR)
        # The new token would go to the city admin: an operator's is an operator's to rotate.
        with pytest.raises(PermissionDeniedError) as refused:
            await tokens.rotate(uow, actor="mayor", official="olena", hromada_id=1, now=now)
        assert refused.value.reason == "not_an_operator"
        rotated = await tokens.rotate(uow, actor="olena", official="olena", hromada_id=1, now=now)
        assert rotated is not None and rotated.stored.role is Role.OPERATOR
