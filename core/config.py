"""Settings from the environment (prefix SPILNO_) and an optional .env file.

Read by a small reader of our own, not pydantic-settings: every `spilno-admin` command reads
settings first, and importing pydantic-settings (with pydantic's model machinery) and building
its model cost a command ~0.14 s of its 0.3-0.5 s budget. The reader keeps what
pydantic-settings did: the environment wins over .env, names are case-insensitive, unknown
SPILNO_ variables are ignored, an empty value is an empty string (not "unset"), numbers and
booleans read as pydantic reads them, and every problem becomes one line naming the setting.
"""

from __future__ import annotations

import dataclasses
import os
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.citizens.model import SUPPORTED_LOCALES
from core.delivery.links import BotAddresses
from core.delivery.policy import DeliveryPolicy
from core.ideas.policy import IdeaPolicy
from core.kernel.errors import SettingsError
from core.kernel.errors import ValidationError as DomainValidationError
from core.kernel.secret_key import SecretKey, key_file_for, load_or_create_key_file
from core.petitions.policy import DAYS_MAX, TEXT_MAX_LIMIT, THRESHOLD_MAX, PetitionPolicy

_BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
_CHAT_URI = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_PREFIX = "spilno_"


@dataclass(frozen=True, slots=True)
class Policies:
    """The deployment choices services read, carried by every unit of work (`uow.policies`).

    Built from settings by core/bootstrap.py; tests give their own unit of work factory one.
    """

    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    ideas: IdeaPolicy = field(default_factory=IdeaPolicy)
    petitions: PetitionPolicy = field(default_factory=PetitionPolicy)
    bots: BotAddresses = field(default_factory=BotAddresses)
    # Keyed hashes and pseudonyms (core/kernel/secret_key.py); tests get a random one.
    secret: SecretKey = field(default_factory=SecretKey.ephemeral, compare=False)


