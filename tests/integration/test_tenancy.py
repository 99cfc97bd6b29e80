"""Many hromadas, one installation (issue 18): two hromadas with look-alike data — the same
district codes, organization slug, idea codes, official name, and the same Telegram user as a
resident of both — and nothing of one shows in, or changes in, the other. On SQLite and
PostgreSQL; on PostgreSQL also row-level security with no query filter at all."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text, update

from bot.dialogs import Dialogs
from bot.ui import Incoming, Reply
from core.audit import service as audit_service
from core.audit.tables import AuditRow
from core.bootstrap import bootstrap
from core.campaigns.tables import CampaignRow
from core.citizens import home_district as homes
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.citizens.tables import IdentityRow
from core.config import Settings
from core.demo.polls import seed_demo_city
from core.hromadas.scope import in_hromada
from core.hromadas.tables import HromadaRow
from core.ideas.tables import IdeaRow
from core.officials import service as officials
from core.organizations.tables import OrganizationRow, OrgEventRow
from core.petitions import service as petitions
from core.petitions.model import NewPetition, PetitionPolicy
from core.polls.tables import PollOptionRow
from core.storage.schema import metadata
from tests.cli import cli_runner
from tests.databases import run_blocking
from tests.dialogs import verify_phone
from tests.fakes.resident import Resident

MARK = "БРАВО"  # every text of hromada B carries it; nothing of A does
TELEGRAM_USER = "777000"  # the same person writes to both hromadas' bots


async def _seed(uow: Any, now: datetime, *, mark: str) -> dict[str, Any]:
    """The demo city (polls, ideas, a consultation, a contest, an organization), a verified
    resident living in `center`, a petition, and olha as city admin."""
    assert await seed_demo_city(uow, now)
    resident, _new = await citizens.resolve_citizen(
        uow, IdentityRef("telegram", TELEGRAM_USER), now
    )
    await verify_phone(uow, resident, now)
    await homes.set_home_district(uow, resident, "center", now)
    await uow.subscriptions.set(resident.id, "district", "center", True)
    petition = await petitions.file_petition(
        uow,
        NewPetition(resident.id, "Міська рада", f"{mark}Ліхтарі на Надроссі", "Прошу.", "roads"),
        now=now,
        policy=PetitionPolicy(),
    )
    await petitions.approve_petition(uow, petition.id, actor="olha", now=now)
    await officials.bootstrap_city_admins(uow, ["olha"], now)
    return {"resident": resident.id, "petition": petition.id}


async def _mark_b(conn: Any, b: int) -> None:
    """B's texts get MARK in front: the same data otherwise (same slugs, codes, districts)."""
    for table, column in (
        (CampaignRow, CampaignRow.title),
        (IdeaRow, IdeaRow.title),
        (OrganizationRow, OrganizationRow.name),
        (OrgEventRow, OrgEventRow.title),
        (PollOptionRow, PollOptionRow.label),
    ):
        await conn.execute(
            update(table)
            .where(table.hromada_id == b)
            .values({column.key: func.substr(MARK + column, 1, 90)})
        )


async def _two_hromadas(app: Any) -> tuple[int, int, dict[str, Any], dict[str, Any]]:
    async with app.engine.begin() as conn:
        b = (
            await conn.execute(
                insert(HromadaRow)
                .values(slug="bravo", created_at=app.clock())
                .returning(HromadaRow.id)
            )
        ).scalar_one()
    seeded = {}
    for hromada_id, mark in ((1, ""), (b, MARK)):
        with in_hromada(hromada_id):
            async with app.uow_factory() as uow:
                seeded[hromada_id] = await _seed(uow, app.clock(), mark=mark)
                await uow.commit()
    async with app.engine.begin() as conn:
        await _mark_b(conn, b)
    return 1, b, seeded[1], seeded[b]


class _BotOf:
    """The dialogs as one hromada's bot channel calls them."""

    def __init__(self, dialogs: Dialogs, hromada_id: int) -> None:
        self._dialogs, self._hromada_id = dialogs, hromada_id

    async def handle(self, incoming: Incoming) -> list[Reply]:
        return await self._dialogs.handle(incoming, hromada_id=self._hromada_id)


