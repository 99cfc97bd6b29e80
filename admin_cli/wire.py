"""The CLI's JSON for actions' parameters and results, typed by the action's annotations.

The admin API validates what it receives and writes what it answers with pydantic
(admin_cli/actions.py, bot/admin_api.py); the CLI only writes parameters it built itself and
reads answers of a trusted installation, so it needs no validator, and this codec spares every
command pydantic's import and schema build (~0.08 s of a 0.3 s budget). It writes what pydantic
writes and reads what pydantic writes (tests/unit/test_wire_contract.py holds both to it):
- bytes: base64 with padding in the URL-safe alphabet (pydantic's `ser_json_bytes="base64"`);
  either alphabet, padded or not, is read, as pydantic reads it;
- datetime / date / time: ISO 8601, 'Z' for UTC; timedelta: ISO 8601 durations as pydantic
  writes them (a year is 365 days);
- enums as their values, tuples and sets as lists, dataclasses as objects of their fields;
- `Any` by what the value is (as pydantic infers it); read back as plain JSON.
A type it does not know raises `UnsupportedType` when an action's codec is built, so a new
action with one fails its test (tests/unit/test_wire.py walks the catalog).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import enum
import json
import math
import re
import types
import typing
from collections.abc import Callable
from typing import Any

Encode = Callable[[Any], Any]  # a Python value → what json.dumps writes
Decode = Callable[[Any], Any]  # what json.loads read → the Python value

_NONE = type(None)
_JSON_SCALARS = (str, int, float, bool, _NONE)


class UnsupportedType(TypeError):
    """An annotation this codec cannot carry: a programming error, found by the tests."""


class WireError(ValueError):
    """JSON that does not fit the type it should be (as pydantic's ValidationError is a
    ValueError)."""


@dataclasses.dataclass(slots=True)
class Codec:
    encode: Encode
    decode: Decode


# Per type: built once (a dataclass's entry is set before its fields', for nested references).
_codecs: dict[Any, Codec] = {}


def codec(annotation: Any) -> Codec:
    """The codec of a resolved annotation (raises UnsupportedType)."""
    try:
        return _codecs[annotation]
    except KeyError:
        pass
    except TypeError:  # an unhashable annotation: not one we know
        raise UnsupportedType(f"cannot carry {annotation!r}") from None
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return _dataclass(annotation)
    built = _build(annotation)
    _codecs[annotation] = built
    return built


def dumps(value: Any) -> bytes:
    """JSON as the admin API reads it (NaN and infinities are refused, as pydantic would
    write them as null)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def hints(func: Callable[..., Any], names: typing.Iterable[str]) -> dict[str, Any]:
    """The annotations `names` (and "return") of `func` as types. Modules use `from __future__
    import annotations`; the action's `ctx` and `uow` name types imported only for the type
    checker, so get_type_hints resolves the others alone, in the function's module."""
    wanted = {*names, "return"}
    own = {k: v for k, v in func.__annotations__.items() if k in wanted}
    return typing.get_type_hints(types.SimpleNamespace(__annotations__=own), func.__globals__)


def _build(annotation: Any) -> Codec:
    if annotation is Any:
        return Codec(_infer, _same)
    if annotation is None or annotation is _NONE:
        return Codec(_encode_none, _expect(_NONE))
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union):
        return _optional(annotation, args)
    if origin is typing.Literal:
        return _literal(annotation, args)
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set, frozenset):
        return _collection(annotation, origin or annotation, args)
    if origin is dict or annotation is dict:
        return _dict(annotation, args)
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return _enum(annotation)
        simple = _SIMPLE.get(annotation)
        if simple is not None:
            return simple
    raise UnsupportedType(f"cannot carry {annotation!r}")


def _expect(kind: type) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise _mismatch(kind, value)
        return value

    return check


def _encode_none(value: Any) -> None:
    if value is not None:
        raise TypeError(f"expected None, got {value!r}")


def _mismatch(expected: Any, value: Any) -> WireError:
    shown = repr(value)
    return WireError(f"expected {expected!r}, got {shown[:80]}")


def _encode_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected int, got {value!r}")
    return int(value)


def _decode_int(value: Any) -> int:
    if type(value) is not int:
        raise _mismatch(int, value)
    return value


def _encode_float(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"expected float, got {value!r}")
    if not math.isfinite(value):  # pydantic writes null, which no float reads back
        raise ValueError(f"{value!r} cannot travel as JSON")
    return float(value)


def _decode_float(value: Any) -> float:
    if type(value) not in (int, float):
        raise _mismatch(float, value)
    return float(value)


def _encode_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {value!r}")
    return str(value)  # a str subclass (a StrEnum's member) as the text it is


def _encode_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected bool, got {value!r}")
    return value


