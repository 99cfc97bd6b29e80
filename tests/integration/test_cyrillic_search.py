"""Searches ignore the case of Ukrainian letters on SQLite as on PostgreSQL.

SQLite's own lower() folds only ASCII, so "зелен" used to miss "Зелене місто" there.
"""

from __future__ import annotations

import pytest

from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.ideas import service as ideas
from core.ideas.model import NewIdea
from core.organizations import service as organizations

# slug -> name; names are stored in the case shown, queries below use the other one.
ORGS = {
    "green-city": "Зелене місто",
    "gudzyk": "Ґудзик",
    "yednist": "ЄДНІСТЬ ГРОМАДИ",
    "irpin": "Ірпінь разом",
    "yizhak": "їжачок",
}
QUERIES = [
    ("зелен", "green-city"),
    ("ЗЕЛЕН", "green-city"),
    ("зЕлЕнЕ МіСтО", "green-city"),
    ("ґудз", "gudzyk"),
    ("ҐУДЗ", "gudzyk"),
    ("єдніст", "yednist"),
    ("Єдність громади", "yednist"),
    ("ірпін", "irpin"),
    ("ІРПІНЬ", "irpin"),
    ("ЇЖАЧ", "yizhak"),
    ("їжач", "yizhak"),
]


@pytest.fixture
async def orgs(app) -> None:
    async with app.uow_factory() as uow:
        for slug, name in ORGS.items():
            await organizations.create_organization(
                uow, actor="mayor", slug=slug, name=name, now=app.clock()
            )
        await uow.commit()


@pytest.mark.parametrize(("query", "slug"), QUERIES)
async def test_organization_search_ignores_the_case_of_ukrainian_letters(app, orgs, query, slug):
    async with app.uow_factory() as uow:
        found = await organizations.search(uow, query)
    assert [o.slug for o in found] == [slug]


async def test_organization_search_still_escapes_like_wildcards(app, orgs):
    async with app.uow_factory() as uow:
        assert await organizations.search(uow, "%") == []
        assert await organizations.search(uow, "_") == []
        assert len(await organizations.search(uow, "")) == len(ORGS)


@pytest.mark.parametrize(
    ("title", "draft"),
    [
        ("Ґанок для бібліотеки", "ҐАНОК БІБЛІОТЕКИ"),
        ("ЄВРОПЕЙСЬКА ПЛОЩА БЕЗ МАШИН", "європейська площа"),
        ("Ігровий майданчик на Їжакевича", "ІГРОВИЙ МАЙДАНЧИК ЇЖАКЕВИЧА"),
    ],
)
async def test_similar_ideas_ignore_the_case_of_ukrainian_letters(app, title, draft):
    async with app.uow_factory() as uow:
        author, _new = await citizens.resolve_citizen(
            uow, IdentityRef("telegram", "author"), app.clock()
        )
        idea = await ideas.submit_idea(
            uow,
            NewIdea(author.id, title, "Просимо розглянути", "greenery", "center"),
            now=app.clock(),
            policy=ideas.IdeaPolicy(premoderation=False, support_threshold=3),
        )
        await uow.commit()
    async with app.uow_factory() as uow:
        similar = await ideas.similar_ideas(uow, title=draft, description="", topic=None)
    assert [i.id for i, _score in similar] == [idea.id]