def _everything(replies: list[Reply]) -> str:
    return "\n".join(
        [r.text or "" for r in replies]
        + [b.label for r in replies for row in r.buttons for b in row]
    )


async def test_a_resident_of_both_sees_only_the_hromada_whose_bot_they_write_to(app):
    a, b, _seeded_a, _seeded_b = await _two_hromadas(app)
    async with app.engine.connect() as conn:
        identities = (
            await conn.execute(
                select(IdentityRow.hromada_id, IdentityRow.citizen_id).where(
                    IdentityRow.external_id == TELEGRAM_USER
                )
            )
        ).all()
    assert sorted(h for h, _c in identities) == [a, b]  # two residents, one per hromada
    dialogs = Dialogs(app.uow_factory, clock=app.clock, default_locale="en")
    seen: dict[int, str] = {}
    b_before: list[str] = []
    for hromada_id in (b, a):
        if hromada_id == a:
            b_before = await _rows_of(app, b)
        resident = Resident(_BotOf(dialogs, hromada_id), TELEGRAM_USER, platform="telegram")
        screens = [await resident.command("start")]
        await resident.press("English")
        for path in (
            ("Polls",),
            ("Ideas",),
            ("Petitions",),
            ("Consultations",),
            ("Contests",),
            ("Organizations",),
        ):
            await resident.command("start")
            try:
                screens.append(await resident.press(*path))
            except AssertionError:  # a menu without this entry: nothing to see there
                continue
        await resident.command("settings")
        screens.append(resident.replies)
        seen[hromada_id] = "\n".join(_everything(s) for s in screens)
    assert MARK in seen[b]  # the same screens do show B's data in B
    assert MARK not in seen[a]
    # A's resident pressing through everything (and picking a language) changed nothing of B's.
    assert b_before and await _rows_of(app, b) == b_before


async def _rows_of(app: Any, hromada_id: int) -> list[str]:
    """Every row the hromada owns, as text: what must not change when another one works."""
    rows: list[str] = []
    async with app.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if "hromada_id" in table.c:
                found = await conn.execute(select(table).where(table.c.hromada_id == hromada_id))
                rows += sorted(f"{table.name}:{tuple(row)}" for row in found)
    return rows


async def test_an_id_from_another_hromada_finds_nothing(app):
    a, b, seeded_a, seeded_b = await _two_hromadas(app)
    async with app.engine.connect() as conn:
        b_campaigns = list(
            (await conn.execute(select(CampaignRow.id).where(CampaignRow.hromada_id == b)))
            .scalars()
            .all()
        )
        b_ideas = list(
            (await conn.execute(select(IdeaRow.id).where(IdeaRow.hromada_id == b))).scalars()
        )
    with in_hromada(a):
        async with app.uow_factory() as uow:
            for campaign_id in b_campaigns:
                assert await uow.campaigns.get(campaign_id) is None
            for idea_id in b_ideas:
                assert await uow.ideas.get(idea_id) is None
            assert await uow.petitions.get(seeded_b["petition"]) is None
            assert await uow.citizens.get(seeded_b["resident"]) is None
            assert await uow.residents.get(seeded_b["resident"]) is None
            found = await uow.citizens.find(IdentityRef("telegram", TELEGRAM_USER))
            assert found is not None and found[0].id == seeded_a["resident"]
            listed = await uow.campaigns.list()
            assert {c.id for c in listed}.isdisjoint(b_campaigns)
            assert all(MARK not in c.title for c in listed)
            assert await uow.officials.has_city_admin()
            chain = [entry async for entry in uow.audit.chain()]
            assert chain and all(MARK not in json.dumps(e.after or {}) for e in chain)
    # The same idea codes in both hromadas: each code finds its own hromada's idea.
    async with app.engine.connect() as conn:
        codes = (await conn.execute(select(IdeaRow.hromada_id, IdeaRow.code))).all()
    a_codes = {code for h, code in codes if h == a}
    assert a_codes and a_codes == {code for h, code in codes if h == b}
    for hromada_id in (a, b):
        with in_hromada(hromada_id):
            async with app.uow_factory() as uow:
                for code in a_codes:
                    idea = await uow.ideas.get_by_code(code)
                    assert idea is not None and (MARK in idea.title) == (hromada_id == b)


