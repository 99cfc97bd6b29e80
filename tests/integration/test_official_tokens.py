"""Officials' personal tokens on a real database (SQLite and PostgreSQL): issued once, verified
by hash, rotated, revoked, expired; never stored, audit-logged or logged (issue 19)."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text

from core.audit.tables import AuditRow
from core.hromadas.tables import HromadaRow
from core.kernel import redaction
from core.officials import service as officials
from core.officials import tokens
from core.officials.model import PermissionDeniedError, Role
from core.officials.tables import OfficialTokenRow
from core.officials.token_model import TOKEN_LENGTH, TokenRefusedError

MAYOR = "mayor"
MAIN = 1  # the hromada migration 0017 made


async def _city_admin(app, name: str = MAYOR) -> None:
    async with app.uow_factory() as uow:
        await officials.grant_city_role(
            uow, actor=name, official=name, role=Role.CITY_ADMIN, now=app.clock()
        )
        await uow.commit()


async def _issue(app, official: str, role: Role = Role.MODERATOR, **kwargs) -> tokens.IssuedToken:
    async with app.uow_factory() as uow:
        issued = await tokens.issue(
            uow,
            actor=MAYOR,
            official=official,
            role=role,
            hromada_id=kwargs.pop("hromada_id", MAIN),
            now=app.clock(),
            **kwargs,
        )
        await uow.commit()
    assert issued is not None
    return issued


async def _verify(app, token: str) -> tokens.TokenIdentity:
    async with app.uow_factory() as uow:
        return await tokens.verify(uow, token, app.clock())


async def _refusal(app, token: str) -> str:
    with pytest.raises(TokenRefusedError) as refused:
        await _verify(app, token)
    return refused.value.reason


async def test_an_issued_token_speaks_for_its_official_hromada_and_role(app):
    await _city_admin(app)
    issued = await _issue(app, "olha")
    assert issued.token.startswith("spl_") and len(issued.token) == TOKEN_LENGTH
    identity = await _verify(app, issued.token)
    assert (identity.official, identity.hromada_id, identity.role) == ("olha", MAIN, Role.MODERATOR)
    assert identity.token_id == issued.stored.id
    # Surrounding whitespace from a copy and paste is forgiven; anything else is not.
    assert (await _verify(app, f"  {issued.token}\n")).official == "olha"


async def test_what_is_stored_is_the_tokens_hash_never_the_token(app):
    await _city_admin(app)
    issued = await _issue(app, "olha")
    async with app.engine.connect() as conn:
        rows = (await conn.execute(select(OfficialTokenRow.__table__))).mappings().all()
        audit = (await conn.execute(select(AuditRow.__table__))).mappings().all()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0].values())
    assert issued.token not in stored and issued.token[4:] not in stored
    assert rows[0]["token_hash"] == hashlib.sha256(issued.token.encode()).hexdigest()
    logged = " ".join(str(value) for row in audit for value in row.values())
    assert "official.token_issue" in logged
    assert issued.token[4:] not in logged and rows[0]["token_hash"] not in logged
    assert issued.token not in repr(issued)


async def test_a_wrong_token_is_refused_whatever_its_shape(app):
    await _city_admin(app)
    issued = await _issue(app, "olha")
    other = "spl_" + "A" * (TOKEN_LENGTH - 4)
    assert await _refusal(app, other) == "unknown"
    assert await _refusal(app, issued.token[:-1]) == "malformed"
    assert await _refusal(app, issued.token + "x") == "malformed"
    assert await _refusal(app, "") == "malformed"
    assert await _refusal(app, "Bearer " + issued.token) == "malformed"
    assert await _refusal(app, issued.token.replace("spl_", "spx_")) == "malformed"
    assert await _refusal(app, issued.token[:-1] + "€") == "malformed"
    # Its hash is no token either: a dump of the table opens nothing.
    assert await _refusal(app, hashlib.sha256(issued.token.encode()).hexdigest()) == "malformed"


async def test_rotating_replaces_the_token_and_keeps_the_role(app):
    await _city_admin(app)
    first = await _issue(app, "olha")
    async with app.uow_factory() as uow:
        second = await tokens.rotate(
            uow, actor=MAYOR, official="olha", hromada_id=MAIN, now=app.clock()
        )
        await uow.commit()
    assert second is not None and second.token != first.token
    assert await _refusal(app, first.token) == "revoked"
    identity = await _verify(app, second.token)
    assert (identity.official, identity.role) == ("olha", Role.MODERATOR)


async def test_rotating_without_a_live_token_takes_the_strongest_city_role(app):
    await _city_admin(app)
    async with app.uow_factory() as uow:
        assert (
            await tokens.rotate(uow, actor=MAYOR, official="ivan", hromada_id=MAIN, now=app.clock())
            is None
        )
        for role in (Role.MODERATOR, Role.CITY_ADMIN):
            await officials.grant_city_role(
                uow, actor=MAYOR, official="ivan", role=role, now=app.clock()
            )
        issued = await tokens.rotate(
            uow, actor=MAYOR, official="ivan", hromada_id=MAIN, now=app.clock()
        )
        await uow.commit()
    assert issued is not None
    assert (await _verify(app, issued.token)).role == Role.CITY_ADMIN


async def test_an_organizations_official_gets_a_token_that_opens_their_organization_only(app):
    # A clerk of the library, who holds no city role, works from their own computer too.
    from core.organizations import service as organizations

    await _city_admin(app)
    async with app.uow_factory() as uow:
        library = await organizations.create_organization(
            uow, actor=MAYOR, slug="library", name="Library", now=app.clock()
        )
        await organizations.create_organization(
            uow, actor=MAYOR, slug="museum", name="Museum", now=app.clock()
        )
        await officials.grant_org_role(
            uow,
            actor=MAYOR,
            official="nadia",
            role=Role.ORG_EDITOR,
            org_id=library.id,
            org_slug=library.slug,
            now=app.clock(),
        )
        # Only who manages the hromada's officials hands out tokens, an organization's too.
        with pytest.raises(PermissionDeniedError):
            await tokens.rotate(
                uow, actor="nadia", official="nadia", hromada_id=MAIN, now=app.clock()
            )
        issued = await tokens.rotate(
            uow, actor=MAYOR, official="nadia", hromada_id=MAIN, now=app.clock()
        )
        await uow.commit()
    assert issued is not None
    identity = await _verify(app, issued.token)
    assert (identity.official, identity.role) == ("nadia", Role.ORG_EDITOR)
    # What the token opens are the official's grants: the library's events, not the museum's.
    from core.officials.model import Permission

    async with app.uow_factory() as uow:
        museum = await organizations.get_by_slug(uow, "museum")
        await officials.require(uow, identity.official, Permission.PUBLISH, library.id)
        with pytest.raises(PermissionDeniedError):
            await officials.require(uow, identity.official, Permission.PUBLISH, museum.id)


async def test_a_second_issue_is_refused_while_a_token_works(app):
    await _city_admin(app)
    first = await _issue(app, "olha")
    async with app.uow_factory() as uow:
        again = await tokens.issue(
            uow, actor=MAYOR, official="olha", role=Role.MODERATOR, hromada_id=MAIN, now=app.clock()
        )
    assert again is None
    assert (await _verify(app, first.token)).official == "olha"


async def test_a_revoked_token_is_refused_and_revoking_again_does_nothing(app):
    await _city_admin(app)
    issued = await _issue(app, "olha")
    async with app.uow_factory() as uow:
        assert (
            await tokens.revoke(uow, actor=MAYOR, official="olha", hromada_id=MAIN, now=app.clock())
            == 1
        )
        await uow.commit()
    assert await _refusal(app, issued.token) == "revoked"
    async with app.uow_factory() as uow:
        assert (
            await tokens.revoke(uow, actor=MAYOR, official="olha", hromada_id=MAIN, now=app.clock())
            == 0
        )
        actions = [e.action for e in await uow.audit.list(limit=10)]
    assert actions.count("official.token_revoke") == 1
    # Revoked, she may be given a new one.
    assert (await _verify(app, (await _issue(app, "olha")).token)).official == "olha"


async def test_a_token_stops_working_when_it_expires(app, clock):
    await _city_admin(app)
    issued = await _issue(app, "olha", expires_at=clock() + timedelta(days=90))
    clock.advance(days=89, hours=23)
    assert (await _verify(app, issued.token)).official == "olha"
    clock.advance(hours=1)
    assert await _refusal(app, issued.token) == "expired"
    # Expired, it no longer blocks a new one.
    assert (await _verify(app, (await _issue(app, "olha")).token)).official == "olha"


async def test_a_token_belongs_to_one_hromada(app):
    await _city_admin(app)
    async with app.engine.begin() as conn:
        await conn.execute(
            insert(HromadaRow).values(id=2, slug="kyiv", created_at=datetime.now(UTC))
        )
    async with app.uow_factory() as uow:
        assert await tokens.hromada_id_of(uow, "kyiv") == 2
        assert await tokens.hromada_id_of(uow, "nowhere") is None
    in_kyiv = await _issue(app, "olha", hromada_id=2)
    at_home = await _issue(app, "olha")  # the same name in another hromada: its own token
    assert (await _verify(app, in_kyiv.token)).hromada_id == 2
    assert (await _verify(app, at_home.token)).hromada_id == MAIN
    async with app.uow_factory() as uow:
        await tokens.revoke(uow, actor=MAYOR, official="olha", hromada_id=2, now=app.clock())
        await uow.commit()
    assert await _refusal(app, in_kyiv.token) == "revoked"
    assert (await _verify(app, at_home.token)).hromada_id == MAIN


async def test_only_an_official_who_manages_officials_issues_tokens(app):
    await _city_admin(app)
    await _issue(app, "olha")  # a moderator
    async with app.uow_factory() as uow:
        with pytest.raises(PermissionDeniedError):
            await tokens.issue(
                uow,
                actor="olha",
                official="ivan",
                role=Role.CITY_ADMIN,
                hromada_id=MAIN,
                now=app.clock(),
            )
        with pytest.raises(PermissionDeniedError):
            await tokens.rotate(
                uow, actor="olha", official="olha", hromada_id=MAIN, now=app.clock()
            )
        with pytest.raises(PermissionDeniedError):
            await tokens.revoke(
                uow, actor="olha", official="mayor", hromada_id=MAIN, now=app.clock()
            )


async def test_the_table_holds_no_plain_token_column(app):
    async with app.engine.connect() as conn:
        if app.engine.dialect.name == "sqlite":
            columns = {r[1] for r in await conn.execute(text("PRAGMA table_info(official_tokens)"))}
        else:
            columns = {
                r[0]
                for r in await conn.execute(
                    text(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_name = 'official_tokens'"
                    )
                )
            }
    assert "token_hash" in columns and "token" not in columns


def test_a_token_never_reaches_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    token = tokens.new_token()
    logger = logging.getLogger("spilno.test.tokens")
    with caplog.at_level(logging.INFO, logger="spilno.test.tokens"):
        logger.info("request with Authorization: Bearer %s", token)
        try:
            raise ValueError(f"bad token {token}")
        except ValueError:
            logger.exception("failed")
    logged = caplog.text
    assert token not in logged and token[4:] not in logged
    assert "Bearer spl_***" in logged
    assert redaction.redact(f"x={token[:30]}") == "x=spl_***"  # cut short, still masked
