"""The CLI's own JSON codec (admin_cli/wire.py): every action's types are ones it carries (a new
action with a type it does not know fails here, not on an official's computer), and the values
whose text has a form of its own are written exactly as pydantic writes them.
tests/unit/test_wire_contract.py holds the two sides to each other for every action."""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import json
from dataclasses import dataclass
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from admin_cli import catalog, wire


@pytest.mark.parametrize("name", list(catalog.ACTIONS))
def test_the_codec_carries_every_actions_parameters_and_result(name: str) -> None:
    action = catalog.find(name)
    assert action is not None
    for parameter in list(inspect.signature(action.func).parameters.values())[2:]:
        carried = wire.codec(action.annotations[parameter.name])
        if parameter.default is not inspect.Parameter.empty:  # defaults are written out
            json.dumps(carried.encode(parameter.default))
    wire.codec(action.annotations["return"])


class _Shade(enum.Enum):
    DARK = object()


@pytest.mark.parametrize(
    "annotation", [int | str, dict[int, str], object, complex, _Shade, Literal[_Shade.DARK]]
)
def test_a_type_it_cannot_carry_is_refused_when_the_codec_is_built(annotation: Any) -> None:
    with pytest.raises(wire.UnsupportedType):
        wire.codec(annotation)


@dataclass
class _Bad:
    n: int
    more: list[_Bad]
    shade: _Shade


def test_a_dataclass_with_a_field_it_cannot_carry_is_refused() -> None:
    with pytest.raises(wire.UnsupportedType):
        wire.codec(_Bad)
    with pytest.raises(wire.UnsupportedType):  # and not half-built the second time
        wire.codec(list[_Bad])
    with pytest.raises(wire.UnsupportedType):
        wire.codec(_Bad)


@dataclass(frozen=True)
class _Node:
    name: str
    children: tuple[_Node, ...] = ()


def test_a_dataclass_may_contain_itself() -> None:
    tree = _Node("a", (_Node("b"), _Node("c", (_Node("d"),))))
    carried = wire.codec(_Node)
    assert carried.decode(json.loads(wire.dumps(carried.encode(tree)))) == tree


def _pydantic_json(annotation: Any, value: Any) -> Any:
    from pydantic import TypeAdapter

    from admin_cli.actions import WIRE_CONFIG

    return json.loads(TypeAdapter(annotation, config=WIRE_CONFIG).dump_json(value))  # type: ignore[arg-type]


_OFFSETS = st.integers(-18 * 60, 18 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(timezones=st.just(dt.UTC))
    | st.datetimes()
    | st.datetimes(timezones=_OFFSETS)
    | st.datetimes(timezones=st.timezones())
    .filter(lambda d: not d.utcoffset() or d.utcoffset().seconds % 60 == 0)  # type: ignore[union-attr]
    .filter(lambda d: not (d.utcoffset() or dt.timedelta()).microseconds)
)
def test_a_datetime_is_written_as_pydantic_writes_it(value: dt.datetime) -> None:
    written = wire.codec(dt.datetime).encode(value)
    assert written == _pydantic_json(dt.datetime, value)
    back = wire.codec(dt.datetime).decode(written)  # the same wall time at the same offset
    assert back.replace(tzinfo=None) == value.replace(tzinfo=None)  # (a zone's gap compares
    assert back.utcoffset() == value.utcoffset()  # unequal to an offset, so not back == value)


def test_utc_is_z_and_an_offset_of_seconds_cannot_travel() -> None:
    carried = wire.codec(dt.datetime)
    assert carried.encode(dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)) == "2026-05-01T12:00:00Z"
    back = carried.decode("2026-05-01T12:00:00Z")
    assert back.tzinfo is dt.UTC
    lmt = dt.timezone(dt.timedelta(hours=2, minutes=2, seconds=4))
    with pytest.raises(ValueError):  # pydantic would cut it to minutes, and reads none back
        carried.encode(dt.datetime(1900, 1, 1, tzinfo=lmt))


@settings(max_examples=200, deadline=None)
@given(st.timedeltas())
def test_a_timedelta_is_written_as_pydantic_writes_it(value: dt.timedelta) -> None:
    written = wire.codec(dt.timedelta).encode(value)
    assert written == _pydantic_json(dt.timedelta, value)
    assert wire.codec(dt.timedelta).decode(written) == value


@settings(max_examples=100, deadline=None)
@given(st.dates(), st.times() | st.times(timezones=st.just(dt.UTC)))
def test_dates_and_times_are_written_as_pydantic_writes_them(day: dt.date, at: dt.time) -> None:
    assert wire.codec(dt.date).encode(day) == _pydantic_json(dt.date, day)
    assert wire.codec(dt.time).encode(at) == _pydantic_json(dt.time, at)
    assert wire.codec(dt.time).decode(wire.codec(dt.time).encode(at)) == at


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=40))
def test_bytes_are_written_as_pydantic_writes_them(value: bytes) -> None:
    written = wire.codec(bytes).encode(value)
    assert written == _pydantic_json(bytes, value)
    assert wire.codec(bytes).decode(written) == value


def test_bytes_are_read_in_either_alphabet_padded_or_not() -> None:
    carried = wire.codec(bytes)
    assert carried.encode(b"\xfb\xff") == "-_8="  # pydantic's URL-safe alphabet
    for text in ("-_8=", "+/8=", "-_8", "+/8"):
        assert carried.decode(text) == b"\xfb\xff"
    with pytest.raises(ValueError):
        carried.decode("Y Q==")


def test_a_value_of_the_wrong_type_is_a_programming_error_when_written() -> None:
    with pytest.raises(TypeError):
        wire.codec(int).encode("7")
    with pytest.raises(TypeError):
        wire.codec(dt.date).encode(dt.datetime(2026, 1, 1))
    with pytest.raises(TypeError):
        wire.codec(Literal["a", "b"]).encode("c")
    with pytest.raises(ValueError):  # pydantic would write null, which no float reads back
        wire.codec(float).encode(float("nan"))


def test_json_that_does_not_fit_its_type_is_a_value_error_when_read() -> None:
    for annotation, value in [
        (int, "7"),
        (int, True),
        (bool, 1),
        (str, None),
        (list[int], {"a": 1}),
        (tuple[int, str], [1]),
        (dt.datetime, "yesterday"),
        (dt.timedelta, "P"),
        (_Node, {"children": []}),
        (Literal["a"], ["a"]),
        (None, 0),
    ]:
        with pytest.raises(ValueError):
            wire.codec(annotation).decode(value)


class _Colour(enum.StrEnum):
    RED = "red"


def test_any_is_written_by_what_the_value_is() -> None:
    value = {
        "when": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "colour": _Colour.RED,
        "pair": (1, 2.5),
        "node": _Node("a"),
        "raw": b"\xff",
    }
    assert wire.codec(dict[str, Any]).encode(value) == _pydantic_json(dict[str, Any], value)