def _encode_bytes(value: Any) -> str:
    if not isinstance(value, bytes | bytearray):
        raise TypeError(f"expected bytes, got {value!r}")
    return base64.urlsafe_b64encode(value).decode("ascii")


_TO_URLSAFE = str.maketrans("+/", "-_")


def _decode_bytes(value: Any) -> bytes:
    if type(value) is not str:
        raise _mismatch(bytes, value)
    text = value.translate(_TO_URLSAFE)
    if "=" not in text:
        text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, altchars=b"-_", validate=True)
    except binascii.Error as error:
        raise WireError(f"not base64: {error}") from None


def _iso(value: dt.datetime | dt.time) -> str:
    offset = value.utcoffset()
    if offset is None:
        return value.isoformat()
    if offset.microseconds or offset.seconds % 60:  # pydantic writes (and reads) whole minutes
        raise ValueError(f"{value!r}: a UTC offset of seconds cannot travel")
    text = value.isoformat()
    return text[:-6] + "Z" if not offset else text


def _encode_datetime(value: Any) -> str:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected datetime, got {value!r}")
    return _iso(value)


def _encode_date(value: Any) -> str:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(f"expected date, got {value!r}")
    return value.isoformat()


def _encode_time(value: Any) -> str:
    if not isinstance(value, dt.time):
        raise TypeError(f"expected time, got {value!r}")
    return _iso(value)


def _from_iso(kind: type[dt.date] | type[dt.time]) -> Decode:
    def decode(value: Any) -> Any:
        if type(value) is not str:
            raise _mismatch(kind, value)
        try:
            return kind.fromisoformat(value)
        except ValueError as error:
            raise WireError(str(error)) from None

    return decode


def _encode_timedelta(value: Any) -> str:
    """ISO 8601 as pydantic writes it: `-P1Y34DT23H59M57.5S` (a year is 365 days)."""
    if not isinstance(value, dt.timedelta):
        raise TypeError(f"expected timedelta, got {value!r}")
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    years, days = divmod(value.days, 365)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    date = (f"{years}Y" if years else "") + (f"{days}D" if days else "")
    second = f"{seconds}.{value.microseconds:06d}".rstrip("0") if value.microseconds else seconds
    time = (
        (f"{hours}H" if hours else "")
        + (f"{minutes}M" if minutes else "")
        + (f"{second}S" if seconds or value.microseconds else "")
    )
    if not date and not time:
        return "PT0S"
    return f"{sign}P{date}" + (f"T{time}" if time else "")


_DURATION = (
    r"(-)?P(?:(\d+)Y)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,6})?)S)?)?"
)


def _decode_timedelta(value: Any) -> dt.timedelta:
    found = re.fullmatch(_DURATION, value) if type(value) is str else None  # compiled on use
    if found is None or value.endswith(("P", "T")):
        raise _mismatch(dt.timedelta, value)
    sign, years, weeks, days, hours, minutes, seconds = found.groups()
    duration = dt.timedelta(
        days=int(years or 0) * 365 + int(weeks or 0) * 7 + int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=int((seconds or "0").partition(".")[0]),
        microseconds=int((seconds or "0.").partition(".")[2].ljust(6, "0")),
    )
    return -duration if sign else duration


_SIMPLE: dict[type, Codec] = {
    bool: Codec(_encode_bool, _expect(bool)),
    int: Codec(_encode_int, _decode_int),
    float: Codec(_encode_float, _decode_float),
    str: Codec(_encode_str, _expect(str)),
    bytes: Codec(_encode_bytes, _decode_bytes),
    dt.datetime: Codec(_encode_datetime, _from_iso(dt.datetime)),
    dt.date: Codec(_encode_date, _from_iso(dt.date)),
    dt.time: Codec(_encode_time, _from_iso(dt.time)),
    dt.timedelta: Codec(_encode_timedelta, _decode_timedelta),
}


def _same(value: Any) -> Any:
    return value


