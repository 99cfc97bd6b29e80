"""What the `spilno-admin` tests share: the CLI run in-process, locally or over HTTP, and the
database behind it.

Two modes (the `cli_mode` fixture, tests/conftest.py):
- local: `run_cli` in this process against the test's database, as an official on the
  installation's own computer works;
- remote: the same `run_cli` in this process, logged in (SPILNO_ADMIN_URL + SPILNO_TOKEN) to a
  real `spilno run --role web` on 127.0.0.1 serving the session's PostgreSQL database.

Who acts: a test says `official=` (or `--as NAME` in its arguments). Locally that is `--as`
while the hromada has no city admin; once it has one, `--as` no longer says who acts
(admin_cli/context.py REQUIRE_TOKEN_WITH_ROLES), so the harness hands NAME's personal token to
the CLI instead — issued directly in the database, as a city admin would have issued it to them.
A NAME without a role keeps `--as` locally (and is refused as a stranger) and gets a token that
does not exist remotely (the 401 line). Remotely a token is always needed: while the hromada is
in open mode (no city admin, or only the harness's own grants) the harness first makes NAME a
city admin there (and the installation's operator while its hromada has no role of the test's
own) — anyone may act in open mode, and this is how "anyone" holds a token. The harness's
grants are marked `granted_by = HARNESS` and withdrawn once the test's own city admin exists.
SPILNO_CITY_ADMINS is applied by the harness before a command (as the CLI would apply it) so the
admins it names get their tokens, as `spilno officials-token NAME` gives them on a server.
"""

from __future__ import annotations

import getpass
import io
import os
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from admin_cli.app import run_cli
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.consultations import service as consultations
from core.kernel.unit_of_work import UnitOfWork
from tests.databases import run_blocking
from tests.processes import with_database

if TYPE_CHECKING:
    from tests.processes import AdminServers, SpilnoServer

Run = Callable[..., subprocess.CompletedProcess[str]]

HARNESS = "spilno-tests"  # granted_by / created_by of what the harness puts in the database
# SPILNO_ settings that are the CLI's own, or the harness's: never the test server's.
CLIENT_SETTINGS = frozenset(
    {
        "SPILNO_DATABASE_URL",
        "SPILNO_OFFICIAL",
        "SPILNO_TOKEN",
        "SPILNO_ADMIN_URL",
        "SPILNO_ADMIN_CONFIG_DIR",
        "SPILNO_HROMADA",
        "SPILNO_CITY_ADMINS",
        "SPILNO_SECRET_KEY",
        "SPILNO_TEST_POSTGRES_URL",
        "SPILNO_REQUIRE_POSTGRES",
    }
)


@dataclass
class CliMode:
    """`local` or `remote`; remote mode's servers (one per set of settings, per session)."""

    name: str = "local"
    servers: AdminServers | None = None
    used: list[SpilnoServer] = field(default_factory=list)  # for the log of a failed test

    @property
    def remote(self) -> bool:
        return self.name == "remote"


LOCAL = CliMode()


def cli_runner(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    official: str | None = None,
    mode: CliMode = LOCAL,
) -> Run:
    """`spilno-admin` in-process (fast), in English, in `tmp_path`, with no official or city
    admins from the environment; `official` acts (as `--as`, or by their token: see above).
    Each run checks the exit code (`expect`) and that no traceback reached the official;
    `stdin` is what the command reads (answers to its prompts); `expect=None`: any exit code."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPILNO_DATABASE_URL", database_url)
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "en")
    # Never the login of whoever runs the tests.
    monkeypatch.setenv("SPILNO_ADMIN_CONFIG_DIR", str(tmp_path / "spilno-admin-config"))
    for name in ("SPILNO_OFFICIAL", "SPILNO_CITY_ADMINS", "SPILNO_TOKEN", "SPILNO_ADMIN_URL"):
        monkeypatch.delenv(name, raising=False)
    tokens = Tokens(database_url)

    def run(
        *args: str, expect: int | None = 0, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        argv, acting, slug = _split_root(list(args), official)
        name = acting or os.environ.get("SPILNO_OFFICIAL") or getpass.getuser()
        token = tokens.settle(name, slug, remote=mode.remote)
        env: dict[str, str | None] = {"SPILNO_TOKEN": None, "SPILNO_ADMIN_URL": None}
        server = None
        if mode.remote:
            assert mode.servers is not None
            server = mode.servers.serving(database_url, _server_settings())
            if server not in mode.used:
                mode.used.append(server)
            env.update(SPILNO_ADMIN_URL=server.url, SPILNO_TOKEN=token or _unknown_token())
        elif token is not None:  # the token alone says who acts
            env.update(SPILNO_TOKEN=token)
        elif acting is not None:
            argv = ["--as", acting, *argv]
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        with _environment(env):
            code = run_cli(argv)
        out, err = capsys.readouterr()
        log = server.log_tail() if server is not None and code != expect else ""
        assert expect is None or code == expect, (out, err, log)
        assert "Traceback" not in err
        return subprocess.CompletedProcess(args, code, out, err)

    return Runner(run, mode)


class Runner:
    """The runner (callable), and what differs between the modes."""

    def __init__(self, run: Run, mode: CliMode) -> None:
        self._run, self.mode = run, mode

    def __call__(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self._run(*args, **kwargs)

    def as_stranger(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `args` as an official who holds no role where roles exist, and check they are
        refused in one line before anything happens: locally their name no longer says who
        acts (exit 2); remotely they have no token the installation knows (401, exit 1)."""
        expect, text = STRANGER_REMOTE if self.mode.remote else STRANGER_LOCAL
        done = self._run(*args, expect=expect)
        assert done.stderr.strip().count("\n") == 0 and text in done.stderr, done.stderr
        return done


