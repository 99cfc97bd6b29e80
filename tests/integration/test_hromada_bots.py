"""A hromada's bots: tokens sealed at rest, one bot per hromada and platform, one hromada per
bot; and `spilno-admin hromada set-bot` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from core.bootstrap import App
from core.hromadas.bots import (
    BadBotTokenError,
    BotPlatform,
    BotSecrets,
    BotTokenTakenError,
    UnknownHromadaError,
    check_token,
    masked,
)
from core.hromadas.bots_sql import SqlBots
from core.kernel.secret_key import SecretKey
from tests.cli import cli_runner

TOKEN_A = "1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
TOKEN_B = "7654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
VIBER_TOKEN = "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9"


def secrets(key: str = "k" * 40) -> BotSecrets:
    return BotSecrets(SecretKey.of(key))


def test_a_sealed_token_opens_with_the_key_and_context_it_was_sealed_with():
    sealed = secrets().seal(TOKEN_A, context="token:telegram")
    assert TOKEN_A.encode() not in sealed
    assert secrets().open(sealed, context="token:telegram") == TOKEN_A
    with pytest.raises(ValueError):
        secrets("x" * 40).open(sealed, context="token:telegram")  # another installation's key
    with pytest.raises(ValueError):
        secrets().open(sealed, context="token:viber")  # copied to another platform's row
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(ValueError):
        secrets().open(tampered, context="token:telegram")
    # Random nonces: the same token never seals to the same bytes twice.
    assert secrets().seal(TOKEN_A, context="c") != secrets().seal(TOKEN_A, context="c")


def test_token_shapes_and_masks():
    assert check_token(BotPlatform.TELEGRAM, f"  {TOKEN_A}\n") == TOKEN_A
    assert check_token(BotPlatform.VIBER, VIBER_TOKEN) == VIBER_TOKEN
    for platform, bad in [
        (BotPlatform.TELEGRAM, "hello"),
        (BotPlatform.TELEGRAM, VIBER_TOKEN),
        (BotPlatform.TELEGRAM, TOKEN_A + " extra"),
        (BotPlatform.VIBER, TOKEN_A),
    ]:
        with pytest.raises(BadBotTokenError):
            check_token(platform, bad)
    assert masked(TOKEN_A) == "1234567:…aw0"
    assert TOKEN_A[10:30] not in masked(TOKEN_A)
    assert masked(VIBER_TOKEN) == "445d…im9"


async def add_hromada(app: App, slug: str) -> int:
    async with app.engine.begin() as conn:
        return (
            await conn.execute(
                text("INSERT INTO hromadas (slug, created_at) VALUES (:s, :t) RETURNING id"),
                {"s": slug, "t": app.clock()},
            )
        ).scalar_one()


async def test_the_database_keeps_no_token_and_one_bot_serves_one_hromada(app: App):
    store = SqlBots(app.engine, BotSecrets(app.settings.secret()))
    lviv = await add_hromada(app, "lviv")
    first = await store.put(1, BotPlatform.TELEGRAM, TOKEN_A, username="main_bot", now=app.clock())
    assert first.created
    await store.put(lviv, BotPlatform.TELEGRAM, TOKEN_B, username=None, now=app.clock())
    await store.put(lviv, BotPlatform.VIBER, VIBER_TOKEN, username="lviv", now=app.clock())

    # A dump of the table: no token, no webhook secret, in any column.
    async with app.engine.connect() as conn:
        if app.engine.dialect.name == "postgresql":
            await conn.execute(text("SELECT set_config('spilno.operator', 'on', false)"))
        dump = repr((await conn.execute(text("SELECT * FROM bots"))).all())
    bots = await store.all()
    assert len(bots) == 3
    for bot in bots:
        assert bot.token not in dump
        assert bot.token.encode().hex() not in dump.lower()
        assert bot.webhook_secret not in dump
    by_key = {(b.hromada_id, b.platform): b for b in bots}
    assert by_key[(1, BotPlatform.TELEGRAM)].token == TOKEN_A
    assert by_key[(lviv, BotPlatform.VIBER)].token == VIBER_TOKEN
    assert TOKEN_A not in repr(bots)

    # The same bot cannot serve a second hromada.
    with pytest.raises(BotTokenTakenError):
        await store.put(lviv, BotPlatform.TELEGRAM, TOKEN_A, username=None, now=app.clock())
    # Setting the same token again changes nothing; a new token gets a new webhook secret.
    again = await store.put(1, BotPlatform.TELEGRAM, TOKEN_A, username=None, now=app.clock())
    assert (again.created, again.token_changed) == (False, False)
    before = by_key[(lviv, BotPlatform.TELEGRAM)]
    other = "1111111:CCHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    replaced = await store.put(lviv, BotPlatform.TELEGRAM, other, username=None, now=app.clock())
    assert replaced.token_changed and replaced.bot_id == before.id
    after = {(b.hromada_id, b.platform): b for b in await store.all()}[(lviv, BotPlatform.TELEGRAM)]
    assert after.token == other and after.webhook_secret != before.webhook_secret
    # The old token is free again; a bot can be removed.
    await store.put(lviv, BotPlatform.TELEGRAM, TOKEN_B, username=None, now=app.clock())
    assert await store.remove(lviv, BotPlatform.VIBER)
    assert not await store.remove(lviv, BotPlatform.VIBER)
    assert {(b.hromada_id, b.platform) for b in await store.all()} == {
        (1, BotPlatform.TELEGRAM),
        (lviv, BotPlatform.TELEGRAM),
    }
    with pytest.raises(UnknownHromadaError):
        await store.hromada_id("nowhere")


async def test_row_level_security_hides_bots_from_other_hromadas(app: App):
    if app.engine.dialect.name != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    store = SqlBots(app.engine, BotSecrets(app.settings.secret()))
    lviv = await add_hromada(app, "lviv")
    await store.put(1, BotPlatform.TELEGRAM, TOKEN_A, username=None, now=app.clock())
    await store.put(lviv, BotPlatform.TELEGRAM, TOKEN_B, username=None, now=app.clock())
    async with app.engine.connect() as conn:
        # A role that does not bypass RLS (the superuser running the tests would).
        await conn.execute(text("CREATE ROLE spilno_bots_reader NOLOGIN"))
        try:
            await conn.execute(text("GRANT SELECT ON bots TO spilno_bots_reader"))
            await conn.execute(text("SET ROLE spilno_bots_reader"))
            await conn.execute(
                text("SELECT set_config('spilno.hromada_id', :h, false)"), {"h": str(lviv)}
            )
            seen = (await conn.execute(text("SELECT hromada_id FROM bots"))).scalars().all()
            await conn.execute(text("RESET ROLE"))
        finally:
            await conn.rollback()
    assert seen == [lviv]


# ---- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def run(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, official="olena", mode=cli_mode)


async def bots_of(database_url: str) -> list:
    from core.bootstrap import bootstrap
    from core.config import Settings

    app = bootstrap(Settings(database_url=database_url, _env_file=None))
    try:
        assert app.bots is not None
        return await app.bots.all()
    finally:
        await app.aclose()


def test_set_bot_from_a_file_and_the_environment_never_prints_the_token(
    run, database_url, tmp_path: Path, monkeypatch
):
    from tests.databases import run_blocking

    (tmp_path / "telegram.token").write_text(TOKEN_A + "\n")
    monkeypatch.setenv("CITY_VIBER_TOKEN", VIBER_TOKEN)
    done = run(
        "hromada", "set-bot", "main",
        "--telegram-token-file", "telegram.token", "--telegram-username", "@city_bot",
        "--viber-token-env", "CITY_VIBER_TOKEN",
    )  # fmt: skip
    assert "main: Telegram bot set (token 1234567:…aw0, fingerprint " in done.stdout
    assert "main: Viber bot set (token 445d…im9" in done.stdout
    assert TOKEN_A not in done.stdout + done.stderr
    assert VIBER_TOKEN not in done.stdout + done.stderr
    bots = {b.platform: b for b in run_blocking(bots_of(database_url))}
    assert bots[BotPlatform.TELEGRAM].token == TOKEN_A
    assert bots[BotPlatform.TELEGRAM].username == "city_bot"
    assert bots[BotPlatform.VIBER].token == VIBER_TOKEN

    again = run("hromada", "set-bot", "main", "--telegram-token-file", "telegram.token", "--json")
    [row] = json.loads(again.stdout)
    assert row["created"] is False and row["new_token"] is False and row["token"] == "1234567:…aw0"

    removed = run("hromada", "set-bot", "main", "--remove-viber")
    assert "main: Viber bot removed." in removed.stdout
    assert [b.platform for b in run_blocking(bots_of(database_url))] == [BotPlatform.TELEGRAM]

    # Both changes are in the audit log, without the token.
    from tests.cli import in_db

    async def entries(uow, _now):
        return await uow.audit.list(limit=10)

    logged = in_db(database_url, entries)
    actions = [e.action for e in logged]
    assert "hromada.set_bot" in actions and "hromada.remove_bot" in actions
    assert all(e.actor == "olena" for e in logged if e.action.startswith("hromada."))
    assert TOKEN_A not in repr(logged) and VIBER_TOKEN not in repr(logged)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--telegram-token-file", "bad.token"], "does not look like a Telegram bot token"),
        (["--viber-token-file", "telegram.token"], "does not look like a Viber bot token"),
        (["--telegram-token-file", "missing.token"], "there is no such file"),
        (["--telegram-token-env", "NOT_SET_ANYWHERE"], "NOT_SET_ANYWHERE is not set or empty"),
        (
            ["--telegram-token-file", "telegram.token", "--telegram-token-env", "X"],
            "not both",
        ),
        ([], "give a bot token"),
    ],
)
def test_set_bot_refuses_bad_input_with_one_line(run, tmp_path: Path, args, says):
    (tmp_path / "telegram.token").write_text(TOKEN_A)
    (tmp_path / "bad.token").write_text("12:" + TOKEN_A)
    refused = run("hromada", "set-bot", "main", *args, expect=2)
    assert says in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert TOKEN_A not in refused.stderr


def test_set_bot_refuses_an_unknown_hromada_and_a_bot_of_another(run, database_url, tmp_path: Path):
    from tests.databases import run_blocking

    (tmp_path / "telegram.token").write_text(TOKEN_A)
    refused = run("hromada", "set-bot", "kyiv", "--telegram-token-file", "telegram.token", expect=2)
    assert "no hromada kyiv" in refused.stderr

    async def add_lviv() -> None:
        from core.bootstrap import bootstrap
        from core.config import Settings

        app = bootstrap(Settings(database_url=database_url, _env_file=None))
        try:
            await add_hromada(app, "lviv")
        finally:
            await app.aclose()

    run_blocking(add_lviv())
    run("hromada", "set-bot", "main", "--telegram-token-file", "telegram.token")
    taken = run("hromada", "set-bot", "lviv", "--telegram-token-file", "telegram.token", expect=2)
    assert "this Telegram bot already serves another hromada" in taken.stderr
    assert TOKEN_A not in taken.stderr


def test_only_the_installations_operator_sets_a_bot(run, tmp_path: Path):
    """A bot's token is the key to a hromada's residents: once roles exist, a city admin who
    is not the operator is refused, and nothing is stored."""
    (tmp_path / "telegram.token").write_text(TOKEN_A)
    run("--as", "mayor", "officials", "add", "mayor", "--role", "city_admin")
    refused = run(
        "--as", "mayor", "hromada", "set-bot", "main", "--telegram-token-file", "telegram.token",
        expect=1,
    )  # fmt: skip
    assert "mayor is not the installation's operator" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert TOKEN_A not in refused.stdout + refused.stderr
    run("--as", "mayor", "officials", "add", "olena", "--role", "operator")
    done = run("hromada", "set-bot", "main", "--telegram-token-file", "telegram.token")
    assert "main: Telegram bot set" in done.stdout