@pytest.fixture
def two_hromadas_db(database_url: str) -> tuple[str, int]:
    async def setup() -> int:
        app = bootstrap(Settings(database_url=database_url, _env_file=None))
        try:
            _a, b, _sa, _sb = await _two_hromadas(app)
            return b
        finally:
            await app.aclose()

    return database_url, run_blocking(setup())


def test_every_cli_listing_in_a_shows_nothing_of_b(
    two_hromadas_db, tmp_path, monkeypatch, capsys, cli_mode
):
    database_url, b = two_hromadas_db
    admin = cli_runner(database_url, tmp_path, monkeypatch, capsys, mode=cli_mode)
    a_args = ("--hromada", "main", "--as", "olha")
    b_args = ("--hromada", "bravo", "--as", "olha")
    b_campaigns = json.loads(admin(*b_args, "campaign", "list", "--json").stdout)
    b_before = _rows_in(database_url, b)  # with olha's token of B, which that listing needed
    a_campaigns = json.loads(admin(*a_args, "campaign", "list", "--json").stdout)
    assert len(a_campaigns) == len(b_campaigns) >= 5
    assert all(MARK in c["title"] for c in b_campaigns)
    outputs = [json.dumps(a_campaigns)]
    for args in (
        ("ideas", "list"),
        ("ideas", "reports"),
        ("petitions", "list"),
        ("org", "list"),
        ("org", "show", "zelene-misto"),
        ("officials", "list"),
        ("residents", "stats"),
        ("audit",),
        ("delivery", "status"),
    ):
        outputs.append(_try(admin, *a_args, *args))
    for campaign in a_campaigns:
        # `campaign show` of a petition fails on main (KeyError 'kind'): petitions show it.
        group = "petitions" if campaign["kind"] == "petition" else "campaign"
        outputs.append(_try(admin, *a_args, group, "show", str(campaign["id"])))
        if group == "campaign":
            outputs.append(_try(admin, *a_args, "campaign", "results", str(campaign["id"])))
    everything = "\n".join(outputs)
    assert MARK not in everything
    # B's campaigns are not found in A, by id.
    for campaign in b_campaigns:
        group = "petitions" if campaign["kind"] == "petition" else "campaign"
        refused = admin(*a_args, group, "show", str(campaign["id"]), expect=1)
        assert MARK not in refused.stdout + refused.stderr
    # Residents stats count A's one resident, though the same Telegram user is in B too.
    stats = json.loads(admin(*a_args, "residents", "stats", "--json").stdout)
    assert "1" in json.dumps(stats)
    assert _rows_in(database_url, b) == b_before  # and nothing of B changed


def _rows_in(database_url: str, hromada_id: int) -> list[str]:
    async def read() -> list[str]:
        app = bootstrap(Settings(database_url=database_url, _env_file=None))
        try:
            return await _rows_of(app, hromada_id)
        finally:
            await app.aclose()

    return run_blocking(read())


def _try(admin: Any, *args: str) -> str:
    """Run a listing; a command this installation does not have (or that needs more) still
    must not print B's data."""
    for expect in (0, 1, 2):
        try:
            done = admin(*args, expect=expect)
        except AssertionError:
            continue
        return done.stdout + done.stderr
    raise AssertionError(f"spilno-admin {' '.join(args)} failed unexpectedly")


@pytest.mark.local_only(
    "asks the computer's user (no role anywhere) to choose a hromada, as the local CLI does; "
    "remotely a token names its hromada and such a user has none"
)
def test_the_hromada_option_refuses_an_unknown_slug_and_a_stranger(
    two_hromadas_db, tmp_path, monkeypatch, capsys, cli_mode
):
    database_url, _b = two_hromadas_db
    admin = cli_runner(database_url, tmp_path, monkeypatch, capsys, mode=cli_mode)
    unknown = admin("--hromada", "nowhere", "campaign", "list", expect=2)
    assert unknown.stderr.strip().count("\n") == 0 and "nowhere" in unknown.stderr
    several = admin("campaign", "list", expect=2)
    assert "--hromada" in several.stderr
    # taras is an official of A only; roles exist in B (olha is its city admin).
    admin("--hromada", "main", "--as", "olha", "officials", "add", "taras", "--role", "moderator")
    # taras's token is A's: it opens no hromada but A.
    stranger = admin("--hromada", "bravo", "--as", "taras", "campaign", "list", expect=1)
    assert "your token is for another hromada than bravo" in stranger.stderr
    assert stranger.stderr.strip().count("\n") == 0
    monkeypatch.setenv("SPILNO_HROMADA", "bravo")
    listed = json.loads(admin("--as", "olha", "campaign", "list", "--json").stdout)
    assert listed and all(MARK in c["title"] for c in listed)


