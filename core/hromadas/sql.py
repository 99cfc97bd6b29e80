"""The profile's SQL: rows of hromada_profiles, hromada_districts, hromada_topics.

Every query names its hromada explicitly, so it is right in an operator unit of work (where
nothing filters by hromada: `hromada list`, `hromada create`, an operator applying another
hromada's profile) as in a scoped one, which refuses other hromadas (`require_scope`) rather than
have its fences answer "no profile"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, text, union
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.hromadas import current
from core.hromadas.model import (
    District,
    Entry,
    HromadaProfile,
    HromadaSettings,
    Names,
    Topic,
)
from core.hromadas.ports import HromadaSummary
from core.hromadas.profile_tables import HromadaDistrictRow, HromadaProfileRow, HromadaTopicRow
from core.hromadas.rls import HROMADA_SETTING
from core.hromadas.tables import HromadaRow
from core.storage.tenancy import require_scope


class SqlProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, hromada_id: int) -> HromadaProfile | None:
        require_scope(self._session, hromada_id)
        row = (
            await self._session.execute(
                select(HromadaProfileRow).where(HromadaProfileRow.hromada_id == hromada_id)
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        districts = (
            await self._session.execute(
                select(HromadaDistrictRow)
                .where(HromadaDistrictRow.hromada_id == hromada_id)
                .order_by(HromadaDistrictRow.position)
            )
        ).scalars()
        topics = (
            await self._session.execute(
                select(HromadaTopicRow)
                .where(HromadaTopicRow.hromada_id == hromada_id)
                .order_by(HromadaTopicRow.position)
            )
        ).scalars()
        welcome = (
            None
            if row.welcome_uk is None or row.welcome_en is None
            else Names(row.welcome_uk, row.welcome_en)
        )
        return HromadaProfile(
            names=Names(row.name_uk, row.name_en),
            districts=tuple(
                District(d.code, Names(d.name_uk, d.name_en), d.parent_code, d.retired)
                for d in districts
            ),
            topics=tuple(Topic(t.code, Names(t.name_uk, t.name_en), t.retired) for t in topics),
            settings=HromadaSettings(
                timezone=row.timezone,
                default_locale=row.default_locale,
                ideas_support_threshold=row.ideas_support_threshold,
                quiet_hours=row.quiet_hours,
                digest_hour=row.digest_hour,
            ),
            welcome=welcome,
        )

    async def save(self, hromada_id: int, profile: HromadaProfile, now: datetime) -> None:
        require_scope(self._session, hromada_id)
        s = profile.settings
        values = {
            "name_uk": profile.names.uk,
            "name_en": profile.names.en,
            "timezone": s.timezone,
            "default_locale": s.default_locale,
            "ideas_support_threshold": s.ideas_support_threshold,
            "quiet_hours": s.quiet_hours,
            "digest_hour": s.digest_hour,
            "welcome_uk": None if profile.welcome is None else profile.welcome.uk,
            "welcome_en": None if profile.welcome is None else profile.welcome.en,
            "updated_at": now,
        }
        # Whole lists are rewritten: a profile is a few dozen rows, written by hand, rarely.
        for table in (HromadaProfileRow, HromadaDistrictRow, HromadaTopicRow):
            await self._session.execute(delete(table).where(table.hromada_id == hromada_id))
        await self._session.execute(
            insert(HromadaProfileRow).values(hromada_id=hromada_id, **values)
        )
        await self._session.execute(
            insert(HromadaDistrictRow),
            [
                {
                    "hromada_id": hromada_id,
                    "code": d.code,
                    "name_uk": d.names.uk,
                    "name_en": d.names.en,
                    "parent_code": d.parent,
                    "retired": d.retired,
                    "position": i,
                }
                for i, d in enumerate(profile.districts)
            ],
        )
        await self._session.execute(
            insert(HromadaTopicRow),
            [
                {
                    "hromada_id": hromada_id,
                    "code": t.code,
                    "name_uk": t.names.uk,
                    "name_en": t.names.en,
                    "retired": t.retired,
                    "position": i,
                }
                for i, t in enumerate(profile.topics)
            ],
        )

    async def codes_in_use(self, hromada_id: int) -> set[tuple[Entry, str]]:
        # Other features' tables, imported here: every unit of work loads the profile through
        # this module, and a simple command needs none of them.
        from core.campaigns.tables import CampaignRow
        from core.citizens.tables import CitizenRow
        from core.delivery.tables import SubscriptionRow
        from core.ideas.tables import IdeaRow
        from core.pb.tables import PbPotRow
        from core.petitions.tables import PetitionRow

        require_scope(self._session, hromada_id)
        districts = union(
            select(IdeaRow.district).where(IdeaRow.hromada_id == hromada_id),
            select(CitizenRow.home_district).where(
                CitizenRow.hromada_id == hromada_id, CitizenRow.home_district.is_not(None)
            ),
            select(SubscriptionRow.code).where(
                SubscriptionRow.hromada_id == hromada_id, SubscriptionRow.kind == "district"
            ),
            select(PbPotRow.pot).where(PbPotRow.hromada_id == hromada_id),
        )
        topics = union(
            select(IdeaRow.topic).where(IdeaRow.hromada_id == hromada_id),
            select(PetitionRow.topic).where(PetitionRow.hromada_id == hromada_id),
            select(SubscriptionRow.code).where(
                SubscriptionRow.hromada_id == hromada_id, SubscriptionRow.kind == "topic"
            ),
        )
        used: set[tuple[Entry, str]] = set()
        used |= {("district", c) for c in (await self._session.execute(districts)).scalars()}
        used |= {("topic", c) for c in (await self._session.execute(topics)).scalars()}
        # A campaign names districts in its eligibility ("a,b") and its audience ("district:a").
        campaigns = await self._session.execute(
            select(CampaignRow.eligible_districts, CampaignRow.audience).where(
                CampaignRow.hromada_id == hromada_id
            )
        )
        for eligible, audience in campaigns:
            used |= {("district", c) for c in (eligible or "").split(",") if c}
            kind, _sep, code = (audience or "").partition(":")
            if kind in ("district", "topic") and code:
                used.add((kind, code))  # type: ignore[arg-type]
        return used

    async def find_slug(self, slug: str) -> int | None:
        found = await self._session.execute(select(HromadaRow.id).where(HromadaRow.slug == slug))
        return found.scalar_one_or_none()

    async def create_hromada(self, slug: str, now: datetime) -> int:
        require_scope(self._session)  # an operator's act: its rows belong to no scope's hromada
        result = await self._session.execute(
            insert(HromadaRow).values(slug=slug, created_at=now).returning(HromadaRow.id)
        )
        return int(result.scalar_one())

    async def hromadas(self) -> list[HromadaSummary]:
        require_scope(self._session)  # every hromada's profile: an operator's view
        found = await self._session.execute(select(HromadaRow).order_by(HromadaRow.id))
        rows = list(found.scalars())
        return [HromadaSummary(r.id, r.slug, r.created_at, await self.load(r.id)) for r in rows]


async def load_current(
    session_factory: async_sessionmaker[AsyncSession], hromada_id: int
) -> HromadaProfile:
    """The hromada's profile for the unit of work opening now (see core/hromadas/current.py):
    from the cache, else read in a short transaction of its own, so the unit of work's own
    transaction starts no earlier than before."""
    engine = session_factory.kw.get("bind")
    database = "" if engine is None else str(engine.url)
    fresh, profile = current.cached(database, hromada_id)
    if not fresh:
        async with session_factory() as session:
            if session.get_bind().dialect.name == "postgresql":
                # Row-level security (core/hromadas/rls.py) shows this hromada's rows only.
                await session.execute(
                    text(f"SELECT set_config('{HROMADA_SETTING}', :id, true)"),
                    {"id": str(hromada_id)},
                )
            profile = await SqlProfileRepository(session).load(hromada_id)
            await session.rollback()
        current.remember(database, hromada_id, profile)
    return current.use_profile(hromada_id, profile)
