"""`spilno-admin officials add / token` on SQLite and PostgreSQL (issue 19): the token is
printed once and works, rotating and revoking stop the old one, and bad input is one line with
exit 2 — in English and in Ukrainian."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from core.hromadas.tables import HromadaRow
from core.officials import tokens
from core.officials.model import Role
from core.officials.token_model import TokenRefusedError
from core.storage.db import create_engine
from tests.cli import cli_runner, in_db
from tests.databases import run_blocking

TOKEN = re.compile(r"spl_[A-Za-z0-9_-]+")


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, official="mayor", mode=cli_mode)


def _verify(database_url: str, token: str) -> tokens.TokenIdentity | str:
    async def work(uow, now):
        try:
            return await tokens.verify(uow, token, datetime.now(UTC))
        except TokenRefusedError as refused:
            return refused.reason

    return in_db(database_url, work)


def _printed_token(out: str) -> str:
    (token,) = TOKEN.findall(out)
    return token


def test_add_prints_a_working_token_once(admin, database_url):
    admin("officials", "add", "mayor", "--role", "city_admin")
    out = admin("officials", "add", "olha", "--role", "moderator").stdout
    assert "olha is now moderator." in out and "shown only now" in out
    token = _printed_token(out)
    identity = _verify(database_url, token)
    assert not isinstance(identity, str)
    assert (identity.official, identity.role, identity.hromada_id) == ("olha", Role.MODERATOR, 1)
    # Never again: not by a second add, nor the token's status, nor the audit log.
    again = admin("officials", "add", "olha", "--role", "moderator").stdout
    assert "already has a personal token" in again and "spl_" not in again
    shown = admin("officials", "token", "olha").stdout
    assert "Personal tokens of olha" in shown and "spl_" not in shown
    logged = admin("audit").stdout
    assert "issued a personal token" in logged and token[4:] not in logged


def test_rotate_prints_a_new_token_and_the_old_one_stops(admin, database_url):
    admin("officials", "add", "mayor", "--role", "city_admin")
    old = _printed_token(admin("officials", "add", "olha", "--role", "moderator").stdout)
    out = admin("officials", "token", "olha", "--rotate", "--expires", "90d").stdout
    new = _printed_token(out)
    assert "The old token of olha no longer works." in out and "It works until" in out
    assert _verify(database_url, old) == "revoked"
    identity = _verify(database_url, new)
    assert not isinstance(identity, str) and identity.role == Role.MODERATOR
    expires_at = in_db(database_url, lambda uow, now: tokens.list_tokens(uow, 1))
    live = next(t for t in expires_at if t.official == "olha" and t.revoked_at is None)
    assert live.expires_at is not None
    assert abs(live.expires_at - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=5)


def test_revoke_stops_the_token(admin, database_url):
    admin("officials", "add", "mayor", "--role", "city_admin")
    token = _printed_token(admin("officials", "add", "olha", "--role", "moderator").stdout)
    out = admin("officials", "token", "olha", "--revoke").stdout
    assert "Revoked 1 token of olha" in out
    assert _verify(database_url, token) == "revoked"
    assert "nothing to revoke" in admin("officials", "token", "olha", "--revoke").stdout


def test_an_expiry_date_is_city_time(admin, database_url):
    out = admin(
        "officials", "add", "olha", "--role", "city_admin", "--expires", "2099-03-01"
    ).stdout
    assert "It works until 1 March 2099" in out
    assert not isinstance(_verify(database_url, _printed_token(out)), str)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("token", "olha", "--rotate", "--revoke"), "either --rotate or --revoke"),
        (("token", "olha", "--revoke", "--expires", "9d"), "--expires goes with --rotate"),
        (("token", "ivan", "--rotate"), "ivan has no role"),
        (
            ("add", "ivan", "--role", "moderator", "--hromada", "nowhere"),
            "there is no hromada nowhere",
        ),
        (("add", "ivan", "--role", "moderator", "--expires", "2020-01-01"), "already passed"),
        (("add", "ivan", "--role", "moderator", "--expires", "0d"), "from 1 to 3650 days"),
        (("add", "ivan", "--role", "moderator", "--expires", "soon"), "is not a date"),
        (("add", "ivan", "--role", "boss"), "unknown role"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(admin, database_url, args, says):
    admin("officials", "add", "mayor", "--role", "city_admin")
    done = admin("officials", *args, expect=2)
    assert says in done.stderr and done.stderr.count("\n") == 1
    assert "spl_" not in done.stdout + done.stderr
    # Nothing half done: ivan got no role and no token.
    grants = in_db(database_url, lambda uow, now: uow.officials.grants_of("ivan"))
    assert grants == []


def test_in_ukrainian(admin, database_url, monkeypatch):
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "uk")
    admin("officials", "add", "mayor", "--role", "city_admin")
    out = admin("officials", "add", "olha", "--role", "moderator", "--expires", "30d").stdout
    assert "Персональний токен для olha" in out and "Він діє до" in out
    _printed_token(out)
    out = admin("officials", "token", "olha", "--rotate").stdout
    assert "Старий токен olha більше не діє." in out
    assert "Відкликано 1 токен olha" in admin("officials", "token", "olha", "--revoke").stdout
    err = admin("officials", "token", "olha", "--rotate", "--revoke", expect=2).stderr
    assert "вкажіть або --rotate, або --revoke" in err


def test_a_token_for_another_hromada(admin, database_url):
    async def add_kyiv() -> None:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    insert(HromadaRow).values(id=2, slug="kyiv", created_at=datetime.now(UTC))
                )
        finally:
            await engine.dispose()

    run_blocking(add_kyiv())
    # Two hromadas now: each command names its own (`--hromada`, as the root option would).
    admin("officials", "add", "mayor", "--role", "city_admin", "--hromada", "main")
    at_home = _printed_token(
        admin("officials", "add", "olha", "--role", "moderator", "--hromada", "main").stdout
    )
    out = admin("officials", "add", "olha", "--role", "moderator", "--hromada", "Kyiv").stdout
    in_kyiv = _printed_token(out)
    identity = _verify(database_url, in_kyiv)
    assert not isinstance(identity, str) and identity.hromada_id == 2
    assert (
        "Revoked 1 token"
        in admin("officials", "token", "olha", "--hromada", "kyiv", "--revoke").stdout
    )
    assert _verify(database_url, in_kyiv) == "revoked"
    identity = _verify(database_url, at_home)
    assert not isinstance(identity, str) and identity.hromada_id == 1
