"""Settings from the environment (prefix SPILNO_) and an optional .env file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.citizens.model import SUPPORTED_LOCALES
from core.delivery.links import BotAddresses
from core.delivery.policy import DeliveryPolicy
from core.ideas.model import IdeaPolicy
from core.kernel.errors import SettingsError
from core.kernel.errors import ValidationError as DomainValidationError
from core.kernel.secret_key import SecretKey, key_file_for, load_or_create_key_file
from core.petitions.model import DAYS_MAX, TEXT_MAX_LIMIT, THRESHOLD_MAX, PetitionPolicy

_BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
_CHAT_URI = re.compile(r"[A-Za-z0-9_.-]{1,64}")


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPILNO_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./spilno.db"
    timezone: str = "Europe/Kyiv"
    default_locale: str = "uk"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    viber_token: SecretStr | None = None
    viber_api_url: str = "https://chatapi.viber.com/pa"
    viber_bot_name: str = Field(default="Spilno", min_length=1, max_length=28)
    viber_avatar_url: str | None = None
    # For links residents share (a petition's): the Telegram bot's @username (without @) and
    # the Viber bot's chat URI; unset, the bot tells them how to find it instead.
    telegram_bot_username: str | None = None
    viber_chat_uri: str | None = None
    webhook_base_url: str | None = None
    webhook_secret: SecretStr | None = None
    # Keys phone-number hashes, link codes and export pseudonyms. Required with PostgreSQL;
    # the SQLite default generates one beside the database file (core/kernel/secret_key.py).
    secret_key: SecretStr | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)

    ideas_premoderation: bool = True
    ideas_support_threshold: int = Field(default=100, ge=1)
    # Local e-petitions: the hromada's statute sets the signature period (days), the number of
    # signatures that obliges the city to answer, and the longest text; residents_only admits
    # only residents who set their home district (all signers confirm their phone number).
    petition_days: int = Field(default=90, ge=1, le=DAYS_MAX)
    petition_threshold: int = Field(default=250, ge=1, le=THRESHOLD_MAX)
    petition_text_max: int = Field(default=2000, ge=100, le=TEXT_MAX_LIMIT)
    petition_residents_only: bool = True
    # Comma-separated officials made city_admin while nobody is (see core/officials/service.py).
    city_admins: str = ""

    scheduler_interval_s: float = Field(default=30.0, gt=0)
    # The city's public Telegram channel the scheduler posts the audit log's head to once a
    # day (core/audit/anchor.py): @username or numeric chat id; unset = no daily anchor.
    audit_anchor_channel: str | None = Field(
        default=None, pattern=r"^\s*(@?[A-Za-z][A-Za-z0-9_]{3,31}|-?\d{1,20})?\s*$"
    )
    # Delivery (core/delivery): bulk pushes wait out quiet hours (city time, "" = none);
    # digest residents get one message at digest_hour; rates are per bot, for all workers.
    quiet_hours: str = "22:00-09:00"
    digest_hour: int = Field(default=19, ge=0, le=23)
    telegram_rate: float = Field(default=30.0, gt=0)
    # Messages to one Telegram chat at most about this often (Telegram: about one a second):
    # bulk ones strictly, replies with a burst of 3 (bot/flood.py); 0 turns it off.
    telegram_chat_interval_s: float = Field(default=1.0, ge=0)
    # Inbound flood control per resident (bot/flood.py): at most `flood_updates` updates in
    # `flood_window_s` seconds, the rest dropped with one "please slow down"; 0 turns it off.
    flood_updates: int = Field(default=8, ge=0)
    flood_window_s: float = Field(default=4.0, gt=0)
    viber_rate: float = Field(default=50.0, gt=0)  # broadcast requests/s (500 per 10 s)
    delivery_lease_s: float = Field(default=60.0, gt=0)
    # How often `spilno run` rereads the bots table: a hromada's new or changed bot is
    # served within this long, without a restart.
    bots_reload_s: float = Field(default=30.0, gt=0)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # The admin API (bot/admin_api.py): requests per second per token after a burst of
    # `admin_api_burst`; refused tokens from one address per minute before it gets 429.
    admin_api_rate: float = Field(default=10.0, gt=0)
    admin_api_burst: int = Field(default=60, ge=1)
    admin_api_failures: int = Field(default=10, ge=1)
    # Addresses of the HTTPS proxies in front of the web role (comma-separated): for a request
    # from one of them the client's address, for the refused-token throttle, is the last
    # X-Forwarded-For hop that is not a proxy. Without it every official behind the proxy
    # would share one address, and one guesser would lock them all out.
    admin_api_trusted_proxies: str = ""
    # How long a process trusts its cached hromada profile (core/hromadas/current.py) before
    # rereading it: another process's `hromada apply` shows within this long.
    hromada_profile_refresh_s: float = Field(default=60.0, ge=0)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                "(the async drivers Spilno uses)"
            )
        return value

    @field_validator("telegram_bot_username", "viber_chat_uri", mode="before")
    @classmethod
    def _bot_address(cls, value: object, info: Any) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None  # an empty line in .env: not configured
        text = str(value).strip().removeprefix("@")
        shape = _BOT_USERNAME if info.field_name == "telegram_bot_username" else _CHAT_URI
        if not shape.fullmatch(text):
            raise ValueError(
                "must be the bot's @username (5-32 letters, digits, _)"
                if shape is _BOT_USERNAME
                else "must be the bot's chat URI (letters, digits, . _ -)"
            )
        return text

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Kyiv)") from None
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        try:
            DeliveryPolicy.from_text(value, 19)
        except DomainValidationError:
            raise ValueError("must look like 22:00-09:00 (or be empty for none)") from None
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

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


def load_settings() -> Settings:
    """Build settings, turning pydantic's report into one line: `SPILNO_X: problem`.

    The same environment and .env give the same settings: a CLI command reads them twice
    (the root for its language, the command itself), and each read costs pydantic-settings a
    walk over every field and the whole environment."""
    global _loaded
    key = _settings_key()
    if _loaded is not None and _loaded[0] == key:
        return _loaded[1]
    settings = _load_settings()
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


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "SPILNO_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise SettingsError(f"invalid setting {name}: {message}{more}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
