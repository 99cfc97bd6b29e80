"""The bots table's SQL: set, remove and list each hromada's bots, across hromadas.

The runtime reads every hromada's bots at once and the CLI sets any hromada's, so each
transaction here runs in operator mode on PostgreSQL (core/hromadas/rls.py); the table still
has row-level security for every other path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.hromadas.bots import (
    Bot,
    BotChange,
    BotPlatform,
    BotSecrets,
    BotSummary,
    BotTokenTakenError,
    UnknownHromadaError,
    new_webhook_secret,
    token_context,
    webhook_context,
)
from core.hromadas.bots_tables import BotRow
from core.hromadas.rls import OPERATOR_SETTING
from core.hromadas.tables import HromadaRow


class SqlBots:
    def __init__(self, engine: AsyncEngine, secrets: BotSecrets) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._postgres = engine.dialect.name == "postgresql"
        self._secrets = secrets

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session, session.begin():
            if self._postgres:
                await session.execute(
                    text("SELECT set_config(:name, 'on', true)"), {"name": OPERATOR_SETTING}
                )
            yield session

    async def hromada_id(self, slug: str) -> int:
        async with self._transaction() as session:
            found = (
                await session.execute(select(HromadaRow.id).where(HromadaRow.slug == slug))
            ).scalar_one_or_none()
        if found is None:
            raise UnknownHromadaError(slug)
        return found

    async def put(
        self,
        hromada_id: int,
        platform: BotPlatform,
        token: str,
        *,
        username: str | None,
        now: datetime,
    ) -> BotChange:
        fingerprint = self._secrets.fingerprint(token)
        try:
            async with self._transaction() as session:
                return await self._put(
                    session, hromada_id, platform, token, fingerprint, username, now
                )
        except IntegrityError:  # a concurrent set-bot of the same token elsewhere won
            raise BotTokenTakenError(platform) from None

    async def _put(
        self,
        session: AsyncSession,
        hromada_id: int,
        platform: BotPlatform,
        token: str,
        fingerprint: str,
        username: str | None,
        now: datetime,
    ) -> BotChange:
        owner = (
            await session.execute(
                select(BotRow.hromada_id, BotRow.platform).where(
                    BotRow.token_fingerprint == fingerprint
                )
            )
        ).one_or_none()
        if owner is not None and tuple(owner) != (hromada_id, platform.value):
            raise BotTokenTakenError(platform)
        current = (
            await session.execute(
                select(BotRow.id, BotRow.token_fingerprint).where(
                    BotRow.hromada_id == hromada_id, BotRow.platform == platform.value
                )
            )
        ).one_or_none()
        sealed_secret = self._secrets.seal(new_webhook_secret(), context=webhook_context(platform))
        if current is None:
            bot_id = (
                await session.execute(
                    BotRow.__table__.insert()
                    .values(
                        hromada_id=hromada_id,
                        platform=platform.value,
                        token_sealed=self._secrets.seal(token, context=token_context(platform)),
                        token_fingerprint=fingerprint,
                        webhook_secret_sealed=sealed_secret,
                        username=username,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(BotRow.id)
                )
            ).scalar_one()
            return BotChange(bot_id, created=True, token_changed=True, fingerprint=fingerprint[:12])
        token_changed = current.token_fingerprint != fingerprint
        values: dict[str, object] = {"updated_at": now}
        if username is not None:
            values["username"] = username
        if token_changed:
            # A new bot: a new webhook secret too, so the old bot's webhook stops working.
            values.update(
                token_sealed=self._secrets.seal(token, context=token_context(platform)),
                token_fingerprint=fingerprint,
                webhook_secret_sealed=sealed_secret,
            )
        await session.execute(update(BotRow).where(BotRow.id == current.id).values(**values))
        return BotChange(
            current.id, created=False, token_changed=token_changed, fingerprint=fingerprint[:12]
        )

    async def remove(self, hromada_id: int, platform: BotPlatform) -> bool:
        async with self._transaction() as session:
            result = await session.execute(
                delete(BotRow).where(
                    BotRow.hromada_id == hromada_id, BotRow.platform == platform.value
                )
            )
        return bool(result.rowcount)

    async def all(self) -> list[Bot]:
        """Every hromada's bots, secrets opened (the runtime)."""
        async with self._transaction() as session:
            rows = (await session.execute(select(BotRow).order_by(BotRow.id))).scalars().all()
        bots = []
        for row in rows:
            platform = BotPlatform(row.platform)
            bots.append(
                Bot(
                    id=row.id,
                    hromada_id=row.hromada_id,
                    platform=platform,
                    token=self._secrets.open(row.token_sealed, context=token_context(platform)),
                    webhook_secret=self._secrets.open(
                        row.webhook_secret_sealed, context=webhook_context(platform)
                    ),
                    username=row.username,
                    updated_at=row.updated_at,
                )
            )
        return bots

    async def summaries(self, hromada_id: int) -> list[BotSummary]:
        async with self._transaction() as session:
            rows = await session.execute(
                select(
                    BotRow.platform, BotRow.token_fingerprint, BotRow.username, BotRow.updated_at
                )
                .where(BotRow.hromada_id == hromada_id)
                .order_by(BotRow.platform)
            )
            return [
                BotSummary(hromada_id, BotPlatform(p), fp[:12], name, at)
                for p, fp, name, at in rows.all()
            ]
