"""A campaign kind is self-contained: each layer composes the kinds' contributions from ONE list.

The lists are core/campaigns/registry.py (KINDS), admin_cli/kinds.py (KINDS) and
bot/dialogs/features.py (FEATURES). These tests walk them and check that every registered kind
brings every contribution the shared code composes — storage (tables, repositories,
participants, citizen columns), its file format, its CLI words, results and error texts, its
chat routes, menu entry and campaign link — so a new kind that forgets one fails here, not in
a resident's chat. The composition functions are also fed a throwaway kind defined only here,
to show a kind shows up without an edit to the shared modules.
"""

from __future__ import annotations

import inspect
import re
import types
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import BigInteger, Column, ForeignKey, Integer, MetaData, Table, select
from sqlalchemy.sql.selectable import SelectBase

from admin_cli import words
from admin_cli.errors import TEXTS as CLI_TEXTS
from admin_cli.kinds import BY_KIND as CLI_BY_KIND
from admin_cli.kinds import KINDS as CLI_KINDS
from bot.dialogs.campaign_links import OPENERS, RESULTS
from bot.dialogs.errors import TEXTS as CHAT_TEXTS
from bot.dialogs.feature import Feature, MenuEntry
from bot.dialogs.features import FEATURES
from bot.dialogs.menu import sections_of_the_menu
from bot.dialogs.router import ACTIONS, COMMANDS
from bot.dialogs.turn import DuplicateActionError, Turn, compose, on
from bot.ui import Action, Id, IncomingKind, Reply
from core.campaigns.kinds import CampaignKindSpec, KindRegistry
from core.campaigns.model import CampaignKind
from core.campaigns.registry import KINDS
from core.delivery.links import Link
from core.kernel.i18n import use_locale
from core.kernel.ports import Port
from core.storage.contributions import Binding, CitizenReference, OnForget, OnMerge
from core.storage.participation import CITIZEN_REFERENCES, PARTICIPANTS
from core.storage.schema import TABLE_MODULES, metadata
from tests.dialogs import english_resident, open_consultation

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Idea calls have no results of their own: their outcome is the ideas (`spilno-admin ideas`).
NO_RESULTS = {CampaignKind.IDEA_CALL}
# Polls and idea calls are created with options on the command line, not from a file;
# petitions are filed by residents in chat.
NO_FILE = {CampaignKind.POLL, CampaignKind.IDEA_CALL, CampaignKind.PETITION}


