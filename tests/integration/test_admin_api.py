"""The admin API (issue 19) against a real `spilno run --role web` on 127.0.0.1, on PostgreSQL:
login, the token's life (issued, rotated, revoked, expired), 401 / 403 / 404 / 400 / 413 / 429
as the CLI shows them, the OpenAPI document, tokens kept out of the log, and an official of
hromada A who cannot reach hromada B through it."""

from __future__ import annotations

import io
import json
import stat
import subprocess
import urllib.error
import urllib.request
from collections.abc import Awaitable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import insert

from admin_cli import catalog
from admin_cli.app import run_cli
from core.campaigns import service as campaigns
from core.hromadas.scope import in_hromada
from core.hromadas.tables import HromadaRow
from core.officials import tokens
from core.officials.model import Grant, Role
from core.officials.token_model import new_token, token_hash
from core.polls import service as polls
from core.storage.db import create_engine
from tests.databases import PostgresTestDatabase, run_blocking
from tests.processes import GENEROUS_LIMITS, SpilnoServer, with_database

pytestmark = pytest.mark.postgres

API = "/admin/api"
T = TypeVar("T")


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, postgres_database: PostgresTestDatabase
) -> Iterator[SpilnoServer]:
    """This module's server: DEBUG logging (to look for tokens in it), generous limits."""
    if postgres_database.unavailable_reason:
        pytest.skip(postgres_database.unavailable_reason)
    directory = tmp_path_factory.mktemp("admin-api")
    started = SpilnoServer(
        directory,
        database_url=postgres_database.url,
        default_locale="en",
        log_level="DEBUG",
        **GENEROUS_LIMITS,
    ).start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def strict(
    tmp_path_factory: pytest.TempPathFactory, postgres_database: PostgresTestDatabase
) -> Iterator[SpilnoServer]:
    """A server with tight limits: 3 requests per token at once, then one each 5 s; 3
    refused tokens per address and minute."""
    if postgres_database.unavailable_reason:
        pytest.skip(postgres_database.unavailable_reason)
    started = SpilnoServer(
        tmp_path_factory.mktemp("admin-api-strict"),
        database_url=postgres_database.url,
        default_locale="en",
        admin_api_burst="3",
        admin_api_rate="0.2",
        admin_api_failures="3",
        hromada_profile_refresh_s="0",
    ).start()
    yield started
    started.stop()


@pytest.fixture
def db(postgres_database_url: str) -> str:
    """An emptied database with hromada A (main, id 1) and B (bravo), a poll in each, and
    city admin olha in A, city admin bohdan in B, moderator ivan in A."""
    run_blocking(_seed(postgres_database_url))
    return postgres_database_url


async def _seed(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(HromadaRow).values(slug="bravo", created_at=datetime.now(UTC))
            )
    finally:
        await engine.dispose()
    for hromada_id, admin in ((1, "olha"), (2, "bohdan")):
        with in_hromada(hromada_id):

            async def work(
                uow: Any, now: datetime, admin: str = admin, h: int = hromada_id
            ) -> None:
                await uow.officials.grant(Grant(admin, Role.CITY_ADMIN), granted_by="t", now=now)
                if h == 1:
                    await uow.officials.grant(
                        Grant("ivan", Role.MODERATOR), granted_by="t", now=now
                    )
                poll = await polls.create_poll(
                    uow, question=f"Q of {h}?", options=["A", "B"], actor=admin, now=now
                )
                await campaigns.open_campaign(uow, poll.id, actor=admin, now=now)

            await with_database(url, work)


def issue(url: str, official: str, hromada_id: int = 1, **kwargs: Any) -> str:
    """A token, as `spilno-admin officials add` would print it."""

    async def work(uow: Any, now: datetime) -> str:
        grants = await uow.officials.grants_of(official)
        role = Role.CITY_ADMIN if any(g.role is Role.CITY_ADMIN for g in grants) else Role.MODERATOR
        issued = await tokens.issue(
            uow,
            actor="system",
            official=official,
            role=role,
            hromada_id=hromada_id,
            now=now,
            **kwargs,
        )
        assert issued is not None
        return issued.token

    return run_blocking(_in(hromada_id, with_database(url, work)))


async def _in(hromada_id: int, work: Awaitable[T]) -> T:
    """`work` in the hromada's scope (a context variable: set in the loop that runs it)."""
    with in_hromada(hromada_id):
        return await work