STRANGER_LOCAL = (2, "no longer say who acts: log in with your personal token")
STRANGER_REMOTE = (1, "the installation refused the token: log in again")


def _split_root(args: list[str], official: str | None) -> tuple[list[str], str | None, str | None]:
    """(args without the root's `--as`, who acts, the hromada the command works in): the
    root's `--hromada`, SPILNO_HROMADA, or a command's own `--hromada` (officials add …)."""
    acting, slug, rest = official, None, list(args)
    i = 0
    while i < len(rest) and rest[i].startswith("--"):
        option, _eq, value = rest[i].partition("=")
        if option not in ("--as", "--hromada"):
            break
        if not _eq:
            value = rest[i + 1] if i + 1 < len(rest) else ""
            del rest[i + 1 : i + 2]
        del rest[i]
        if option == "--as":
            acting = value
        else:
            slug = value
            rest.insert(i, f"--hromada={value}")
            i += 1
    if slug is None:
        slug = os.environ.get("SPILNO_HROMADA") or None
    if slug is None and "--hromada" in rest:
        at = rest.index("--hromada")
        slug = rest[at + 1] if at + 1 < len(rest) else None
    return rest, acting, (slug.strip().lower() if slug else None)


def _server_settings() -> dict[str, str]:
    """The SPILNO_ settings a test set for the installation (e.g. a petition threshold): the
    test server must run with them too."""
    return {
        k: v for k, v in os.environ.items() if k.startswith("SPILNO_") and k not in CLIENT_SETTINGS
    }


class _environment:
    """Set (value) or unset (None) environment variables for one command."""

    def __init__(self, values: dict[str, str | None]) -> None:
        self.values, self.saved = values, {k: os.environ.get(k) for k in values}

    def __enter__(self) -> None:
        _apply(self.values)

    def __exit__(self, *_exc: object) -> None:
        _apply(self.saved)


