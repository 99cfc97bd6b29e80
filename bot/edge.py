"""Checks every adapter applies to platform values before they become an `Incoming`.

A platform update is signed, but its fields are still whatever the JSON held: numbers where text
belongs, NUL bytes PostgreSQL refuses, lone surrogates UTF-8 cannot encode, ids longer than their
column or beyond BIGINT. Anything that cannot be a real update raises MalformedUpdateError (the
adapter logs one line and ignores it); free text is repaired instead, so a resident is answered.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager

from core.hromadas.scope import in_hromada

TEXT_MAX = 16_384  # far above Telegram's 4096 and Viber's 7000: only forged bodies are longer
ID_TEXT_MAX = 128  # identities.external_id and processed_updates.update_id are VARCHAR(128)
REF_MAX = 512  # photo_ref columns are VARCHAR(512)
NAME_MAX = 256
PHONE_MAX = 32
INT64_MAX = 2**63 - 1

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*")
# What Telegram allows in a /start parameter (and what our deep links are made of).
_DEEP_LINK = re.compile(r"[A-Za-z0-9_-]{1,64}")


class MalformedUpdateError(ValueError):
    """An update no platform sends; the message says which field and why (never its value)."""


def clean_text(value: object, field: str, limit: int = TEXT_MAX) -> str:
    """Free text: a str within `limit`; NUL removed, lone surrogates replaced by U+FFFD."""
    if not isinstance(value, str):
        raise MalformedUpdateError(f"{field} is {type(value).__name__}, not text")
    if len(value) > limit:
        raise MalformedUpdateError(f"{field} is {len(value)} characters, over {limit}")
    return _LONE_SURROGATE.sub("\ufffd", value.replace("\x00", ""))


def optional_text(value: object, field: str, limit: int = TEXT_MAX) -> str | None:
    return None if value is None else clean_text(value, field, limit)


def opaque_id(value: object, field: str, limit: int = ID_TEXT_MAX) -> str:
    """A platform's string id (Viber user id, file id): 1..`limit` printable characters."""
    if not isinstance(value, str) or not value:
        raise MalformedUpdateError(f"{field} is not a non-empty string")
    if len(value) > limit:
        raise MalformedUpdateError(f"{field} is {len(value)} characters, over {limit}")
    if not value.isprintable() or _LONE_SURROGATE.search(value):
        raise MalformedUpdateError(f"{field} has control characters or lone surrogates")
    return value


def int_id(value: object, field: str, *, low: int = 1, high: int = INT64_MAX) -> int:
    """A platform's numeric id (Telegram user, chat, update id), within BIGINT."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise MalformedUpdateError(f"{field} is not an integer in {low}..{high}")
    return value


def coordinate(value: object, field: str, bound: float) -> float:
    """A latitude (bound 90) or longitude (bound 180): a finite number within ±bound."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedUpdateError(f"{field} is not a number")
    number = float(value)
    if not math.isfinite(number) or abs(number) > bound:
        raise MalformedUpdateError(f"{field} is not within ±{bound}")
    return number


def language_hint(value: object) -> str | None:
    """A BCP 47-ish code such as `uk` or `en-US`; anything else is no hint at all."""
    if isinstance(value, str) and len(value) <= 35 and _LANGUAGE.fullmatch(value):
        return value
    return None


def deep_link(value: object) -> str | None:
    """A deep link's parameter (`/start p12`, Viber's `context`); anything else is none: the
    resident still gets the bot's start, never an error."""
    if isinstance(value, str) and _DEEP_LINK.fullmatch(value):
        return value
    return None


def display_name(value: object) -> str | None:
    """Only shown back to people, never required: dropped when it is not text."""
    if not isinstance(value, str):
        return None
    return clean_text(value[:NAME_MAX], "name").strip() or None


@contextmanager
def handling_for(hromada_id: int) -> Iterator[None]:
    """Handle what arrives inside this block in the hromada of the bot it arrived at: every
    unit of work opened under it (and every task started under it) acts for that hromada."""
    with in_hromada(hromada_id):
        yield


def bot_update_id(scope: str | None, update_id: str | None) -> str | None:
    """The update's id as deduplication keys it. A platform numbers each bot's updates on its
    own, so once a process serves many bots their ids collide: each bot's are prefixed with
    `scope` (Telegram: the bot's own numeric id). The legacy single bot (scope None) keeps its
    bare ids, as stored before hromadas."""
    if update_id is None or scope is None:
        return update_id
    return f"{scope}:{update_id}"
