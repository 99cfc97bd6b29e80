"""A hromada's profile: files parse or fail with the line, field and problem; applying one
adds, renames, retires (when records use it) or deletes districts and topics; the bot shows
the current hromada's districts in the resident's language."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.dialogs import Dialogs
from core.citizens import home_district as homes
from core.hromadas import service as hromadas
from core.hromadas.default import default_profile, default_profile_text
from core.hromadas.model import HromadaSettings, Names, ProfileChange, Topic, plan_profile
from core.hromadas.profile_file import parse_profile
from core.kernel.errors import CampaignFileError
from tests.databases import SqliteUnitOfWorkFactory
from tests.dialogs import stored
from tests.examples import HROMADA_EXAMPLES
from tests.fakes.clock import FakeClock
from tests.fakes.resident import Resident

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KYIV = (EXAMPLES / "hromada-kyiv.yaml").read_text(encoding="utf-8")
BILA_TSERKVA = (EXAMPLES / "hromada-bila-tserkva.yaml").read_text(encoding="utf-8")

SMALL = """\
name: {uk: Громада, en: Hromada}
districts:
  - {code: city, uk: Уся громада, en: Whole hromada}
  - {code: north, uk: Північ, en: North}
topics:
  - {code: roads, uk: Дороги, en: Roads}
