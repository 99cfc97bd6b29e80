"""Settings from the environment (prefix SPILNO_) and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.citizens.model import SUPPORTED_LOCALES
from core.delivery.policy import DeliveryPolicy
from core.kernel.errors import ValidationError as DomainValidationError


class SettingsError(Exception):
    """Settings are invalid; the message is one readable line naming the setting."""


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
    webhook_base_url: str | None = None
    webhook_secret: SecretStr | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)

    ideas_premoderation: bool = True
    ideas_support_threshold: int = Field(default=100, ge=1)
    # Comma-separated officials made city_admin while nobody is (see core/officials/service.py).
    city_admins: str = ""

    scheduler_interval_s: float = Field(default=30.0, gt=0)
    # Delivery (core/delivery): bulk pushes wait out quiet hours (city time, "" = none);
    # digest residents get one message at digest_hour; rates are per bot, for all workers.
    quiet_hours: str = "22:00-09:00"
    digest_hour: int = Field(default=19, ge=0, le=23)
    telegram_rate: float = Field(default=30.0, gt=0)
    # Bulk messages to one chat at most this often (Telegram: about one a second); 0 turns it off.
    telegram_chat_interval_s: float = Field(default=1.0, ge=0)
    viber_rate: float = Field(default=50.0, gt=0)  # broadcast requests/s (500 per 10 s)
    delivery_lease_s: float = Field(default=60.0, gt=0)
    db_pool_size: int = Field(default=10, ge=1, le=200)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                "(the async drivers Spilno uses)"
            )
        return value

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


def load_settings() -> Settings:
    """Build settings, turning pydantic's report into one line: `SPILNO_X: problem`."""
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