def _apply(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _unknown_token() -> str:
    from core.officials.token_model import new_token

    return new_token()  # well formed, stored nowhere: the installation refuses it (401)


class Tokens:
    """Personal tokens for the officials a test names, issued in its database."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.issued: dict[tuple[int, str], str] = {}

    def settle(self, name: str, slug: str | None, *, remote: bool) -> str | None:
        """The token `name` acts with in the hromada `slug` (or the only / their own one);
        None: no token (locally: `--as` then; remotely: one that does not exist)."""
        return run_blocking(self._settle(name, slug, remote))

    async def _settle(self, name: str, slug: str | None, remote: bool) -> str | None:
        from core.storage.db import create_engine

        engine = create_engine(self.database_url)
        try:
            async with engine.connect() as conn:
                hromada = await _hromada(conn, slug, name)
                await _city_admins_from_settings(self.database_url, conn, hromada)
                is_open = await _open_mode(conn, hromada, name if remote else None)
                # Locally, a hromada in open mode takes `--as` as it always did.
                found = (
                    None if is_open and not remote else await _token_hromada(conn, hromada, name)
                )
                token = None if found is None else await self._token(conn, found, name)
                await conn.commit()
                return token
        finally:
            await engine.dispose()

    async def _token(self, conn: Any, hromada: tuple[int, list[str]], name: str) -> str:
        from sqlalchemy import insert, select

        from core.officials.tables import OfficialTokenRow
        from core.officials.token_model import TOKEN_ROLES, new_token, token_hash

        hromada_id, roles = hromada
        kept = self.issued.get((hromada_id, name))
        if kept is not None:
            live = await conn.execute(
                select(OfficialTokenRow.revoked_at, OfficialTokenRow.expires_at).where(
                    OfficialTokenRow.token_hash == token_hash(kept)
                )
            )
            row = live.first()
            if row is not None and row[0] is None and (row[1] is None or row[1] > _now()):
                return kept
        # The strongest role a token may carry; an official of organizations only: theirs.
        role = next((r.value for r in TOKEN_ROLES if r.value in roles), sorted(roles)[0])
        token = new_token()
        await conn.execute(
            insert(OfficialTokenRow).values(
                hromada_id=hromada_id,
                official=name,
                role=role,
                token_hash=token_hash(token),
                created_by=HARNESS,
                created_at=_now(),
                expires_at=None,
                revoked_at=None,
            )
        )
        self.issued[(hromada_id, name)] = token
        return token


def _now() -> datetime:
    return datetime.now(UTC)


async def _hromada(conn: Any, slug: str | None, name: str) -> int:
    from sqlalchemy import select

    from core.hromadas.tables import HromadaRow
    from core.organizations.tables import OfficialRoleRow

    if slug is not None:
        found = await conn.execute(select(HromadaRow.id).where(HromadaRow.slug == slug))
        hromada_id = found.scalar()
        if hromada_id is not None:
            return int(hromada_id)
        # No such hromada: the official's own token, for the installation to say so.
    ids = list((await conn.execute(select(HromadaRow.id).order_by(HromadaRow.id))).scalars())
    if len(ids) == 1:
        return int(ids[0])
    # Several hromadas and none named: the one a token of the official's would open.
    held = await conn.execute(
        select(OfficialRoleRow.hromada_id)
        .where(OfficialRoleRow.official == name)
        .order_by(OfficialRoleRow.hromada_id)
    )
    return int(held.scalar() or _installation())


def _installation() -> int:
    from core.officials.model import INSTALLATION_HROMADA_ID

    return INSTALLATION_HROMADA_ID


async def _grants(conn: Any, hromada_id: int) -> list[tuple[str, str, str]]:
    """(official, role, granted_by) of every role held in the hromada."""
    from sqlalchemy import select

    from core.organizations.tables import OfficialRoleRow

    rows = await conn.execute(
        select(OfficialRoleRow.official, OfficialRoleRow.role, OfficialRoleRow.granted_by).where(
            OfficialRoleRow.hromada_id == hromada_id
        )
    )
    return [tuple(r) for r in rows]


async def _city_admins_from_settings(database_url: str, conn: Any, hromada_id: int) -> None:
    """SPILNO_CITY_ADMINS, as the CLI applies it while the hromada has no city admin of the
    test's own (the harness's grants withdrawn first: they are no city admins of the test's)."""
    names = os.environ.get("SPILNO_CITY_ADMINS", "")
    if not names.strip():
        return
    grants = await _grants(conn, hromada_id)
    if any(role == "city_admin" and by != HARNESS for _n, role, by in grants):
        return
    await _withdraw(conn, hromada_id)
    await conn.commit()  # SQLite: no transaction of ours may hold the file meanwhile

    async def bootstrap(uow: UnitOfWork, now: datetime) -> None:
        from core.officials.service import bootstrap_city_admins

        await bootstrap_city_admins(uow, names.split(","), now)

    from core.hromadas.scope import set_hromada

    async def scoped() -> None:
        set_hromada(hromada_id)
        await with_database(database_url, bootstrap)

    await scoped()


async def _open_mode(conn: Any, hromada_id: int, name: str | None) -> bool:
    """While the hromada has no city admin of the test's own, `name` (remote mode) becomes
    one, and the installation's operator while its hromada holds no role of the test's;
    once the test's own roles say otherwise, the harness's grants are withdrawn. Whether the
    hromada is in open mode."""
    from sqlalchemy import insert

    from core.organizations.tables import OfficialRoleRow

    installation = _installation()
    wanted: list[tuple[int, str]] = []
    is_open = True
    for where, role in ((hromada_id, "city_admin"), (installation, "operator")):
        grants = await _grants(conn, where)
        theirs = [(n, r) for n, r, by in grants if by != HARNESS]
        still_open = (
            not any(r == "city_admin" for _n, r in theirs) if role == "city_admin" else (not theirs)
        )
        if role == "city_admin":
            is_open = still_open
        if not still_open:
            await _withdraw(conn, where, role)
        elif name is not None and (name, role, HARNESS) not in grants:
            wanted.append((where, role))
    for where, role in wanted:
        await conn.execute(
            insert(OfficialRoleRow).values(
                hromada_id=where,
                official=name,
                role=role,
                # A scope of its own: the test's own grant of the same role is a row of its own
                # too (the unique key includes the scope), and every check reads the role only.
                scope=HARNESS,
                org_id=None,
                granted_by=HARNESS,
                granted_at=_now(),
            )
        )
    return is_open


async def _withdraw(conn: Any, hromada_id: int, role: str | None = None) -> None:
    """The harness's grants in the hromada go, and the tokens it issued there on them."""
    from sqlalchemy import delete, update

    from core.officials.tables import OfficialTokenRow
    from core.organizations.tables import OfficialRoleRow

    query = delete(OfficialRoleRow).where(
        OfficialRoleRow.hromada_id == hromada_id, OfficialRoleRow.granted_by == HARNESS
    )
    if role is not None:
        query = query.where(OfficialRoleRow.role == role)
    gone = await conn.execute(query.returning(OfficialRoleRow.official))
    names = {n for (n,) in gone}
    if names:
        await conn.execute(
            update(OfficialTokenRow)
            .where(
                OfficialTokenRow.created_by == HARNESS,
                OfficialTokenRow.official.in_(names),
                OfficialTokenRow.revoked_at.is_(None),
            )
            .values(revoked_at=_now())
        )


async def _token_hromada(conn: Any, hromada_id: int, name: str) -> tuple[int, list[str]] | None:
    """Where `name`'s token belongs, with their roles there: the hromada the command works in
    when they hold a role in it, else the installation's when they are its operator, else their
    own hromada; None when they hold no role anywhere (a stranger: no token is issued)."""
    held = [r for n, r, _by in await _grants(conn, hromada_id) if n == name]
    if held:
        return hromada_id, held
    installation = _installation()
    if any(n == name and r == "operator" for n, r, _by in await _grants(conn, installation)):
        return installation, ["operator"]
    # An official of another hromada: their own token, which the installation refuses here
    # (or lets through for what an operator may do, to be refused as no operator).
    from sqlalchemy import select

    from core.organizations.tables import OfficialRoleRow

    found = await conn.execute(
        select(OfficialRoleRow.hromada_id, OfficialRoleRow.role)
        .where(OfficialRoleRow.official == name)
        .order_by(OfficialRoleRow.hromada_id)
    )
    rows = list(found)
    if not rows:
        return None
    own = rows[0][0]
    return own, [r for h, r in rows if h == own]


def in_db(database_url: str, work: Callable[[UnitOfWork, datetime], Awaitable[Any]]) -> Any:
    """Run `work(uow, now)` against the CLI's database and commit, as a resident's actions would
    (from another event loop, like the bot process)."""
    return run_blocking(with_database(database_url, work))


async def answer_example_consultation(
    uow: UnitOfWork, now: datetime, consultation_id: int, names: tuple[str, ...] = ("a", "b")
) -> None:
    """Residents `names` take examples/consultation.yaml to the end, each leaving an idea."""
    consultation = await consultations.get_consultation(uow, consultation_id)
    q = {question.key: question.id for question in consultation.questions}
    for name in names:
        citizen, _new = await citizens.resolve_citizen(uow, IdentityRef("test", name), now)
        args = {"consultation_id": consultation_id, "citizen_id": citizen.id, "now": now}
        await consultations.choose_option(uow, question_id=q["visits"], value=0, **args)
        await consultations.choose_option(uow, question_id=q["priorities"], value=1, **args)
        await consultations.next_question(uow, question_id=q["priorities"], **args)
        await consultations.choose_option(uow, question_id=q["satisfaction"], value=4, **args)
        await consultations.answer_text(uow, question_id=q["ideas"], text=f"Ідея {name}", **args)
        await consultations.submit(uow, **args)