def _infer(value: Any) -> Any:
    """`Any`: by what the value is, as pydantic infers it."""
    if isinstance(value, enum.Enum):
        return _infer(value.value)
    if type(value) in (str, int, bool, _NONE):
        return value
    for kind in (bool, int, str):  # a subclass's instance as the plain value it is
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, float):
        return _encode_float(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_infer(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError(f"JSON object keys must be str: {value!r}")
        return {str(key): _infer(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _infer(getattr(value, f.name)) for f in dataclasses.fields(value)}
    for kind, simple in _SIMPLE.items():
        if isinstance(value, kind):
            return simple.encode(value)
    raise TypeError(f"cannot carry {type(value).__name__}: {value!r}")


def _optional(annotation: Any, args: tuple[Any, ...]) -> Codec:
    others = [a for a in args if a is not _NONE]
    if len(others) != 1 or len(args) != 2:
        raise UnsupportedType(f"cannot carry {annotation!r}: only a union of one type with None")
    inner = codec(others[0])

    def encode(value: Any) -> Any:
        return None if value is None else inner.encode(value)

    def decode(value: Any) -> Any:
        return None if value is None else inner.decode(value)

    return Codec(encode, decode)


def _literal(annotation: Any, args: tuple[Any, ...]) -> Codec:
    if not all(type(a) in _JSON_SCALARS for a in args):
        raise UnsupportedType(f"cannot carry {annotation!r}: only literals of JSON scalars")
    allowed = {(type(a), a) for a in args}

    def encode(value: Any) -> Any:
        if (type(value), value) not in allowed:
            raise TypeError(f"expected {annotation!r}, got {value!r}")
        return value

    def decode(value: Any) -> Any:
        if isinstance(value, list | dict) or (type(value), value) not in allowed:
            raise _mismatch(annotation, value)
        return value

    return Codec(encode, decode)


def _collection(annotation: Any, kind: type, args: tuple[Any, ...]) -> Codec:
    if kind is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        return _fixed_tuple(annotation, args)
    item = codec(args[0] if args else Any)  # its functions looked up per call: it may be
    # a dataclass still being built (one that contains itself)

    def encode(value: Any) -> list[Any]:
        if not isinstance(value, list | tuple | set | frozenset):
            raise TypeError(f"expected {annotation!r}, got {value!r}")
        return [item.encode(v) for v in value]

    def decode(value: Any) -> Any:
        if type(value) is not list:
            raise _mismatch(annotation, value)
        items = [item.decode(v) for v in value]
        return items if kind is list else kind(items)

    return Codec(encode, decode)


def _fixed_tuple(annotation: Any, args: tuple[Any, ...]) -> Codec:
    if args == ((),):  # tuple[()]
        args = ()
    items = [codec(a) for a in args]

    def encode(value: Any) -> list[Any]:
        if not isinstance(value, list | tuple) or len(value) != len(items):
            raise TypeError(f"expected {annotation!r}, got {value!r}")
        return [c.encode(v) for c, v in zip(items, value, strict=True)]

    def decode(value: Any) -> tuple[Any, ...]:
        if type(value) is not list or len(value) != len(items):
            raise _mismatch(annotation, value)
        return tuple(c.decode(v) for c, v in zip(items, value, strict=True))

    return Codec(encode, decode)


def _dict(annotation: Any, args: tuple[Any, ...]) -> Codec:
    key, item_type = args or (str, Any)
    if key is not str and key is not Any:
        raise UnsupportedType(f"cannot carry {annotation!r}: JSON object keys are str")
    item = codec(item_type)

    def encode(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise TypeError(f"expected {annotation!r}, got {value!r}")
        return {str(k): item.encode(v) for k, v in value.items()}

    def decode(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise _mismatch(annotation, value)
        return {k: item.decode(v) for k, v in value.items()}

    return Codec(encode, decode)


def _enum(kind: type[enum.Enum]) -> Codec:
    if not all(type(member.value) in _JSON_SCALARS for member in kind):
        raise UnsupportedType(f"cannot carry {kind!r}: its values are not JSON scalars")

    def encode(value: Any) -> Any:
        if not isinstance(value, kind):
            try:  # a member's value, as pydantic takes it from Python
                value = kind(value)
            except ValueError:
                raise TypeError(f"expected {kind!r}, got {value!r}") from None
        found = value.value
        return found if type(found) in _JSON_SCALARS else _infer(found)

    def decode(value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            raise _mismatch(kind, value) from None

    return Codec(encode, decode)


def _dataclass(kind: type) -> Codec:
    entry = Codec(_same, _same)
    before = set(_codecs)
    _codecs[kind] = entry  # before the fields: a field may name this class again
    try:
        annotations = typing.get_type_hints(kind)
        fields = [(f.name, codec(annotations[f.name]), f.init) for f in dataclasses.fields(kind)]
    except BaseException:
        for built in set(_codecs) - before:  # none may keep the half-built entry
            del _codecs[built]
        raise
    # pydantic reads only the fields __init__ takes and ignores others (a newer installation's)
    readable = [(name, c) for name, c, init in fields if init]
    writable = [(name, c) for name, c, _ in fields]

    def encode(value: Any) -> dict[str, Any]:
        if not isinstance(value, kind):
            raise TypeError(f"expected {kind.__name__}, got {value!r}")
        return {name: c.encode(getattr(value, name)) for name, c in writable}

    def decode(value: Any) -> Any:
        if type(value) is not dict:
            raise _mismatch(kind, value)
        given = {name: c.decode(value[name]) for name, c in readable if name in value}
        try:
            return kind(**given)
        except TypeError as error:  # a field missing
            raise WireError(f"{kind.__name__}: {error}") from None

    entry.encode, entry.decode = encode, decode
    return entry