def _public_methods(protocol: type) -> set[str]:
    return {n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_")}


# --- core -------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", list(KINDS), ids=lambda s: s.kind.value)
def test_every_kind_brings_its_tables_participants_and_citizen_columns(spec):
    assert spec.tables is not None and spec.tables in TABLE_MODULES
    own_tables = {
        t.name
        for t in metadata.sorted_tables
        if any(getattr(cls, "__table__", None) is t for cls in vars(spec.tables).values())
    }
    assert own_tables, f"{spec.tables.__name__} defines no table"
    refers_to_citizens = {
        (table.name, fk.parent.name)
        for table in metadata.sorted_tables
        if table.name in own_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "citizens"
    }
    listed = {(ref.table, ref.column) for ref in spec.citizen_columns}
    assert listed == refers_to_citizens, "its spec must say how each citizen column is merged"
    assert set(spec.citizen_columns) <= set(CITIZEN_REFERENCES)
    assert spec.participants is not None and PARTICIPANTS[spec.kind.value] is spec.participants
    query = spec.participants(1)
    assert isinstance(query, SelectBase) and len(query.selected_columns) == 1


@pytest.mark.parametrize("spec", list(KINDS), ids=lambda s: s.kind.value)
async def test_every_kind_binds_repositories_that_implement_their_ports(spec, sqlite_uow):
    assert spec.repositories, "a kind keeps its state in its own repository"
    async with sqlite_uow() as uow:
        for binding in spec.repositories:
            repository = uow.repository(binding.port)
            assert isinstance(repository, binding.build)  # type: ignore[arg-type]
            missing = _public_methods(binding.port.protocol) - set(dir(repository))
            assert not missing, f"{type(repository).__name__} lacks {missing}"
            assert getattr(uow, binding.port.name) is repository  # tests' `uow.contests`


async def test_a_port_no_kind_binds_is_refused(sqlite_uow):
    stray: Port[object] = Port("contests", object)  # same name, another port: identity counts
    async with sqlite_uow() as uow:
        with pytest.raises(LookupError, match="contests"):
            uow.repository(stray)
        with pytest.raises(AttributeError, match="contets"):
            _ = uow.contets  # a typo is an error, never a silent None


@pytest.mark.parametrize("spec", list(KINDS), ids=lambda s: s.kind.value)
def test_every_kind_created_from_a_file_parses_its_example(spec):
    if spec.kind in NO_FILE:
        assert spec.parse_file is None
        return
    assert spec.parse_file is not None
    text = (EXAMPLES / f"{spec.kind.value}.yaml").read_text()
    plan = spec.parse_file(text, tz=ZoneInfo("Europe/Kyiv"))
    assert plan.title and plan.audience == "all"


def test_a_throwaway_kind_reaches_storage_through_its_spec_alone():
    extra = MetaData()
    Table(
        "petition_signatures",
        extra,
        Column("id", Integer, primary_key=True),
        Column("citizen_id", BigInteger, ForeignKey("citizens.id")),
    )
    tables = types.ModuleType("tests.petition_tables")
    port: Port[object] = Port("signatures", object)
    signer = CitizenReference(
        "petition_signatures", "citizen_id", OnMerge.KEEP_SURVIVORS, OnForget.ANONYMIZE
    )
    spec = CampaignKindSpec(
        CampaignKind.POLL,  # the enum value is the one registration line a kind adds
        tables=tables,
        repositories=(Binding(port, lambda session: object()),),
        participants=lambda campaign_id: select(extra.tables["petition_signatures"].c.citizen_id),
        citizen_columns=(signer,),
    )
    registry = KindRegistry((spec,))
    assert registry.table_modules() == (tables,)
    assert [b.port for b in registry.bindings()] == [port]
    assert list(registry.participants()) == ["poll"]
    assert registry.citizen_columns() == (signer,)
    with pytest.raises(ValueError, match="port registered twice"):
        KindRegistry(
            (spec, CampaignKindSpec(CampaignKind.IDEA_CALL, repositories=spec.repositories))
        )


# --- admin_cli --------------------------------------------------------------------------------


def test_every_kind_has_one_cli_module():
    assert sorted(k.kind for k in CLI_KINDS) == sorted(s.kind for s in KINDS)


@pytest.mark.parametrize("kind", list(CampaignKind), ids=str)
def test_every_kind_brings_its_cli_words_results_and_texts(kind):
    cli = CLI_BY_KIND[kind]
    assert cli.commands and all(app.registered_commands for _name, app in cli.commands)
    for locale, letters in (("uk", "[а-яіїєґ]"), ("en", "[a-z]")):
        with use_locale(locale):
            assert re.search(letters, words.kind(kind)), f"{kind} has no {locale} name"
    for push in ("opened", "reminder", "results"):  # the template's pushes, per kind
        code = f"{kind.value}.{push}"
        assert code in cli.push_kinds and words.push_kind(code) != code
    assert f"{kind.value}.create" in cli.audit_actions
    assert set(cli.audit_actions) <= set(words.AUDIT_ACTION)
    assert set(cli.error_texts.items()) <= set(CLI_TEXTS.items())
    if kind in NO_RESULTS:
        assert cli.results is None
        return
    assert cli.results is not None and cli.details is not None
    for render in ("load", "as_dict", "as_csv", "print_table", "charts"):
        assert callable(getattr(cli.results, render))
    assert inspect.iscoroutinefunction(cli.results.load)


# Kinds with a tally break it down by home district / verification (`campaign results --by`).
BREAKDOWN = {CampaignKind.POLL, CampaignKind.CONTEST, CampaignKind.CONSULTATION}


@pytest.mark.parametrize("kind", list(CampaignKind), ids=str)
def test_a_kind_breaks_its_results_down_in_core_and_the_cli_alike(kind):
    spec, cli = KINDS.spec(kind), CLI_BY_KIND[kind]
    assert (spec.breakdown is not None) == (cli.breakdown is not None) == (kind in BREAKDOWN)
    if spec.breakdown is None or cli.breakdown is None:
        return
    assert inspect.iscoroutinefunction(spec.breakdown.load) and callable(
        spec.breakdown.district_line
    )
    for render in ("as_dict", "as_csv", "print_table", "charts"):
        assert callable(getattr(cli.breakdown, render))


# --- bot --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CampaignKind), ids=str)
def test_every_kind_has_a_chat_feature_with_routes_menu_and_link(kind):
    found = [f for f in FEATURES if f.kind == kind]
    assert len(found) == 1, f"{kind}: one dialog module in bot/dialogs/features.py"
    feature = found[0]
    assert feature.routes and all(ACTIONS[r.action.PREFIX] is r for r in feature.routes)
    assert feature.menu and feature.commands
    assert set(feature.commands.items()) <= set(COMMANDS.items())
    assert OPENERS[kind] is feature.opener
    if kind not in NO_RESULTS:
        assert RESULTS[kind] is feature.results
    assert set(feature.error_texts.items()) <= set(CHAT_TEXTS.items())
    assert feature.way_back is not None


def test_every_link_core_renders_reaches_a_bot_action():
    assert {link.value for link in Link} <= set(ACTIONS)


@dataclass(frozen=True, slots=True)
class _ShowPetition(Action):
    PREFIX = "tpet"  # not a code of any real screen
    petition_id: Id


async def _petition_screen(turn: Turn, action: _ShowPetition) -> list[Reply]:
    return [Reply(f"petition {action.petition_id}")]


def test_a_throwaway_feature_composes_into_routes_and_menu_without_edits():
    throwaway = Feature(
        routes=(on(_ShowPetition, _petition_screen),),
        menu=(MenuEntry("✍️ Petitions", _ShowPetition(1), "sign what matters", 9),),
    )
    routes = compose(*(f.routes for f in (*FEATURES, throwaway)))
    assert routes["tpet"].handler is _petition_screen
    assert _ShowPetition.unpack("tpet:7") == _ShowPetition(7)
    with pytest.raises(DuplicateActionError):
        compose(*(f.routes for f in (*FEATURES, throwaway, throwaway)))
    # The real menu is built the same way: every feature's entry, in FEATURES' order.
    entries = [e.action.pack() for f in FEATURES for e in f.menu]
    assert [s.payload for s in sections_of_the_menu()][: len(entries)] == entries


async def test_a_campaign_results_link_opens_the_kinds_own_results_screen(factory, clock, dialogs):
    consultation = await open_consultation(factory, clock)
    resident = await english_resident(dialogs)
    by_link = await resident.send(IncomingKind.BUTTON, payload=f"open:{consultation.id}:results")
    by_code = await resident.send(IncomingKind.BUTTON, payload=f"cres:{consultation.id}")
    assert [r.text for r in by_link] == [r.text for r in by_code]
    opened = await resident.send(IncomingKind.BUTTON, payload=f"open:{consultation.id}")
    assert opened[0].text != by_link[0].text  # the consultation itself, not its results
    stale = await resident.send(IncomingKind.BUTTON, payload=f"open:{consultation.id}:votes")
    assert "out of date" in stale[0].text
