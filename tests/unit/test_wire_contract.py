"""The CLI's codec (admin_cli/wire.py) and the admin API's pydantic agree on every action's
JSON: what pydantic writes, the codec reads as pydantic reads it, and what the codec writes,
pydantic reads as it reads its own. Values come from hypothesis, generated from each action's
own annotations, so every field of every result type travels, not a few hand-picked samples.

Times: the project keeps UTC-aware datetimes, so those are generated (pydantic reads an offset
back as its own tzinfo, equal to UTC). Floats are finite and texts hold no lone surrogates:
neither side can write those as JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admin_cli import catalog
from admin_cli.actions import Action

EXAMPLES = 12  # per action and side: the whole module runs in a few seconds
CONTRACT = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)


def strategy(annotation: Any) -> st.SearchStrategy[Any]:
    """Values of `annotation`: hypothesis's own for plain types (st.from_type), kept small
    for collections, with the project's datetimes, finite floats and encodable text."""
    if annotation is Any:
        return _JSON
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union):
        return st.one_of(*(strategy(a) for a in args))
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(strategy(args[0]), max_size=3)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(strategy(args[0]), max_size=3).map(tuple)
    if origin is tuple:
        return st.tuples(*(strategy(a) for a in args))
    if origin in (set, frozenset):
        return st.sets(strategy(args[0]), max_size=3).map(origin)
    if origin is dict:
        return st.dictionaries(_TEXT, strategy(args[1]), max_size=3)
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        hints = typing.get_type_hints(annotation)
        fields = dataclasses.fields(annotation)
        return st.builds(annotation, **{f.name: strategy(hints[f.name]) for f in fields if f.init})
    if annotation is dt.datetime:
        return st.datetimes(timezones=st.just(dt.UTC))
    if annotation is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if annotation is str:
        return _TEXT
    return st.from_type(annotation)


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (a tuple is no list; any UTC tzinfo is
    UTC)."""
    if isinstance(a, dt.datetime | dt.time) and type(a) is type(b):
        return a == b and a.utcoffset() == b.utcoffset()
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def _params(action: Action[Any]) -> st.SearchStrategy[dict[str, Any]]:
    names = [n for n in action.annotations if n != "return"]
    return st.fixed_dictionaries({n: strategy(action.annotations[n]) for n in names})


ACTIONS = list(catalog.ACTIONS)


@pytest.mark.parametrize("name", ACTIONS)
def test_parameters_read_alike_on_both_sides(name: str) -> None:
    action = catalog.find(name)
    assert action is not None

    @CONTRACT
    @given(_params(action))
    def check(params: dict[str, Any]) -> None:
        ours = action.params_json(params)
        by_pydantic = action.params_model(**params).model_dump_json().encode()
        # pydantic's JSON: the codec reads what the admin API reads
        assert same(action.params_from_json(by_pydantic), action.params_from_request(by_pydantic))
        # the codec's JSON: the admin API reads what it reads of its own, and the local trip
        # gives the parameters back
        assert same(action.params_from_request(ours), action.params_from_request(by_pydantic))
        assert same(action.params_from_json(ours), params)
        assert json.loads(ours).keys() == json.loads(by_pydantic).keys()

    check()


@pytest.mark.parametrize("name", ACTIONS)
def test_results_read_alike_on_both_sides(name: str) -> None:
    action = catalog.find(name)
    assert action is not None
    result_model = action.result_model

    @CONTRACT
    @given(strategy(action.annotations["return"]))
    def check(result: Any) -> None:
        ours = action.result_json(result)
        by_pydantic = action.response_json(result)
        from_pydantic = result_model.model_validate_json(by_pydantic).root
        assert same(action.result_from_json(by_pydantic), from_pydantic)
        assert same(result_model.model_validate_json(ours).root, from_pydantic)
        assert same(action.result_from_json(ours), action.result_from_json(by_pydantic))

    check()
