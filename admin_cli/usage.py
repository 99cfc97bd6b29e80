"""Typer's / Click's usage errors as one line in the configured language.

Click words its errors in English (and Typer wraps them in a box); an official gets one line
saying what is wrong and where to read more. Errors are recognised by their class names
along the MRO, so this works with Typer's vendored Click and with Click itself.
"""

from __future__ import annotations

import re
import typing
from enum import Enum
from typing import Any

from core.kernel.i18n import _

_EXTRA_ARGS = re.compile(r"unexpected extra argument(?:\(s\)|s)?\s*\((.*)\)", re.IGNORECASE)
_NO_COMMAND = re.compile(r"No such command\s+'(.*)'", re.IGNORECASE)


def usage_error_text(error: Exception) -> str:
    """One line (no prefix) for a Click UsageError or other ClickException."""
    problem = _problem(error, {cls.__name__ for cls in type(error).__mro__})
    ctx = getattr(error, "ctx", None)
    if ctx is None:
        return problem
    return _("{problem} (see: {command} --help)").format(problem=problem, command=ctx.command_path)


def _problem(error: Exception, kinds: set[str]) -> str:
    message = str(getattr(error, "message", "") or "")
    if "NoSuchOption" in kinds:
        text = _("there is no option {option}").format(option=getattr(error, "option_name", ""))
        possible = sorted(getattr(error, "possibilities", None) or [])
        if possible:
            text += "; " + _("did you mean {options}?").format(options=", ".join(possible))
        return text
    if "BadOptionUsage" in kinds:
        return _("{option} needs a value").format(option=getattr(error, "option_name", ""))
    param = getattr(error, "param", None)
    if "MissingParameter" in kinds and param is not None:
        if _is_option(param):
            return _("{name} is required").format(name=_name(param))
        return _("the argument {name} is missing").format(name=_name(param))
    if "InvalidValueError" in kinds and param is not None:  # admin_cli/params.py
        return str(getattr(error, "problem", message)).replace("{name}", _name(param))
    if "BadParameter" in kinds and param is not None:
        return _bad_value(param)
    if match := _NO_COMMAND.search(message):
        return _("there is no command {name}").format(name=match.group(1))
    if match := _EXTRA_ARGS.search(message):
        return _("unexpected extra argument: {args}").format(args=match.group(1))
    return _("the command line is not valid: {detail}").format(detail=message)


def _is_option(param: Any) -> bool:
    return any(str(opt).startswith("-") for opt in getattr(param, "opts", []))


def _name(param: Any) -> str:
    if _is_option(param):
        return str(max(param.opts, key=len))
    return str(param.name or "").upper()


def _bad_value(param: Any) -> str:
    name = _name(param)
    expected = _expected_type(param)
    if isinstance(expected, list):
        return _("{name} must be one of: {choices}").format(name=name, choices=", ".join(expected))
    if expected is int:
        low, high = _bounds(param)
        if low is not None and high is not None:
            return _("{name} must be a whole number from {min} to {max}").format(
                name=name, min=low, max=high
            )
        if low is not None:
            return _("{name} must be a whole number, at least {min}").format(name=name, min=low)
        return _("{name} must be a whole number").format(name=name)
    if expected is float:
        return _("{name} must be a number").format(name=name)
    return _("{name} has a value that is not valid").format(name=name)


def _expected_type(param: Any) -> type | list[str] | None:
    """int, float, the choices of an enum, or None: from Typer's annotation or Click's type."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    if annotation is not None:
        args = typing.get_args(annotation)
        inner = next((a for a in args if a is not type(None)), annotation) if args else annotation
        if isinstance(inner, type) and issubclass(inner, Enum):
            return [str(member.value) for member in inner]
        if inner in (int, float):
            return inner
        return None
    click_type = getattr(param, "type", None)
    if choices := getattr(click_type, "choices", None):
        return [str(c) for c in choices]
    type_name = type(click_type).__name__
    return int if "Int" in type_name else float if "Float" in type_name else None


def _bounds(param: Any) -> tuple[Any, Any]:
    holder = param if getattr(param, "type_descriptor", None) else getattr(param, "type", None)
    return getattr(holder, "min", None), getattr(holder, "max", None)