def expired_token(url: str, official: str) -> str:
    """A token whose expiry passed (stored directly: issuing refuses a past expiry)."""
    token = new_token()

    async def work() -> None:
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                from core.officials.tables import OfficialTokenRow

                await conn.execute(
                    insert(OfficialTokenRow).values(
                        hromada_id=1,
                        official=official,
                        role="city_admin",
                        token_hash=token_hash(token),
                        created_by="t",
                        created_at=datetime.now(UTC) - timedelta(days=2),
                        expires_at=datetime.now(UTC) - timedelta(minutes=1),
                    )
                )
        finally:
            await engine.dispose()

    run_blocking(work())
    return token


def call(
    server: SpilnoServer,
    path: str,
    token: str | None,
    body: bytes | None = b"{}",
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """(status, headers, JSON body) of one raw request."""
    sent = {"Accept-Language": "en", **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if body is not None:
        sent.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(
        f"{server.url}{API}/{path}", data=body, method=method, headers=sent
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """`spilno-admin` in this process; `token` and `url` log it in through the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "en")
    monkeypatch.setenv("SPILNO_ADMIN_CONFIG_DIR", str(tmp_path / "cfg"))
    for name in ("SPILNO_OFFICIAL", "SPILNO_CITY_ADMINS", "SPILNO_TOKEN", "SPILNO_ADMIN_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(
        *args: str,
        token: str | None = None,
        url: str | None = None,
        stdin: str | None = None,
        expect: int = 0,
    ) -> subprocess.CompletedProcess[str]:
        for name, value in (("SPILNO_TOKEN", token), ("SPILNO_ADMIN_URL", url)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = run_cli(list(args))
        out, err = capsys.readouterr()
        assert code == expect, (out, err)
        assert "Traceback" not in err
        return subprocess.CompletedProcess(args, code, out, err)

    return run


def one_line(text: str) -> str:
    assert text.strip().count("\n") == 0, text
    return text.strip()


def test_login_keeps_the_token_for_its_owner_only_and_logout_forgets_it(
    server, db, cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("SPILNO_DATABASE_URL", db)  # what a local command would use
    token = issue(db, "olha")
    done = cli("login", server.url, stdin=token + "\n")
    assert "Logged in as olha in the hromada main" in done.stdout
    kept = tmp_path / "cfg" / "login.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert json.loads(kept.read_text()) == {"url": server.url, "token": token}
    assert token not in done.stdout + done.stderr  # never echoed
    me = cli("whoami").stdout
    assert me.startswith("olha in the hromada main") and "city_admin" in me
    assert server.url in me
    listed = json.loads(cli("campaign", "list", "--json").stdout)
    assert [c["title"] for c in listed] == ["Q of 1?"]
    assert "Logged out" in cli("logout").stdout
    assert not kept.exists()
    # Local again: this database's officials have roles, so a name no longer says who acts.
    monkeypatch.setenv("SPILNO_OFFICIAL", "olha")
    local = cli("--hromada", "main", "whoami", expect=2)
    assert "log in with your personal token" in one_line(local.stderr)


def test_a_wrong_token_is_not_kept(server, db, cli, tmp_path):
    refused = cli("login", server.url, stdin=new_token() + "\n", expect=1)
    one_line(refused.stderr)
    assert not (tmp_path / "cfg" / "login.json").exists()


def test_a_refused_login_speaks_the_cli_language(server, db, cli):
    refused = cli("login", server.url, stdin=new_token() + "\n", expect=1)
    assert "refused the token" in refused.stderr


def test_rotated_revoked_and_expired_tokens_get_401_and_one_line(server, db, cli):
    old = issue(db, "olha")
    assert call(server, "v1/actions/whoami", old)[0] == 200

    async def rotate(uow: Any, now: datetime) -> str:
        issued = await tokens.rotate(uow, actor="olha", official="olha", hromada_id=1, now=now)
        assert issued is not None
        return issued.token

    new = run_blocking(with_database(db, rotate))
    status, headers, body = call(server, "v1/actions/whoami", old)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert headers["WWW-Authenticate"].startswith("Bearer")
    refused = cli("whoami", token=old, url=server.url, expect=1)
    assert one_line(refused.stderr) == (
        "spilno-admin: the installation refused the token: log in again"
    )
    assert call(server, "v1/actions/whoami", new)[0] == 200

    async def revoke(uow: Any, now: datetime) -> int:
        return await tokens.revoke(uow, actor="olha", official="olha", hromada_id=1, now=now)

    assert run_blocking(with_database(db, revoke)) == 1
    assert call(server, "v1/actions/whoami", new)[0] == 401
    expired = expired_token(db, "olha")
    assert call(server, "v1/actions/whoami", expired)[0] == 401
    cli("whoami", token=expired, url=server.url, expect=1)
    for missing in (None, "", "Basic b2xoYTpzZWNyZXQ="):
        headers = {"Authorization": missing} if missing else {}
        assert call(server, "v1/actions/whoami", None, headers=headers)[0] == 401


def test_an_action_outside_the_role_is_403_with_the_reason(server, db, cli):
    token = issue(db, "ivan")  # a moderator
    status, _headers, body = call(
        server, "v1/actions/campaign.close", token, json.dumps({"campaign_id": 1}).encode()
    )
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert "ivan" in body["error"]["message"]
    refused = cli("campaign", "close", "1", token=token, url=server.url, expect=1)
    assert "ivan's role does not allow" in one_line(refused.stderr)
    shown = json.loads(cli("campaign", "show", "1", "--json", token=token, url=server.url).stdout)
    assert shown["status"] == "open"  # nothing changed


def test_unknown_actions_bad_json_and_bad_parameters(server, db, cli):
    token = issue(db, "olha")
    status, _h, body = call(server, "v1/actions/campaign.explode", token)
    assert status == 404 and body["error"]["code"] == "not_found"
    assert call(server, "v2/whatever", token)[0] == 404
    status, _h, body = call(server, "v1/actions/campaign.show", token, b"{not json")
    assert status == 400 and body["error"]["exit_code"] == 2
    status, _h, body = call(
        server, "v1/actions/campaign.show", token, json.dumps({"campaign_id": "one"}).encode()
    )
    assert status == 400 and "campaign_id" in body["error"]["message"]
    status, _h, body = call(
        server, "v1/actions/campaign.show", token, json.dumps({"campaign_id": 1, "x": 1}).encode()
    )
    assert status == 400
    # A value only the installation can judge (a time in its zone): 400, and exit 2 in the CLI.
    bad = cli("campaign", "edit", "1", "--closes", "someday", token=token, url=server.url, expect=2)
    assert "--closes" in one_line(bad.stderr)


def test_a_body_over_the_limit_is_413_before_it_is_read(server, db):
    from bot.admin_api import MAX_BODY_BYTES

    token = issue(db, "olha")
    status, _h, body = call(server, "v1/actions/campaign.show", token, b"x" * (MAX_BODY_BYTES + 1))
    assert status == 413 and body["error"] == {
        "code": "too_large",
        "message": f"the request is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB",
        "exit_code": 2,
    }


def test_as_is_refused_over_the_network(server, db, cli):
    token = issue(db, "olha")
    refused = cli("--as", "ivan", "campaign", "list", token=token, url=server.url, expect=2)
    assert "--as is refused" in one_line(refused.stderr)


def test_the_openapi_document_describes_every_action(server):
    request = urllib.request.Request(f"{server.url}{API}/openapi.json")
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.headers["Content-Type"].startswith("application/json")
        document = json.loads(answer.read())
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert set(paths) == {f"{API}/v1/actions/{name}" for name in catalog.ACTIONS}
    for name in catalog.ACTIONS:
        operation = paths[f"{API}/v1/actions/{name}"]["post"]
        assert {"200", "401", "403"} <= set(operation["responses"]), name
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert schema, name
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        node: Any = document
        for key in ref.removeprefix("#/").split("/"):
            node = node[key]  # every reference resolves


def test_requests_are_rate_limited_per_token_with_retry_after(strict, db):
    first, second = issue(db, "olha"), issue(db, "ivan")
    answers = [call(strict, "v1/actions/whoami", first)[0] for _ in range(3)]
    assert answers == [200, 200, 200]
    status, headers, body = call(strict, "v1/actions/whoami", first)
    assert status == 429 and body["error"]["code"] == "rate_limited"
    assert 1 <= int(headers["Retry-After"]) <= 5
    assert call(strict, "v1/actions/whoami", second)[0] == 200  # another token: its own limit


def test_wrong_tokens_from_one_address_are_throttled(strict, db):
    good = issue(db, "olha")
    assert [call(strict, "v1/actions/whoami", new_token())[0] for _ in range(3)] == [401] * 3
    status, headers, _body = call(strict, "v1/actions/whoami", new_token())
    assert status == 429 and int(headers["Retry-After"]) >= 1
    # Guessing is stopped before any token is looked at: a right one waits too.
    assert call(strict, "v1/actions/whoami", good)[0] == 429


def test_an_official_of_a_cannot_touch_b(server, db, cli):
    a_token = issue(db, "olha")
    b_rows = _rows(db, 2)
    status, _h, body = call(
        server, "v1/actions/campaign.list", a_token, headers={"X-Spilno-Hromada": "bravo"}
    )
    assert status == 403 and "bravo" in body["error"]["message"]
    refused = cli("--hromada", "bravo", "campaign", "list", token=a_token, url=server.url, expect=1)
    assert "your token is for another hromada than bravo" in one_line(refused.stderr)
    # B's poll (id 2) through A's token: not found, whatever the action.
    for args in (("show", "2"), ("close", "2"), ("delete", "2"), ("results", "2")):
        missing = cli("campaign", *args, token=a_token, url=server.url, expect=1)
        assert "Q of 2" not in missing.stdout + missing.stderr
    status, _h, _body = call(
        server, "v1/actions/campaign.close", a_token, json.dumps({"campaign_id": 2}).encode()
    )
    assert status == 404
    assert _rows(db, 2) == b_rows
    # B's own admin, with B's token, sees B only.
    b_token = issue(db, "bohdan", 2)
    listed = json.loads(cli("campaign", "list", "--json", token=b_token, url=server.url).stdout)
    assert [c["title"] for c in listed] == ["Q of 2?"]


def _rows(url: str, hromada_id: int) -> list[Any]:
    async def work(uow: Any, now: datetime) -> list[Any]:
        listed = await campaigns.list_campaigns(uow)
        return [(c.id, c.status, c.closes_at) for c in listed]

    return run_blocking(_in(hromada_id, with_database(url, work)))


def test_no_token_reaches_the_servers_log(server, db, cli):
    used = [issue(db, "olha"), new_token(), expired_token(db, "olha")]
    for token in used:
        call(server, "v1/actions/whoami", token)
    cli("campaign", "list", token=used[0], url=server.url)
    log = server.log_text()
    assert "HTTP on 127.0.0.1" in log  # the log, at DEBUG, of this very server
    for token in used:
        assert token not in log and token[4:20] not in log


def test_an_sqlite_installation_serves_the_api_too(sqlite_template, tmp_path, cli):
    """The embedded default behind `spilno run --role web`: a login and a listing."""
    url = sqlite_template.fresh(tmp_path)

    async def seed(uow: Any, now: datetime) -> str:
        await uow.officials.grant(Grant("olha", Role.CITY_ADMIN), granted_by="t", now=now)
        await polls.create_poll(uow, question="Q?", options=["A", "B"], actor="olha", now=now)
        issued = await tokens.issue(
            uow, actor="olha", official="olha", role=Role.CITY_ADMIN, hromada_id=1, now=now
        )
        assert issued is not None
        return issued.token

    token = run_blocking(with_database(url, seed))
    server = SpilnoServer(tmp_path, database_url=url, default_locale="en").start()
    try:
        assert "Logged in as olha" in cli("login", server.url, stdin=token + "\n").stdout
        listed = json.loads(cli("campaign", "list", "--json").stdout)
        assert [c["title"] for c in listed] == ["Q?"]
    finally:
        server.stop()


def test_the_operator_sets_up_a_new_hromadas_first_admin_then_keeps_out(server, db, cli):
    """The operator's token is the installation's hromada's. In a hromada with no roles yet
    (open mode) it may act — to add that hromada's first city admin, as locally; once the
    hromada has one, it is refused there like any other hromada's official."""

    async def grant_operator(uow: Any, now: datetime) -> None:
        await uow.officials.grant(Grant("root", Role.OPERATOR), granted_by="t", now=now)

    async def add_charlie() -> None:
        engine = create_engine(db)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    insert(HromadaRow).values(slug="charlie", created_at=datetime.now(UTC))
                )
        finally:
            await engine.dispose()

    run_blocking(_in(1, with_database(db, grant_operator)))
    run_blocking(add_charlie())
    root = issue_as(db, "root", Role.OPERATOR)
    added = cli(
        "--hromada",
        "charlie",
        "officials",
        "add",
        "petro",
        "--role",
        "city_admin",
        token=root,
        url=server.url,
    )
    assert "spl_" in added.stdout
    refused = cli("--hromada", "charlie", "campaign", "list", token=root, url=server.url, expect=1)
    assert "your token is for another hromada than charlie" in one_line(refused.stderr)


def issue_as(url: str, official: str, role: Role) -> str:
    async def work(uow: Any, now: datetime) -> str:
        issued = await tokens.issue(
            uow, actor="system", official=official, role=role, hromada_id=1, now=now
        )
        assert issued is not None
        return issued.token

    return run_blocking(_in(1, with_database(url, work)))