async def test_row_level_security_without_any_filter(app):
    if app.engine.dialect.name != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    a, b, _sa, _sb = await _two_hromadas(app)
    with in_hromada(a):
        async with app.uow_factory() as uow:
            session = uow._session  # a raw query, past every repository filter
            everywhere = await session.execute(text("SELECT DISTINCT hromada_id FROM campaigns"))
            assert [h for (h,) in everywhere] == [a]
            assert (
                await session.execute(
                    text("SELECT count(*) FROM citizens WHERE hromada_id = :b"), {"b": b}
                )
            ).scalar_one() == 0
            with pytest.raises(Exception, match="row-level security"):
                await session.execute(
                    text(
                        "INSERT INTO audit_log (hromada_id, seq, at, actor, action, object_type,"
                        " object_id, prev_hash, hash) VALUES (:b, 999, now(), 'x', 'x', 'x', 'x',"
                        " 'x', 'x')"
                    ),
                    {"b": b},
                )
    # The operator sees every hromada.
    async with app.operator_uow() as uow:
        found = await uow._session.execute(text("SELECT DISTINCT hromada_id FROM campaigns"))
        assert sorted(h for (h,) in found) == [a, b]


async def test_audit_chains_are_per_hromada(app):
    a, b, _sa, _sb = await _two_hromadas(app)
    async with app.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(AuditRow.hromada_id, func.min(AuditRow.seq), func.count()).group_by(
                    AuditRow.hromada_id
                )
            )
        ).all()
    assert {h: (first, n) for h, first, n in rows}[b][0] == 1  # B's chain starts at 1 too
    for hromada_id in (a, b):
        with in_hromada(hromada_id):
            async with app.uow_factory() as uow:
                verification = await audit_service.verify(uow)
        assert verification.ok and verification.entries > 0


async def test_the_scheduler_sweeps_every_hromada_in_its_own_scope(app, clock):
    from datetime import timedelta

    from core.campaigns.model import CampaignStatus
    from core.polls import service as polls
    from core.scheduling.jobs import sweep_campaigns

    async with app.engine.begin() as conn:
        b = (
            await conn.execute(
                insert(HromadaRow).values(slug="bravo", created_at=clock()).returning(HromadaRow.id)
            )
        ).scalar_one()
    scheduled = {}
    for hromada_id in (1, b):
        with in_hromada(hromada_id):
            async with app.uow_factory() as uow:
                poll = await polls.create_poll(
                    uow,
                    question="Park?",
                    options=["Yes", "No"],
                    actor="scheduler",
                    now=clock(),
                    opens_at=clock() + timedelta(minutes=1),
                    closes_at=clock() + timedelta(days=1),
                )
                await uow.commit()
            scheduled[hromada_id] = poll.id
    clock.advance(minutes=2)
    opened, _closed = await sweep_campaigns(app.uow_factory, clock)
    assert sorted(opened) == sorted(scheduled.values())
    for hromada_id, poll_id in scheduled.items():
        with in_hromada(hromada_id):
            async with app.uow_factory() as uow:
                campaign = await uow.campaigns.get(poll_id)
        assert campaign is not None and campaign.status is CampaignStatus.OPEN
    async with app.engine.connect() as conn:  # each hromada's audit log has its own opening
        rows = (
            await conn.execute(
                select(AuditRow.hromada_id, AuditRow.object_id).where(
                    AuditRow.action == "campaign.open"
                )
            )
        ).all()
    assert sorted(rows) == sorted((h, str(p)) for h, p in scheduled.items())
