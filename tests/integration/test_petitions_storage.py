"""Petitions on SQLite and PostgreSQL: one signature per citizen (a constraint, also under
concurrent taps), the threshold crossed once, a merge keeping one signature, the upgrade."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from core.citizens import home_district as homes
from core.citizens import service as citizens
from core.citizens.forget import forget_citizen
from core.citizens.merge import merge_citizens
from core.citizens.model import IdentityRef
from core.delivery.tables import BroadcastRow, OutboxRow
from core.kernel.unit_of_work import ConflictError
from core.petitions import service as petitions
from core.petitions.model import Decision, NewPetition, PetitionPolicy, PetitionStatus
from core.petitions.tables import PetitionSignatureRow
from tests.dialogs import verify_phone

POLICY = PetitionPolicy(days=90, threshold=3)


async def resident(app, name: str) -> int:
    """A verified resident with a home district (what signing needs)."""
    async with app.uow_factory() as uow:
        citizen, _new = await citizens.resolve_citizen(
            uow, IdentityRef("telegram", name), app.clock()
        )
        await citizens.choose_locale(uow, citizen, "uk")
        await verify_phone(uow, citizen, app.clock())
        await homes.set_home_district(uow, citizen, "center", app.clock())
        await uow.commit()
    return citizen.id


async def open_petition(app, author: int) -> int:
    async with app.uow_factory() as uow:
        petition = await petitions.file_petition(
            uow,
            NewPetition(author, "Міська рада", "Ліхтарі на Надроссі", "Прошу ліхтарі.", "roads"),
            now=app.clock(),
        )
        await petitions.approve_petition(
            uow, petition.id, actor="olha", now=app.clock(), policy=POLICY
        )
        await uow.commit()
    return petition.id


async def retrying(app, work) -> None:
    for _attempt in range(20):
        try:
            async with app.uow_factory() as uow:
                await work(uow)
                await uow.commit()
            return
        except ConflictError:  # SQLite: "database is locked" under concurrent writers
            await asyncio.sleep(0.02)
    raise AssertionError("never committed")


async def test_the_database_refuses_a_second_signature_of_one_citizen(app):
    author = await resident(app, "author")
    petition_id = await open_petition(app, author)
    async with app.uow_factory() as uow:
        session = uow.citizens._session  # type: ignore[attr-defined]
        with pytest.raises(IntegrityError):
            await session.execute(
                insert(PetitionSignatureRow).values(
                    petition_id=petition_id, citizen_id=author, created_at=app.clock()
                )
            )


async def test_concurrent_taps_count_each_citizen_once_and_cross_the_threshold_once(app):
    author = await resident(app, "author")
    petition_id = await open_petition(app, author)
    signers = [await resident(app, f"s{i}") for i in range(4)]

    async def tap(citizen_id: int) -> None:
        async def work(uow):
            await petitions.sign_petition(
                uow, petition_id=petition_id, citizen_id=citizen_id, now=app.clock()
            )

        await retrying(app, work)

    # Every signer taps three times at once (double taps, a redelivered button).
    await asyncio.gather(*(tap(c) for c in signers for _ in range(3)))
    async with app.uow_factory() as uow:
        petition = await petitions.get_petition(uow, petition_id)
        assert petition.signatures == 5  # the author and four signers
        assert await uow.petitions.signer_ids(petition_id) == sorted([author, *signers])
        assert petition.status == PetitionStatus.THRESHOLD_REACHED
        assert petition.answer_due_at is not None and petition.answer_due_at > app.clock()
        reached = [e for e in await uow.audit.list() if e.action == "petition.threshold_reached"]
        assert len(reached) == 1
    async with app.engine.connect() as conn:
        broadcasts = await conn.execute(
            select(BroadcastRow.id).where(BroadcastRow.kind == "petition.threshold")
        )
        assert len(broadcasts.all()) == 1


async def test_a_merge_keeps_one_signature_and_recounts(app):
    author = await resident(app, "author")
    petition_id = await open_petition(app, author)
    older, younger = await resident(app, "tg"), await resident(app, "vb")
    for citizen_id in (older, younger):
        async with app.uow_factory() as uow:
            await petitions.sign_petition(
                uow, petition_id=petition_id, citizen_id=citizen_id, now=app.clock()
            )
            await uow.commit()
    async with app.uow_factory() as uow:
        assert (await petitions.get_petition(uow, petition_id)).status == (
            PetitionStatus.THRESHOLD_REACHED
        )
        await merge_citizens(
            uow, younger, older, actor="telegram:1", reason="test", now=app.clock()
        )
        await uow.commit()
    async with app.uow_factory() as uow:
        assert await uow.petitions.signer_ids(petition_id) == [author, older]
        assert (await petitions.get_petition(uow, petition_id)).signatures == 2


async def test_the_answer_reaches_the_author_and_every_signer_once(app):
    author = await resident(app, "author")
    petition_id = await open_petition(app, author)
    signers = [await resident(app, f"s{i}") for i in range(3)]
    async with app.uow_factory() as uow:
        for citizen_id in signers:
            await petitions.sign_petition(
                uow, petition_id=petition_id, citizen_id=citizen_id, now=app.clock()
            )
        await petitions.answer_petition(
            uow,
            petition_id,
            decision=Decision.SUPPORTED,
            text="Ліхтарі встановимо до кінця місяця.",
            actor="ivan",
            now=app.clock(),
        )
        await uow.commit()
    async with app.engine.connect() as conn:
        rows = await conn.execute(
            select(OutboxRow.citizen_id, OutboxRow.locale, BroadcastRow.payloads)
            .join(BroadcastRow, BroadcastRow.id == OutboxRow.broadcast_id)
            .where(BroadcastRow.kind == "petition.answered")
            .order_by(OutboxRow.citizen_id)
        )
        found = [(r.citizen_id, r.payloads[r.locale]["text"]) for r in rows]
    assert [c for c, _t in found] == sorted([author, *signers])
    assert all("Ліхтарі встановимо" in text and "підтримано" in text for _c, text in found)
    async with app.uow_factory() as uow:
        petition = await petitions.get_petition(uow, petition_id)
        assert petition.status == PetitionStatus.ANSWERED
        assert not petition.campaign.is_accepting(app.clock())  # signing ended with the answer


async def test_upgrading_a_database_of_the_previous_release_adds_petitions(app):
    """0015_petitions only adds tables: the campaigns and residents already there are untouched, and a
    petition can be filed and signed right after."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from core.storage.migrate import alembic_config, current_revision, head_revision, upgrade

    # The release before petitions, whichever revision the chain puts under 0015.
    previous = ScriptDirectory.from_config(alembic_config()).get_revision("0015_petitions")

    def downgrade(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, previous.down_revision)

    author = await resident(app, "author")
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
    assert await current_revision(app.engine) == head_revision()
    async with app.uow_factory() as uow:
        assert [c.title for c in await uow.campaigns.list()] == ["Old poll"]
    petition_id = await open_petition(app, author)
    async with app.uow_factory() as uow:
        assert (await petitions.get_petition(uow, petition_id)).signatures == 1


