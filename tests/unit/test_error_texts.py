"""Every error type × reason core can raise has words for residents (chat) and officials (CLI),
in Ukrainian and in English.

The reasons are found by reading core's source: every call constructing a `SpilnoError`
subclass, with its literal reason (or none: the reason is then the class's code). A reason that
is computed must be listed in `COMPUTED` below, so a new one cannot slip past this test.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import core
from admin_cli import errors as cli_errors
from bot.dialogs import errors as chat_errors
from core.campaigns.eligibility import Ineligible
from core.citizens import subscriptions
from core.kernel.errors import CampaignFileError, SpilnoError
from core.kernel.i18n import use_locale

ROOT = Path(__file__).resolve().parents[2]


def _error_classes() -> dict[str, type[SpilnoError]]:
    for module in pkgutil.walk_packages(core.__path__, "core."):
        if ".migrations" not in module.name:  # Alembic's env.py runs only inside Alembic
            importlib.import_module(module.name)
    found: dict[str, type[SpilnoError]] = {}
    todo = [SpilnoError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def _returned_constants(path: str, function: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text())
    body = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    return {
        n.value.value
        for n in ast.walk(body)
        if isinstance(n, ast.Return) and isinstance(n.value, ast.Constant)
    }


# Reasons built at run time: (file, error type) → every reason that site can produce.
COMPUTED: dict[tuple[str, str], set[str]] = {
    ("core/citizens/subscriptions.py", "ValidationError"): {
        f"unknown_{kind}" for kind in subscriptions.KINDS
    }
    | {"unknown_subscription"},
    ("core/delivery/broadcasts.py", "ValidationError"): {
        "audience_unknown_org",
        "audience_unknown_participants",
        "audience_unknown_event",
    },
    ("core/campaigns/eligibility.py", "NotEligibleError"): {reason.value for reason in Ineligible},
    # Petitions: not verified, or (where the hromada admits residents only) no home district.
    ("core/petitions/service.py", "NotEligibleError"): {
        Ineligible.NOT_VERIFIED.value,
        Ineligible.NO_DISTRICT.value,
    },
    ("core/officials/service.py", "PermissionDeniedError"): _returned_constants(
        "core/officials/model.py", "refusal_reason"
    ),
}
# pydantic's open-ended problem codes, worded per file by admin_cli/campaign_files.py.
NOT_HERE = (CampaignFileError,)


def _reason_arg(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "reason"), None)


def _raised(classes: dict[str, type[SpilnoError]]) -> Iterator[tuple[type[SpilnoError], str]]:
    for path in sorted((ROOT / "core").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            cls = classes.get(node.func.id)
            if cls is None or issubclass(cls, NOT_HERE):
                continue
            arg = _reason_arg(node)
            if arg is None:
                yield cls, cls.code
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield cls, arg.value
            else:
                assert (where, cls.__name__) in COMPUTED, (
                    f"{where}:{node.lineno} builds a {cls.__name__} reason at run time: "
                    "list the reasons it can produce in COMPUTED"
                )
                yield from ((cls, reason) for reason in COMPUTED[where, cls.__name__])


RAISED = sorted(set(_raised(_error_classes())), key=lambda pair: (pair[0].__name__, pair[1]))
AUDIENCES = {"chat": chat_errors, "cli": cli_errors}
WHEN = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
# Every parameter some text reads, with a plausible value.
SAMPLE = {
    "opens_at": WHEN,
    "closes_at": WHEN,
    "voting_opens_at": WHEN,
    "kind": "poll",
    "max": 5,
    "min": 2,
    "max_mb": 5,
    "limit": 3,
    "max_choices": 2,
    "length": 900,
    "options": 3,
    "option": "Park",
    "field": "title",
    "value": "topic:parks",
    "audience": "citizens:x",
    "status": "open",
    "target": "closed",
    "campaign_id": 7,
    "idea": "2026-0001",
    "comment": 4,
    "item": "c4",
    "entry_id": 9,
    "call_id": 2,
    "slug": "green-city",
    "event_id": 3,
    "broadcast_id": 11,
    "official": "telegram:1",
    "permission": "publish",
    "known": "admin, editor",
    "next_change_at": WHEN,
    "verified": True,
    "districts": ("zarichchia", "rotok"),
    "home_district": "center",
}


def _label(pair: tuple[type[SpilnoError], str]) -> str:
    return f"{pair[0].__name__}:{pair[1]}"


def test_the_scan_finds_the_reasons_core_raises():
    names = {_label(pair) for pair in RAISED}
    assert {
        "ValidationError:question_empty",
        "PermissionDeniedError:not_an_official",
        "ValidationError:unknown_district",
        "CampaignClosedError:campaign_closed",
        "WrongPhaseError:submissions_closed",
    } <= names
    assert len(names) > 80


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("pair", RAISED, ids=_label)
def test_every_reason_has_a_text_in_both_languages(audience, pair):
    error_type, reason = pair
    table = AUDIENCES[audience].TEXTS
    assert any((cls, reason) in table for cls in error_type.__mro__), (
        f"{_label(pair)} has no {audience} text: add one to {AUDIENCES[audience].__name__}.TEXTS"
    )
    error = error_type(reason, **SAMPLE)
    texts = {}
    for locale in ("uk", "en"):
        with use_locale(locale):
            texts[locale] = AUDIENCES[audience].error_text(error)
        assert texts[locale].strip() and "{" not in texts[locale]
    assert texts["uk"] != texts["en"], f"{_label(pair)}: the {audience} text is not translated"


@pytest.mark.parametrize("kind", ["poll", "consultation", "contest"])
@pytest.mark.parametrize("audience", AUDIENCES)
def test_texts_that_depend_on_the_campaign_kind_render_for_every_kind(audience, kind):
    for pair in RAISED:
        error = pair[0](pair[1], **{**SAMPLE, "kind": kind})
        for locale in ("uk", "en"):
            with use_locale(locale):
                assert AUDIENCES[audience].error_text(error).strip()