class Secret:
    """A token or key that never shows itself: in a repr, a log line or an f-string it is
    '**********'; `get_secret_value()` is the one way to the text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


# --- What a setting accepts beyond its type ---------------------------------------------


class _Rule:
    """What a setting accepts beyond its type. (Plain classes here, not dataclasses: building
    a dataclass costs a command's start-up half a millisecond each.)"""

    __slots__ = (
        "check",
        "ge",
        "gt",
        "le",
        "max_length",
        "min_length",
        "pattern",
        "pattern_problem",
        "prepare",
    )

    def __init__(
        self,
        *,
        ge: int | None = None,
        le: int | None = None,
        gt: int | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        pattern_problem: str = "",  # the pattern's meaning in words: a regex is no message
        prepare: Callable[[object], object] | None = None,  # before the type is checked
        check: Callable[[Any], Any] | None = None,  # after the type and the bounds
    ) -> None:
        self.ge, self.le, self.gt = ge, le, gt
        self.min_length, self.max_length = min_length, max_length
        self.pattern, self.pattern_problem = pattern, pattern_problem
        self.prepare, self.check = prepare, check


def setting(default: Any, **rule: Any) -> Any:
    """A setting's default and its rule (`_Rule`'s fields); typed Any, as dataclasses.field."""
    return field(default=default, metadata={"rule": _Rule(**rule)})


def _known_driver(value: str) -> str:
    if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError(
            "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
            "(the async drivers Spilno uses)"
        )
    return value


def _bot_address(shape: re.Pattern[str], problem: str) -> Callable[[object], object]:
    def prepare(value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None  # an empty line in .env: not configured
        text = str(value).strip().removeprefix("@")
        if not shape.fullmatch(text):
            raise ValueError(problem)
        return text

    return prepare


def _known_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Kyiv)") from None
    return value


def _quiet_hours(value: str) -> str:
    try:
        DeliveryPolicy.from_text(value, 19)
    except DomainValidationError:
        raise ValueError("must look like 22:00-09:00 (or be empty for none)") from None
    return value


def _supported_locale(value: str) -> str:
    if value not in SUPPORTED_LOCALES:
        raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
    return value


# --- The settings -------------------------------------------------------------------------


@dataclass(init=False)
class Settings:
    """`Settings()` reads SPILNO_* from the environment and `.env`; keyword arguments override
    both and are checked the same way (`_env_file=None`: no .env). `dataclasses.replace` and
    `dataclasses.fields` work as on any dataclass. A problem raises SettingsError, one line."""

    database_url: str = setting("sqlite+aiosqlite:///./spilno.db", check=_known_driver)
    timezone: str = setting("Europe/Kyiv", check=_known_timezone)
    default_locale: str = setting("uk", check=_supported_locale)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

    telegram_token: Secret | None = None
    telegram_api_url: str = "https://api.telegram.org"
    viber_token: Secret | None = None
    viber_api_url: str = "https://chatapi.viber.com/pa"
    viber_bot_name: str = setting("Spilno", min_length=1, max_length=28)
    viber_avatar_url: str | None = None
    # For links residents share (a petition's): the Telegram bot's @username (without @) and
    # the Viber bot's chat URI; unset, the bot tells them how to find it instead.
    telegram_bot_username: str | None = setting(
        None,
        prepare=_bot_address(
            _BOT_USERNAME, "must be the bot's @username (5-32 letters, digits, _)"
        ),
    )
    viber_chat_uri: str | None = setting(
        None, prepare=_bot_address(_CHAT_URI, "must be the bot's chat URI (letters, digits, . _ -)")
    )
    webhook_base_url: str | None = None
    webhook_secret: Secret | None = None
    # Keys phone-number hashes, link codes and export pseudonyms. Required with PostgreSQL;
    # the SQLite default generates one beside the database file (core/kernel/secret_key.py).
    secret_key: Secret | None = None
    http_host: str = "127.0.0.1"
    http_port: int = setting(8080, ge=1, le=65535)

    ideas_premoderation: bool = True
    ideas_support_threshold: int = setting(100, ge=1)
    # Local e-petitions: the hromada's statute sets the signature period (days), the number of
    # signatures that obliges the city to answer, and the longest text; residents_only admits
    # only residents who set their home district (all signers confirm their phone number).
    petition_days: int = setting(90, ge=1, le=DAYS_MAX)
    petition_threshold: int = setting(250, ge=1, le=THRESHOLD_MAX)
    petition_text_max: int = setting(2000, ge=100, le=TEXT_MAX_LIMIT)
    petition_residents_only: bool = True
    # Comma-separated officials made city_admin while nobody is (see core/officials/service.py).
    city_admins: str = ""

    scheduler_interval_s: float = setting(30.0, gt=0)
    # The city's public Telegram channel the scheduler posts the audit log's head to once a
    # day (core/audit/anchor.py): @username or numeric chat id; unset = no daily anchor.
    audit_anchor_channel: str | None = setting(
        None,
        pattern=r"^\s*(@?[A-Za-z][A-Za-z0-9_]{3,31}|-?\d{1,20})?\s*$",
        pattern_problem="must be the channel's @username or its numeric chat id",
    )
    # Delivery (core/delivery): bulk pushes wait out quiet hours (city time, "" = none);
    # digest residents get one message at digest_hour; rates are per bot, for all workers.
    quiet_hours: str = setting("22:00-09:00", check=_quiet_hours)
    digest_hour: int = setting(19, ge=0, le=23)
    telegram_rate: float = setting(30.0, gt=0)
    # Messages to one Telegram chat at most about this often (Telegram: about one a second):
    # bulk ones strictly, replies with a burst of 3 (bot/flood.py); 0 turns it off.
    telegram_chat_interval_s: float = setting(1.0, ge=0)
    # Inbound flood control per resident (bot/flood.py): at most `flood_updates` updates in
    # `flood_window_s` seconds, the rest dropped with one "please slow down"; 0 turns it off.
    flood_updates: int = setting(8, ge=0)
    flood_window_s: float = setting(4.0, gt=0)
    viber_rate: float = setting(50.0, gt=0)  # broadcast requests/s (500 per 10 s)
    delivery_lease_s: float = setting(60.0, gt=0)
    # How often `spilno run` rereads the bots table: a hromada's new or changed bot is
    # served within this long, without a restart.
    bots_reload_s: float = setting(30.0, gt=0)
    db_pool_size: int = setting(10, ge=1, le=200)
    # The admin API (bot/admin_api.py): requests per second per token after a burst of
    # `admin_api_burst`; refused tokens from one address per minute before it gets 429.
    admin_api_rate: float = setting(10.0, gt=0)
    admin_api_burst: int = setting(60, ge=1)
    admin_api_failures: int = setting(10, ge=1)
    # Addresses of the HTTPS proxies in front of the web role (comma-separated): for a request
    # from one of them the client's address, for the refused-token throttle, is the last
    # X-Forwarded-For hop that is not a proxy. Without it every official behind the proxy
    # would share one address, and one guesser would lock them all out.
    admin_api_trusted_proxies: str = ""
    # How long a process trusts its cached hromada profile (core/hromadas/current.py) before
    # rereading it: another process's `hromada apply` shows within this long.
    hromada_profile_refresh_s: float = setting(60.0, ge=0)

    def __init__(self, _env_file: str | os.PathLike[str] | None = ".env", **overrides: Any) -> None:
        unknown = overrides.keys() - _SPECS.keys()
        if unknown:
            raise TypeError(f"Settings() got unknown settings: {', '.join(sorted(unknown))}")
        read: dict[str, str] | None = None  # not even looked for when every value is given
        problems: list[str] = []
        for name, spec in _SPECS.items():
            if name in overrides:
                value = overrides[name]
            else:
                if read is None:
                    read = _read_variables(_env_file)
                if name not in read:
                    setattr(self, name, spec.default)  # as pydantic: defaults are not checked
                    continue
                value = read[name]
            try:
                setattr(self, name, spec.convert(value))
            except ValueError as problem:
                problems.append(f"SPILNO_{name.upper()}: {problem}")
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise SettingsError(f"invalid setting {problems[0]}{more}")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def policies(self) -> Policies:
        return Policies(
            delivery=DeliveryPolicy.from_text(self.quiet_hours, self.digest_hour),
            ideas=IdeaPolicy(self.ideas_premoderation, self.ideas_support_threshold),
            petitions=PetitionPolicy(
                days=self.petition_days,
                threshold=self.petition_threshold,
                text_max=self.petition_text_max,
                residents_only=self.petition_residents_only,
            ),
            bots=BotAddresses(self.telegram_bot_username, self.viber_chat_uri),
            secret=self.secret(),
        )

    def secret(self) -> SecretKey:
        """The installation's key, loaded on first use (see core/kernel/secret_key.py)."""
        if self.secret_key is not None:
            return SecretKey.of(self.secret_key.get_secret_value())
        if not self.database_url.startswith("sqlite"):
            return SecretKey(_missing_secret_key)
        from core.storage.db import sqlite_file  # SQLAlchemy: not for settings alone

        database = sqlite_file(self.database_url)
        if database is None:
            return SecretKey.ephemeral()
        return SecretKey(lambda: load_or_create_key_file(key_file_for(database)))


def _missing_secret_key() -> str:
    raise SettingsError(
        "SPILNO_SECRET_KEY is required with PostgreSQL "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    )


# --- Reading one value: its type (as pydantic reads text), its bounds, its checks ----------

_WHOLE = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0+)?")  # pydantic takes "+80", "1_000", "80.0"
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _text(value: object) -> str:
    if isinstance(value, str):
        return value  # as given: pydantic strips no text setting either
    raise ValueError("must be text")