async def test_forget_withdraws_a_signature_while_collecting_and_keeps_it_once_closed(app):
    author = await resident(app, "author")
    collecting, answered = await open_petition(app, author), await open_petition(app, author)
    leaving, staying = await resident(app, "leaving"), await resident(app, "staying")
    async with app.uow_factory() as uow:
        for petition_id in (collecting, answered):
            for citizen_id in (leaving, staying):
                await petitions.sign_petition(
                    uow, petition_id=petition_id, citizen_id=citizen_id, now=app.clock()
                )
        await petitions.answer_petition(
            uow, answered, decision=Decision.SUPPORTED, text="Так.", actor="ivan", now=app.clock()
        )
        await uow.commit()
    async with app.uow_factory() as uow:
        counts = await forget_citizen(uow, leaving, now=app.clock(), locale="uk")
        await uow.commit()
    assert counts.withdrawn["petition_signatures"] == 1
    async with app.uow_factory() as uow:
        still = await petitions.get_petition(uow, collecting)
        closed = await petitions.get_petition(uow, answered)
        # Withdrawn where it still counts toward the threshold; the answered one keeps 3,
        # one of them now an anonymous citizen's.
        assert (still.signatures, closed.signatures) == (2, 3)
        assert await uow.petitions.signer_ids(collecting) == [author, staying]
        kept = await uow.petitions.signer_ids(answered)
        assert len(kept) == 3 and leaving not in kept and {author, staying} <= set(kept)
