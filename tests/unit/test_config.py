import pytest

from core.config import SettingsError, load_settings


def test_defaults_are_the_embedded_sqlite_and_kyiv(monkeypatch):
    monkeypatch.chdir("/")
    for name in ("SPILNO_DATABASE_URL", "SPILNO_TIMEZONE", "SPILNO_DEFAULT_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./spilno.db"
    assert settings.timezone == "Europe/Kyiv"
    assert settings.default_locale == "uk"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SPILNO_TIMEZONE", "Mars/Olympus", "invalid setting SPILNO_TIMEZONE: unknown time zone"),
        ("SPILNO_DATABASE_URL", "mysql://x", "invalid setting SPILNO_DATABASE_URL: must start"),
        ("SPILNO_DEFAULT_LOCALE", "fr", "invalid setting SPILNO_DEFAULT_LOCALE: must be one of"),
        ("SPILNO_HTTP_PORT", "99999", "invalid setting SPILNO_HTTP_PORT"),
    ],
)
def test_an_invalid_setting_is_one_readable_line(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_tokens_are_secret_in_reprs(monkeypatch):
    monkeypatch.setenv("SPILNO_TELEGRAM_TOKEN", "123:SECRET")
    assert "SECRET" not in repr(load_settings())