"""


def error_of(text: str) -> CampaignFileError:
    with pytest.raises(CampaignFileError) as caught:
        parse_profile(text)
    return caught.value


# --- the example files ------------------------------------------------------------------------


def test_every_hromada_example_is_listed_and_valid():
    assert sorted(p.name for p in EXAMPLES.glob("hromada-*.yaml")) == sorted(HROMADA_EXAMPLES)
    for name in HROMADA_EXAMPLES:
        profile = parse_profile((EXAMPLES / name).read_text(encoding="utf-8"))
        assert profile.district("city") is not None and profile.active_topics(), name


def test_the_kyiv_example_has_its_ten_districts_in_ukrainian_and_english():
    profile = parse_profile(KYIV)
    homes_ = profile.home_districts()
    assert [d.code for d in homes_] == [
        "holosiivskyi", "darnytskyi", "desnianskyi", "dniprovskyi", "obolonskyi",
        "pecherskyi", "podilskyi", "sviatoshynskyi", "solomianskyi", "shevchenkivskyi",
    ]  # fmt: skip
    assert homes_[0].names == Names("Голосіївський", "Holosiivskyi")
    assert profile.settings.timezone == "Europe/Kyiv"
    assert profile.settings.ideas_support_threshold == 500
    assert profile.welcome is not None


def test_the_built_in_profile_is_the_bila_tserkva_example():
    assert default_profile_text() == BILA_TSERKVA
    profile = parse_profile(BILA_TSERKVA)
    assert profile == default_profile()
    assert [d.code for d in profile.districts] == [
        "city", "center", "zarichchia", "rotok", "hayok", "pishchanyi",
    ]  # fmt: skip
    assert profile.topic("greenery").names == Names("Парки й озеленення", "Parks and greenery")
    # Its settings are left to SPILNO_* (the installation's defaults).
    assert profile.settings == HromadaSettings()


# --- files with problems: the line, the field, the problem -------------------------------------


def test_bad_yaml_names_its_line():
    error = error_of(SMALL + "  - {code: x, uk: [\n")
    assert error.reason == "yaml_syntax"
    assert error.params["line"] >= 6


def test_an_unknown_key_is_refused_at_its_line():
    error = error_of(SMALL.replace("  - {code: north,", "  - {colour: red, code: north,"))
    assert (error.reason, error.params["line"], error.params["field"]) == (
        "extra_forbidden",
        4,
        "districts[2].colour",
    )


def test_a_duplicate_code_points_at_the_second():
    text = SMALL + "  - {code: roads, uk: Шляхи, en: Highways}\n"
    error = error_of(text)
    assert (error.reason, error.params["line"], error.params["value"]) == (
        "duplicate_code",
        7,
        "roads",
    )
    assert error.params["field"] == "topics[2].code"


def test_a_parent_that_does_not_exist_is_refused():
    text = SMALL.replace("en: North}", "en: North, parent: south}")
    error = error_of(text)
    assert (error.reason, error.params["line"], error.params["value"]) == (
        "unknown_parent",
        4,
        "south",
    )


def test_parents_nest_one_level_and_a_retired_parent_needs_retired_children():
    nested = SMALL.replace(
        "topics:",
        "  - {code: south, uk: Південь, en: South, parent: north}\n"
        "  - {code: village, uk: Село, en: Village, parent: south}\ntopics:",
    )
    assert error_of(nested).reason == "nested_parent"
    retired = SMALL.replace("en: North}", "en: North, retired: true}").replace(
        "topics:", "  - {code: village, uk: Село, en: Village, parent: north}\ntopics:"
    )
    assert error_of(retired).reason == "retired_parent"
    ok = SMALL.replace(
        "topics:", "  - {code: village, uk: Село, en: Village, parent: north}\ntopics:"
    )
    assert parse_profile(ok).district("village").parent == "north"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("timezone: Europe/Atlantis", "unknown_timezone"),
        ("quiet_hours: late", "bad_quiet_hours"),
        ("default_language: de", "literal_error"),
        ("digest_hour: 24", "less_than_equal"),
        ("ideas_support_threshold: '100'", "int_type"),
    ],
)
def test_bad_settings_are_refused_at_their_line(line, reason):
    error = error_of(SMALL + line + "\n")
    assert (error.reason, error.params["line"]) == (reason, 7)


def test_the_whole_hromada_entry_is_required_and_fixed():
    assert error_of(SMALL.replace("code: city", "code: all")).reason == "no_whole_hromada"
    retired = SMALL.replace("en: Whole hromada}", "en: Whole hromada, retired: true}")
    assert error_of(retired).reason == "whole_hromada_fixed"


def test_a_bad_code_and_an_empty_name_are_refused():
    assert error_of(SMALL.replace("code: north", "code: North")).reason == (
        "string_pattern_mismatch"
    )
    assert error_of(SMALL.replace("uk: Північ", "uk: ''")).reason == "string_too_short"


# --- what applying a file changes --------------------------------------------------------------


def test_left_out_entries_are_deleted_unless_records_use_them():
    current = default_profile()
    wanted = parse_profile(KYIV)
    plan = plan_profile(current, wanted, {("district", "rotok"), ("topic", "other")})
    by_code = {(c.entry, c.code): c.what for c in plan.changes}
    assert by_code[("district", "rotok")] == "retired_in_use"
    assert by_code[("district", "center")] == "deleted"
    assert by_code[("district", "holosiivskyi")] == "added"
    assert by_code[("district", "city")] == "renamed"
    # "other" is in Kyiv's file too: unchanged, so not listed.
    assert ("topic", "other") not in by_code
    rotok = plan.profile.district("rotok")
    assert rotok is not None and rotok.retired
    assert plan.profile.district("center") is None
    assert "rotok" not in [d.code for d in plan.profile.home_districts()]


def test_retiring_and_restoring_explicitly_and_renaming():
    current = default_profile()
    retired = replace(
        current,
        topics=tuple(
            Topic(t.code, t.names, retired=t.code == "safety")
            if t.code != "roads"
            else Topic("roads", Names("Дороги", "Roads"))
            for t in current.topics
        ),
    )
    plan = plan_profile(current, retired, set())
    assert ProfileChange("topic", "safety", "retired") in plan.changes
    assert any(c.code == "roads" and c.what == "renamed" for c in plan.changes)
    back = plan_profile(plan.profile, current, set())
    assert ProfileChange("topic", "safety", "restored") in back.changes
    assert plan_profile(current, current, set()).changes == ()


# --- on a real unit of work --------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def factory(sqlite_uow: SqliteUnitOfWorkFactory) -> SqliteUnitOfWorkFactory:
    return sqlite_uow


async def apply_file(factory, clock, text: str):
    async with factory() as uow:
        plan = await hromadas.apply(uow, parse_profile(text), actor="mayor", now=clock())
        await uow.commit()
    return plan


async def test_after_applying_kyiv_the_bot_offers_kyivs_districts_in_ukrainian(factory, clock):
    dialogs = Dialogs(factory, clock=clock, default_locale="uk")
    resident = Resident(dialogs, "oksana")
    await resident.command("start")
    await resident.press("Українська", "Налаштування")
    await resident.press("Мій район")
    assert "Центр" in resident.buttons()  # Bila Tserkva's, as migration 0018 seeded

    await apply_file(factory, clock, KYIV)
    await resident.press("Налаштування")
    await resident.press("Мій район")
    buttons = set(resident.buttons())
    assert {"Голосіївський", "Солом'янський", "Шевченківський"} <= buttons
    assert "Центр" not in buttons and "Увесь Київ" not in buttons
    await resident.press("Подільський")
    await resident.press("Так")
    assert (await stored(factory, resident)).home_district == "podilskyi"


async def test_a_retired_home_district_is_still_named_but_no_longer_offered(factory, clock):
    dialogs = Dialogs(factory, clock=clock, default_locale="uk")
    resident = Resident(dialogs, "taras")
    await resident.command("start")
    await resident.press("English")
    async with factory() as uow:
        citizen = await uow.citizens.get_by_identity(resident.identity)
        await homes.set_home_district(uow, citizen, "rotok", clock())
        await uow.commit()
    plan = await apply_file(factory, clock, KYIV)
    assert ProfileChange("district", "rotok", "retired_in_use") in plan.changes
    assert ProfileChange("district", "center", "deleted", "Центр / Center") in plan.changes
    await resident.press("Settings")
    assert "Rotok" in resident.text  # where they live, still named
    clock.advance(days=31)
    await resident.press("My home district")
    assert "Rotok" not in resident.buttons()
    assert "Obolonskyi" in resident.buttons()  # the English name for an English reader


async def test_the_profile_sets_the_support_threshold_and_the_welcome(factory, clock):
    async with factory() as uow:
        assert uow.policies.ideas.support_threshold == 100  # SPILNO_* default
    await apply_file(factory, clock, KYIV)
    async with factory() as uow:
        assert uow.policies.ideas.support_threshold == 500
        assert uow.policies.delivery.digest_hour == 19
    dialogs = Dialogs(factory, clock=clock, default_locale="uk")
    resident = Resident(dialogs, "ivan")
    await resident.command("start")
    await resident.press("Українська")
    assert "громадському боті Києва" in " ".join(r.text for r in resident.replies)


async def test_applying_is_audit_logged_and_a_stale_confirmation_is_refused(factory, clock):
    async with factory() as uow:
        plan = await hromadas.plan_apply(uow, parse_profile(KYIV))
    await apply_file(factory, clock, KYIV)
    async with factory() as uow:
        with pytest.raises(hromadas.HromadaProfileError) as caught:
            await hromadas.apply(
                uow, parse_profile(KYIV), actor="mayor", now=clock(), expected=plan.changes
            )
        assert caught.value.reason == "profile_changed"
        entries = await uow.audit.list(limit=10, org=None, since=None)
    assert any(e.action == "hromada.apply_profile" and e.actor == "mayor" for e in entries)


async def test_the_profiles_time_zone_is_the_hromadas_time(factory, clock):
    from zoneinfo import ZoneInfo

    from core.kernel.i18n import current_timezone

    async with factory() as uow:
        assert current_timezone() == ZoneInfo("Europe/Kyiv")  # SPILNO_TIMEZONE's default
    await apply_file(factory, clock, SMALL + "timezone: Europe/Warsaw\nquiet_hours: 'off'\n")
    async with factory() as uow:
        assert current_timezone() == ZoneInfo("Europe/Warsaw")
        assert uow.policies.delivery.quiet_start is None


async def test_retired_codes_stay_readable_in_records_but_are_refused_for_new_ones(factory, clock):
    from core.campaigns.audience import Audience, AudienceKind
    from core.citizens import subscriptions
    from core.citizens.model import IdentityRef
    from core.citizens.service import resolve_citizen
    from core.kernel.errors import ValidationError

    async with factory() as uow:
        citizen, _ = await resolve_citizen(uow, IdentityRef("test", "a"), clock())
        assert await subscriptions.toggle(uow, citizen, "district", "rotok")
        await uow.commit()
    await apply_file(factory, clock, KYIV)  # rotok: retired, since someone follows it
    async with factory() as uow:
        # A campaign stored with it still goes to that district's followers.
        stored = Audience.parse("district:rotok", stored=True)
        assert (stored.kind, stored.code) == (AudienceKind.DISTRICT, "rotok")
        with pytest.raises(ValidationError):
            Audience.parse("district:rotok")  # a new audience cannot name it
        citizen, _ = await resolve_citizen(uow, IdentityRef("test", "a"), clock())
        with pytest.raises(ValidationError):
            await subscriptions.toggle(uow, citizen, "district", "center")  # deleted
        # Following it can be undone, not redone.
        assert not await subscriptions.toggle(uow, citizen, "district", "rotok")
        with pytest.raises(ValidationError):
            await subscriptions.toggle(uow, citizen, "district", "rotok")