def _secret(value: object) -> Secret:
    return value if isinstance(value, Secret) else Secret(_text(value))


def _whole(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _WHOLE.fullmatch(text := value.strip()):
        return int(text.partition(".")[0])
    raise ValueError("must be a whole number")


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.isascii():  # float() would take other scripts' digits
        try:
            return float(value)  # as pydantic: surrounding spaces, 1e3, 1_000, inf
        except ValueError:
            pass
    raise ValueError("must be a number")


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
    elif isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    raise ValueError("must be true or false (or yes/no, on/off, 1/0)")


def _choice(choices: tuple[str, ...]) -> Callable[[object], str]:
    def read(value: object) -> str:
        if isinstance(value, str) and value in choices:
            return value
        raise ValueError(f"must be one of {', '.join(choices)}")

    return read


_READERS: dict[object, Callable[[object], object]] = {
    str: _text,
    int: _whole,
    float: _number,
    bool: _flag,
    Secret: _secret,
}


def _check_bounds(rule: _Rule, value: Any) -> None:
    if rule.ge is not None and not value >= rule.ge:  # `not >=`: NaN fails too
        raise ValueError(f"must be at least {rule.ge}")
    if rule.gt is not None and not value > rule.gt:
        raise ValueError(f"must be more than {rule.gt}")
    if rule.le is not None and not value <= rule.le:
        raise ValueError(f"must be at most {rule.le}")
    if rule.min_length is not None and len(value) < rule.min_length:
        raise ValueError(
            "must not be empty"
            if rule.min_length == 1
            else f"must be at least {rule.min_length} characters long"
        )
    if rule.max_length is not None and len(value) > rule.max_length:
        raise ValueError(f"must be at most {rule.max_length} characters long")
    if rule.pattern is not None and not re.search(rule.pattern, value):
        raise ValueError(rule.pattern_problem)


class _Spec:
    """How one setting is read: its default, its type's reader, None allowed, its rule."""

    __slots__ = ("default", "nullable", "read", "rule")

    def __init__(
        self, default: object, read: Callable[[object], object], nullable: bool, rule: _Rule
    ) -> None:
        self.default, self.read, self.nullable, self.rule = default, read, nullable, rule

    def convert(self, value: object) -> object:
        """`value` (text from the environment, or a keyword's value) as the setting holds it."""
        rule = self.rule
        if rule.prepare is not None:
            value = rule.prepare(value)
        if value is None and self.nullable:
            return None
        value = self.read(value)
        _check_bounds(rule, value)
        return value if rule.check is None else rule.check(value)


def _spec(hint: Any, default: object, rule: _Rule) -> _Spec:
    args = get_args(hint)
    nullable = get_origin(hint) in (types.UnionType, Union) and type(None) in args
    if nullable:
        (hint,) = (arg for arg in args if arg is not type(None))
    read = _choice(get_args(hint)) if get_origin(hint) is Literal else _READERS[hint]
    return _Spec(default, read, nullable, rule)


# Each setting's reader, in the order of the fields (the first problem is the one reported).
_SPECS: dict[str, _Spec] = {
    f.name: _spec(hint, f.default, f.metadata.get("rule", _Rule()))
    for hints in (get_type_hints(Settings),)
    for f in dataclasses.fields(Settings)
    for hint in (hints[f.name],)
}


def _read_variables(env_file: str | os.PathLike[str] | None) -> dict[str, str]:
    """SPILNO_* values by setting name: the environment's over the .env file's."""
    found: dict[str, str] = {}
    if env_file is not None and os.path.isfile(env_file):
        from dotenv import dotenv_values  # ~10 ms to import, and most runs have no .env

        found.update(_prefixed(dotenv_values(env_file, encoding="utf-8")))
    found.update(_prefixed(os.environ))
    return found


def _prefixed(variables: Mapping[str, str | None]) -> dict[str, str]:
    # Names are case-insensitive (of two spellings the later wins); `NAME` alone in .env,
    # without `=`, is no value at all.
    return {
        name.lower().removeprefix(_PREFIX): value
        for name, value in variables.items()
        if value is not None and name.lower().startswith(_PREFIX)
    }


def load_settings() -> Settings:
    """Build settings; a problem is one line: `invalid setting SPILNO_X: problem`.

    The same environment and .env give the same settings: a CLI command reads them twice
    (the root for its language, the command itself), and each read walks every field and the
    whole environment."""
    global _loaded
    key = _settings_key()
    if _loaded is not None and _loaded[0] == key:
        return _loaded[1]
    settings = Settings()
    _loaded = (key, settings)
    return settings


# (what the last settings were read from, them): see load_settings.
_loaded: tuple[tuple[object, ...], Settings] | None = None


def _settings_key() -> tuple[object, ...]:
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("SPILNO_")))
    try:
        stat = os.stat(".env")
        dotenv: object = (os.path.abspath(".env"), stat.st_mtime_ns, stat.st_size)
    except OSError:
        dotenv = None
    return env, dotenv


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
