"""The actions the CLI and the admin API share (admin_cli/actions.py, admin_cli/catalog.py):
every action is listed, its parameters and result can travel as JSON, and the OpenAPI
document describes each with schemas whose references all resolve."""

from __future__ import annotations

import importlib
import json
import pkgutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

import admin_cli
from admin_cli import catalog
from admin_cli.actions import Action, ActionContext, action

if TYPE_CHECKING:
    from core.kernel.unit_of_work import UnitOfWork


def _actions_in_modules() -> dict[str, str]:
    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(admin_cli.__path__):
        module = importlib.import_module(f"admin_cli.{info.name}")
        for attribute, value in vars(module).items():
            if isinstance(value, Action) and value.func.__module__ == module.__name__:
                found[value.name] = f"{module.__name__}:{attribute}"
    return found


def test_the_catalog_lists_every_action_where_it_lives() -> None:
    assert _actions_in_modules() == catalog.ACTIONS


@pytest.mark.parametrize("name", list(catalog.ACTIONS))
def test_each_action_has_json_parameters_and_result(name: str) -> None:
    found = catalog.find(name)
    assert found is not None and found.name == name
    assert found.params_model.model_json_schema()
    assert found.result_model.model_json_schema(mode="serialization")
    assert found.summary


@dataclass
class _Report:
    title: str
    chart: bytes
    counts: list[int] = field(default_factory=list)


@action("test.report")
async def _report(ctx: ActionContext, uow: UnitOfWork, *, title: str, n: int = 2) -> _Report:
    """A report with a file in it."""
    return _Report(title, b"\x89PNG\x00\xff", list(range(n)))


def test_parameters_and_results_round_trip_through_json_with_files_as_base64() -> None:
    body = _report.params_json({"title": "Парк"})
    assert json.loads(body) == {"title": "Парк", "n": 2}
    assert _report.params_from_json(body) == {"title": "Парк", "n": 2}
    wire = _report.result_json(_Report("Парк", b"\x89PNG\x00\xff", [1]))
    assert b"\\x89" not in wire and json.loads(wire)["chart"]  # base64 text, not raw bytes
    assert _report.result_from_json(wire) == _Report("Парк", b"\x89PNG\x00\xff", [1])
    # the admin API's side (pydantic) writes and reads the same JSON
    assert _report.params_from_request(body) == {"title": "Парк", "n": 2}
    assert _report.result_from_json(_report.response_json(_Report("Парк", b"\xff", []))) == (
        _Report("Парк", b"\xff", [])
    )


def test_unknown_or_missing_parameters_are_refused_by_the_admin_api() -> None:
    with pytest.raises(ValueError):
        _report.params_from_request(b'{"title": "x", "drop": 1}')
    with pytest.raises(ValueError):
        _report.params_from_request(b"{}")
    with pytest.raises(ValueError):
        _report.params_from_request(b'{"title": "x", "n": "many"}')
    assert _report.params_from_request(b'{"title": "x"}') == {"title": "x", "n": 2}


def test_the_cli_refuses_unknown_or_missing_parameters_as_a_programming_error() -> None:
    with pytest.raises(TypeError, match="drop"):
        _report.params_json({"title": "x", "drop": 1})
    with pytest.raises(TypeError, match="title"):
        _report.params_json({})
    with pytest.raises(TypeError, match="drop"):
        _report.params_from_json(b'{"title": "x", "n": 2, "drop": 1}')
    with pytest.raises(TypeError, match="title"):
        _report.params_from_json(b"{}")
    with pytest.raises(ValueError):
        _report.params_from_json(b'{"title": "x", "n": "many"}')
    with pytest.raises(TypeError):
        _report.params_json({"title": "x", "n": "many"})


def test_an_action_takes_keyword_only_parameters() -> None:
    with pytest.raises(TypeError):

        @action("test.positional")
        async def _positional(ctx: ActionContext, uow: UnitOfWork, title: str) -> str:
            return title


def test_the_openapi_document_describes_every_action_and_its_references_resolve() -> None:
    from bot.admin_openapi import document

    doc = document()
    assert doc["openapi"].startswith("3.")
    paths = {p.rsplit("/", 1)[-1] for p in doc["paths"]}
    assert paths == set(catalog.ACTIONS)
    schemas = doc["components"]["schemas"]
    text = json.dumps(doc)
    refs = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
    assert refs and refs <= set(schemas)
    json.dumps(doc)  # JSON as served
