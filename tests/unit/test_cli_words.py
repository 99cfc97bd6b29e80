"""Every code an official can meet in `spilno-admin` has words in uk and en (admin_cli/words.py).

The codes are walked, not listed: every member of the enums (the shared ones and every campaign
kind's, from admin_cli/kinds.py), every audit action and push kind written anywhere in core/.
A new one fails here until it has words in both languages.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from admin_cli import contests, ideas, words
from admin_cli.kinds import KINDS
from core.campaigns.model import CampaignKind, CampaignStatus, ResultsVisibility
from core.citizens.model import VerificationLevel
from core.consultations.model import QuestionType
from core.contests.model import ContestPhase, EntryStatus
from core.ideas.model import IdeaStatus, OfficialStatus, ReportReason, ReportTarget
from core.kernel import i18n
from core.officials.model import Role
from core.organizations.model import EventStatus

ROOT = Path(__file__).resolve().parents[2]
CORE_SOURCE = "\n".join(p.read_text("utf-8") for p in sorted((ROOT / "core").rglob("*.py")))

ENUM_TABLES: list[tuple[type[StrEnum], dict[str, str]]] = [
    (CampaignStatus, words.CAMPAIGN_STATUS),
    (CampaignKind, words.CAMPAIGN_KIND),
    (ResultsVisibility, words.RESULTS_VISIBILITY),
    (EventStatus, words.EVENT_STATUS),
    (Role, words.ROLE),
    (VerificationLevel, words.VERIFICATION_LEVEL),
    *(pair for kind in KINDS for pair in kind.enum_words),
]


def test_the_kinds_bring_their_enums():
    walked = {enum for enum, _table in ENUM_TABLES}
    kinds = {IdeaStatus, OfficialStatus, ReportReason, ReportTarget, EntryStatus, ContestPhase}
    assert kinds | {QuestionType} <= walked


def audit_actions_in_core() -> set[str]:
    found: set[str] = set()
    for literal, alternative in re.findall(
        r'action=\s*"([a-z_.]+)"(?:\s+if\s+[\w.]+\s+else\s+"([a-z_.]+)")?', CORE_SOURCE
    ):
        found |= {literal, alternative} - {""}
    for suffix in re.findall(r'action=f"\{target\.value\}\.(\w+)"', CORE_SOURCE):
        found |= {f"{target.value}.{suffix}" for target in ReportTarget}
    assert re.findall(r"action=f\"", CORE_SOURCE) == ['action=f"'] * len(
        re.findall(r'action=f"\{target\.value\}', CORE_SOURCE)
    ), "an audit action built some other way: teach this test to expand it"
    return found


def push_kinds_in_core() -> set[str]:
    found = set(re.findall(r'kind="([a-z_]+(?:\.[a-z_]+)?)"', CORE_SOURCE))
    found |= set(re.findall(r'\bto_citizens\(\s*uow,\s*"([a-z_.]+)"', CORE_SOURCE))
    for suffix in re.findall(r'kind=f"\{campaign\.kind\}\.(\w+)"', CORE_SOURCE):
        found |= {f"{kind.value}.{suffix}" for kind in CampaignKind}
    # kind= of other things: a campaign's kind in error params, a subscription's kind
    return found - {kind.value for kind in CampaignKind} - {"topic", "district"}


def catalog(locale: str) -> dict[str, str]:
    with (i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f, locale=locale) if isinstance(m.id, str)}


ALL_TABLES = [table for _enum, table in ENUM_TABLES] + [
    words.PARTICIPATION,
    words.AUDIT_ACTION,
    words.PUSH_KIND,
    words.SYSTEM_ACTOR,
    words.AUDIT_OBJECT,
]


@pytest.mark.parametrize(("enum", "table"), ENUM_TABLES, ids=lambda v: getattr(v, "__name__", ""))
def test_every_enum_member_has_words(enum, table):
    assert {m.value for m in enum} <= set(table), (
        f"{enum.__name__} needs words in admin_cli/words.py"
    )


def test_every_audit_action_written_in_core_has_words():
    actions = audit_actions_in_core()
    assert {"poll.create", "campaign.open", "idea.hide", "contest.reject"} <= actions
    assert actions <= set(words.AUDIT_ACTION), actions - set(words.AUDIT_ACTION)


def test_every_push_kind_written_in_core_has_words():
    kinds = push_kinds_in_core()
    assert {"announcement", "poll.opened", "contest.winners", "idea.threshold"} <= kinds
    assert kinds <= set(words.PUSH_KIND), kinds - set(words.PUSH_KIND)


@pytest.mark.parametrize("locale", ["uk", "en"])
def test_every_word_is_translated_in_both_languages(locale):
    translations = catalog(locale)
    missing = [
        msgid for table in ALL_TABLES for msgid in table.values() if not translations.get(msgid)
    ]
    assert not missing, f"untranslated in {locale} (run python locales/sync.py): {missing}"


@pytest.mark.parametrize(
    ("show", "code"),
    [
        (words.status, CampaignStatus.SCHEDULED),
        (words.results_visibility, ResultsVisibility.AFTER_CLOSE),
        (ideas.idea_status, IdeaStatus.PENDING),
        (ideas.idea_answer, OfficialStatus.UNDER_REVIEW),
        (ideas.report_reason, ReportReason.SPAM),
        (contests.entry_status, EntryStatus.PENDING),
        (words.audit_action, "poll.create"),
        (words.push_kind, "poll.opened"),
        (words.kind, CampaignKind.IDEA_CALL),
    ],
)
def test_ukrainian_officials_read_words_not_codes(show, code):
    with i18n.use_locale("uk"):
        shown = show(code)
    assert shown != str(code) and re.search("[а-яіїєґ]", shown), shown


def test_values_read_as_words_in_ukrainian():
    with i18n.use_locale("uk"):
        assert words.yes_no(True) == "так" and words.yes_no(False) == "ні"
        assert contests.entry_counts({"pending": 0, "approved": 3, "rejected": 0}) == (
            "чекає на схвалення: 0 · схвалена: 3 · відхилена: 0"
        )
        assert ideas.reasons({"spam": 1}) == "спам або реклама: 1"
        assert words.when("2026-12-05T08:00:00+00:00") == "5 грудня 2026, 10:00"  # Kyiv time
        assert words.when(None) == "—"
        assert words.percent(66.66) == "66,7"
        assert words.audience("topic:transport") == "тема: Транспорт"
        assert words.audience(None) == words.audience("all") == "усі підписники"
    with i18n.use_locale("en"):
        assert words.percent(66.66) == "66.7"
        assert words.when(datetime(2026, 12, 5, 8, tzinfo=UTC)) == "5 December 2026, 10:00"


def test_every_participation_table_has_words():
    from core.citizens.sql import NOT_PARTICIPATION
    from core.storage.participation import CITIZEN_REFERENCES

    tables = {ref.table for ref in CITIZEN_REFERENCES} - NOT_PARTICIPATION
    assert tables <= set(words.PARTICIPATION), "residents show needs words for these tables"


def test_the_light_kind_names_are_the_names_each_kind_gives_itself() -> None:
    # admin_cli/kind_names.py spares `campaign list` importing every kind's CLI module.
    from admin_cli.kind_names import KIND_NAMES

    assert {k.kind: k.name for k in KINDS} == KIND_NAMES
