"""Who may do what: the role matrix, enforced in the services (so by every entry point)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.campaigns import service as campaigns
from core.ideas import service as ideas
from core.ideas.model import OfficialStatus
from core.kernel.errors import SpilnoError
from core.officials import service as officials
from core.officials.model import Grant, Permission, PermissionDeniedError, Role
from core.organizations import events
from core.organizations import service as organizations
from core.polls import service as polls
from tests.databases import SqliteUnitOfWorkFactory
from tests.fakes.clock import FakeClock

OURS, THEIRS = "green-city", "blue-river"


@pytest.fixture
async def city(sqlite_uow: SqliteUnitOfWorkFactory):
    """Two organizations and one official of each role; a city admin exists, so roles bite."""
    factory, clock = sqlite_uow, FakeClock()
    async with factory() as uow:
        ours = await organizations.create_organization(
            uow, actor="system", slug=OURS, name="Green city", now=clock()
        )
        theirs = await organizations.create_organization(
            uow, actor="system", slug=THEIRS, name="Blue river", now=clock()
        )
        for grant in (
            Grant("mayor", Role.CITY_ADMIN),
            Grant("moder", Role.MODERATOR),
            Grant("boss", Role.ORG_ADMIN, ours.id),
            Grant("writer", Role.ORG_EDITOR, ours.id),
            Grant("rival", Role.ORG_ADMIN, theirs.id),
        ):
            await uow.officials.grant(grant, granted_by="test", now=clock())
        await uow.commit()
    return factory, clock


async def _post_news(uow, actor, now):
    await organizations.post_news(uow, actor=actor, slug=OURS, text="Новини", now=now)


async def _create_event(uow, actor, now):
    await events.create_event(
        uow,
        actor=actor,
        slug=OURS,
        title="Толока",
        starts_at=now + timedelta(days=2),
        place="Парк",
        now=now,
    )


async def _add_official(uow, actor, now):
    await officials.grant_org_role(
        uow,
        actor=actor,
        official="new",
        role=Role.ORG_EDITOR,
        org_id=(await organizations.get_by_slug(uow, OURS)).id,
        org_slug=OURS,
        now=now,
    )


async def _link_channel(uow, actor, now):
    await organizations.link_channel(
        uow,
        actor=actor,
        slug=OURS,
        platform="telegram",
        chat_id="-100",
        username="@g",
        title="G",
        now=now,
    )


async def _create_org(uow, actor, now):
    await organizations.create_organization(uow, actor=actor, slug="new-org", name="N", now=now)


async def _grant_city_role(uow, actor, now):
    await officials.grant_city_role(
        uow, actor=actor, official="someone", role=Role.MODERATOR, now=now
    )


async def _create_poll(uow, actor, now):
    await polls.create_poll(uow, question="Так чи ні?", options=["Так", "Ні"], actor=actor, now=now)


async def _create_idea_call(uow, actor, now):
    await ideas.create_idea_call(
        uow,
        title="Ідеї для парку",
        description="",
        actor=actor,
        now=now,
        closes_at=now + timedelta(days=7),
    )


async def _approve_idea(uow, actor, now):
    try:
        await ideas.approve_idea(uow, "ID-2026-9999", actor=actor, now=now)
    except PermissionDeniedError:
        raise
    except SpilnoError:  # allowed, and then told there is no such idea
        pass


async def _answer_idea(uow, actor, now):
    try:
        await ideas.answer_idea(
            uow, "ID-2026-9999", status=OfficialStatus.ACCEPTED, text="Так", actor=actor, now=now
        )
    except PermissionDeniedError:
        raise
    except SpilnoError:
        pass


ACTIONS = {
    "post news": _post_news,
    "create event": _create_event,
    "add org official": _add_official,
    "link channel": _link_channel,
    "create organization": _create_org,
    "grant city role": _grant_city_role,
    "create poll": _create_poll,
    "create idea call": _create_idea_call,
    "moderate idea": _approve_idea,
    "answer idea": _answer_idea,
}
ALLOWED = {
    "mayor": set(ACTIONS),
    "moder": {"moderate idea"},
    "boss": {"post news", "create event", "add org official", "link channel"},
    "writer": {"post news", "create event"},
    "rival": set(),
    "stranger": set(),
}
REASONS = {"moder": "role_lacks_permission", "stranger": "not_an_official"}
# Moderators do moderate; their refusals elsewhere still say the role lacks the permission.


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("actor", sorted(ALLOWED))
async def test_role_matrix(city, actor, action):
    factory, clock = city
    async with factory() as uow:
        if action in ALLOWED[actor]:
            await ACTIONS[action](uow, actor, clock())
            return
        with pytest.raises(PermissionDeniedError) as refused:
            await ACTIONS[action](uow, actor, clock())
    if actor in REASONS:
        assert refused.value.reason == REASONS[actor]
    if actor == "rival" and action in ("post news", "link channel"):
        assert refused.value.reason == "other_organization"


async def test_system_actors_such_as_the_scheduler_keep_working(city):
    factory, clock = city
    async with factory() as uow:
        poll = await polls.create_poll(
            uow, question="Так?", options=["Так", "Ні"], actor="demo", now=clock()
        )
        await campaigns.open_campaign(uow, poll.id, actor="scheduler", now=clock())


async def test_without_any_city_admin_every_official_may_act(sqlite_uow):
    factory, clock = sqlite_uow, FakeClock()
    async with factory() as uow:
        await officials.require(uow, "anyone", Permission.MANAGE_OFFICIALS)
        await _create_org(uow, "anyone", clock())


async def test_bootstrap_grants_configured_city_admins_only_while_there_is_none(sqlite_uow):
    factory, clock = sqlite_uow, FakeClock()
    async with factory() as uow:
        assert await officials.bootstrap_city_admins(uow, ["olha", " ", "petro"], clock()) == [
            "olha",
            "petro",
        ]
        assert await officials.bootstrap_city_admins(uow, ["ivan"], clock()) == []
        with pytest.raises(PermissionDeniedError):
            await officials.require(uow, "ivan", Permission.CREATE_ORGANIZATION)
        await officials.require(uow, "olha", Permission.CREATE_ORGANIZATION)
        assert (await uow.audit.list(limit=1))[0].action == "official.grant"
