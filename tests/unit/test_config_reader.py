"""core/config.py's own settings reader: what pydantic-settings did, without pydantic.

Types and bounds as pydantic read text, the environment over .env, case-insensitive names,
unknown SPILNO_ variables ignored, one-line errors, and secrets that never print."""

from __future__ import annotations

import dataclasses
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import config
from core.config import Secret, Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SPILNO_ setting from the outside and no .env: each test sets what it reads."""
    for name in list(os.environ):
        if name.upper().startswith("SPILNO_") and name.upper() != "SPILNO_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(config, "_loaded", None)
    return tmp_path


def problem_with(**env: str) -> str:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(f"SPILNO_{name.upper()}", value)
        with pytest.raises(SettingsError) as caught:
            Settings()
    return str(caught.value)


# --- types, as pydantic read text -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "port"),
    [("80", 80), (" 80 ", 80), ("+80", 80), ("080", 80), ("8_080", 8080), ("80.0", 80)],
)
def test_whole_numbers_read_as_pydantic_read_them(monkeypatch, text, port):
    monkeypatch.setenv("SPILNO_HTTP_PORT", text)
    assert Settings().http_port == port


@pytest.mark.parametrize("text", ["", "abc", "80.5", "80.", "1e3", "0x50", "1__0", "٨٠", "- 1"])
def test_a_setting_that_is_no_whole_number_says_so(text):
    assert (
        problem_with(http_port=text) == "invalid setting SPILNO_HTTP_PORT: must be a whole number"
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("2", 2.0), (" 2.5 ", 2.5), (".5", 0.5), ("1e1", 10.0), ("1_0", 10.0), ("inf", math.inf)],
)
def test_numbers_read_as_pydantic_read_them(monkeypatch, text, seconds):
    monkeypatch.setenv("SPILNO_SCHEDULER_INTERVAL_S", text)
    value = Settings().scheduler_interval_s
    assert value == seconds and type(value) is float


@pytest.mark.parametrize("text", ["", "abc", "1.0.0", "0x1p3", "١"])
def test_a_setting_that_is_no_number_says_so(text):
    message = problem_with(scheduler_interval_s=text)
    assert message == "invalid setting SPILNO_SCHEDULER_INTERVAL_S: must be a number"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        *[(word, True) for word in ("1", "on", "t", "true", "y", "yes", "TRUE", "Yes", "On")],
        *[(word, False) for word in ("0", "off", "f", "false", "n", "no", "FALSE", "No", "OFF")],
    ],
)
def test_booleans_read_as_pydantic_read_them(monkeypatch, text, value):
    monkeypatch.setenv("SPILNO_IDEAS_PREMODERATION", text)
    assert Settings().ideas_premoderation is value


@pytest.mark.parametrize("text", ["", "2", "0.0", " true", "maybe", "enabled"])
def test_a_setting_that_is_no_boolean_says_so(text):
    assert problem_with(ideas_premoderation=text) == (
        "invalid setting SPILNO_IDEAS_PREMODERATION: must be true or false (or yes/no, on/off, 1/0)"
    )


def test_a_choice_is_exact(monkeypatch):
    monkeypatch.setenv("SPILNO_LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    assert problem_with(log_format="JSON") == (
        "invalid setting SPILNO_LOG_FORMAT: must be one of text, json"
    )


def test_text_is_kept_as_given(monkeypatch):
    monkeypatch.setenv("SPILNO_CITY_ADMINS", " alice, bob ")
    assert Settings().city_admins == " alice, bob "


# --- bounds and the settings' own checks ------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"http_port": "0"}, "SPILNO_HTTP_PORT: must be at least 1"),
        ({"http_port": "-0"}, "SPILNO_HTTP_PORT: must be at least 1"),
        ({"http_port": "65536"}, "SPILNO_HTTP_PORT: must be at most 65535"),
        ({"petition_text_max": "99"}, "SPILNO_PETITION_TEXT_MAX: must be at least 100"),
        ({"digest_hour": "24"}, "SPILNO_DIGEST_HOUR: must be at most 23"),
        ({"flood_updates": "-1"}, "SPILNO_FLOOD_UPDATES: must be at least 0"),
        ({"flood_window_s": "0"}, "SPILNO_FLOOD_WINDOW_S: must be more than 0"),
        ({"flood_window_s": "nan"}, "SPILNO_FLOOD_WINDOW_S: must be more than 0"),
        (
            {"telegram_chat_interval_s": "-0.5"},
            "SPILNO_TELEGRAM_CHAT_INTERVAL_S: must be at least 0",
        ),
        ({"viber_bot_name": ""}, "SPILNO_VIBER_BOT_NAME: must not be empty"),
        ({"viber_bot_name": "x" * 29}, "SPILNO_VIBER_BOT_NAME: must be at most 28 characters long"),
        (
            {"audit_anchor_channel": "not a channel"},
            "SPILNO_AUDIT_ANCHOR_CHANNEL: must be the channel's @username or its numeric chat id",
        ),
        (
            {"telegram_bot_username": "ab"},
            "SPILNO_TELEGRAM_BOT_USERNAME: must be the bot's @username",
        ),
        ({"viber_chat_uri": "no spaces"}, "SPILNO_VIBER_CHAT_URI: must be the bot's chat URI"),
        ({"quiet_hours": "late"}, "SPILNO_QUIET_HOURS: must look like 22:00-09:00"),
        ({"timezone": "Mars/Olympus"}, "SPILNO_TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ({"database_url": "mysql://x"}, "SPILNO_DATABASE_URL: must start with sqlite+aiosqlite://"),
        ({"default_locale": "fr"}, "SPILNO_DEFAULT_LOCALE: must be one of uk, en"),
    ],
)
def test_each_problem_is_one_line_naming_the_setting(env, expected):
    message = problem_with(**env)
    assert message.startswith(f"invalid setting {expected}")
    assert "\n" not in message


def test_values_at_the_bounds_pass(monkeypatch):
    for name, value in {
        "HTTP_PORT": "65535",
        "DIGEST_HOUR": "0",
        "FLOOD_UPDATES": "0",
        "TELEGRAM_CHAT_INTERVAL_S": "0",
        "VIBER_BOT_NAME": "ї" * 28,
        "AUDIT_ANCHOR_CHANNEL": " @spilno_city ",
        "TELEGRAM_BOT_USERNAME": " @Spilno_bot ",
        "VIBER_CHAT_URI": "spilno.city",
        "QUIET_HOURS": "",
    }.items():
        monkeypatch.setenv(f"SPILNO_{name}", value)
    settings = Settings()
    assert (settings.http_port, settings.digest_hour, settings.flood_updates) == (65535, 0, 0)
    assert settings.viber_bot_name == "ї" * 28
    assert settings.audit_anchor_channel == " @spilno_city "  # its reader strips it
    assert settings.telegram_bot_username == "Spilno_bot"
    assert settings.viber_chat_uri == "spilno.city"
    assert settings.quiet_hours == ""


def test_the_first_problem_in_field_order_is_named_and_the_rest_counted():
    message = problem_with(flood_updates="-1", http_port="0", timezone="X/Y")
    assert message == (
        "invalid setting SPILNO_TIMEZONE: unknown time zone 'X/Y' (e.g. Europe/Kyiv) (and 2 more)"
    )


# --- where values come from ---------------------------------------------------------------


def test_defaults_without_environment_or_env_file():
    settings = Settings()
    assert settings.database_url == "sqlite+aiosqlite:///./spilno.db"
    assert settings.http_port == 8080 and settings.scheduler_interval_s == 30.0
    assert settings.ideas_premoderation is True and settings.log_format == "text"
    assert settings.telegram_token is None and settings.audit_anchor_channel is None


def test_the_environment_wins_over_the_env_file(monkeypatch, clean):
    (clean / ".env").write_text("SPILNO_HTTP_PORT=90\nSPILNO_VIBER_RATE=7\n")
    monkeypatch.setenv("SPILNO_HTTP_PORT", "91")
    settings = Settings()
    assert (settings.http_port, settings.viber_rate) == (91, 7.0)


def test_an_empty_environment_value_wins_over_the_env_file_too(monkeypatch, clean):
    (clean / ".env").write_text("SPILNO_TELEGRAM_TOKEN=abc\n")
    monkeypatch.setenv("SPILNO_TELEGRAM_TOKEN", "")
    token = Settings().telegram_token
    assert token is not None and token.get_secret_value() == ""


def test_the_env_file_is_read_as_dotenv_reads_it(monkeypatch, clean):
    monkeypatch.setenv("PORT_TAIL", "5")
    (clean / ".env").write_text(
        "# a comment\n"
        "export SPILNO_HTTP_PORT=909${PORT_TAIL}\n"
        'SPILNO_CITY_ADMINS="alice, bob"  # the first officials\n'
        "SPILNO_QUIET_HOURS='23:00-08:00'\n"
        "spilno_viber_rate=7\n"
        "SPILNO_TELEGRAM_TOKEN\n"  # a name alone: no value, the default
        "HTTP_PORT=1\n"  # no prefix: not ours
    )
    settings = Settings()
    assert settings.http_port == 9095
    assert settings.city_admins == "alice, bob"
    assert settings.quiet_hours == "23:00-08:00"
    assert settings.viber_rate == 7.0
    assert settings.telegram_token is None


def test_empty_values_are_empty_not_unset(clean):
    (clean / ".env").write_text(
        "SPILNO_TELEGRAM_TOKEN=\nSPILNO_WEBHOOK_BASE_URL=\nSPILNO_TELEGRAM_BOT_USERNAME=\n"
    )
    settings = Settings()
    assert settings.telegram_token == Secret("")
    assert settings.webhook_base_url == ""
    assert settings.telegram_bot_username is None  # its reader: blank means not configured


def test_a_problem_in_the_env_file_names_the_setting(clean):
    (clean / ".env").write_text("SPILNO_HTTP_PORT=0\n")
    with pytest.raises(
        SettingsError, match=r"^invalid setting SPILNO_HTTP_PORT: must be at least 1$"
    ):
        Settings()


def test_no_env_file_when_told(monkeypatch, clean):
    (clean / ".env").write_text("SPILNO_HTTP_PORT=90\nSPILNO_VIBER_RATE=7\n")
    monkeypatch.setenv("SPILNO_VIBER_RATE", "8")
    settings = Settings(_env_file=None)
    assert (settings.http_port, settings.viber_rate) == (8080, 8.0)


def test_names_are_case_insensitive_and_unknown_ones_ignored(monkeypatch):
    monkeypatch.setenv("spilno_http_port", "81")
    monkeypatch.setenv("Spilno_Viber_Rate", "9")
    monkeypatch.setenv("SPILNO_NO_SUCH_SETTING", "whatever")
    settings = Settings()
    assert (settings.http_port, settings.viber_rate) == (81, 9.0)


# --- keyword overrides ------------------------------------------------------------------------


def test_keywords_win_over_everything_and_are_checked_alike(monkeypatch, clean):
    (clean / ".env").write_text("SPILNO_HTTP_PORT=90\n")
    monkeypatch.setenv("SPILNO_HTTP_PORT", "91")
    settings = Settings(http_port=92, ideas_premoderation="no", telegram_token="t0ken")
    assert (settings.http_port, settings.ideas_premoderation) == (92, False)
    assert settings.telegram_token == Secret("t0ken")
    with pytest.raises(SettingsError, match=r"^invalid setting SPILNO_HTTP_PORT: must be at most"):
        Settings(http_port=70000)
    with pytest.raises(SettingsError, match="SPILNO_HTTP_PORT: must be a whole number"):
        Settings(http_port=80.5)
    with pytest.raises(SettingsError, match="SPILNO_CITY_ADMINS: must be text"):
        Settings(city_admins=5)


def test_an_unknown_keyword_is_a_mistake_in_the_code():
    with pytest.raises(TypeError, match="http_prot"):
        Settings(http_prot=80)


def test_replace_checks_the_new_values_and_keeps_the_rest():
    settings = Settings(_env_file=None, telegram_token="t0ken", telegram_bot_username="@Spilno_bot")
    changed = dataclasses.replace(settings, flood_updates=0, viber_token=Secret("v"))
    assert changed.flood_updates == 0 and changed.viber_token == Secret("v")
    assert changed.telegram_token == Secret("t0ken")
    assert changed.telegram_bot_username == "Spilno_bot"
    assert dataclasses.replace(settings) == settings
    with pytest.raises(SettingsError, match="SPILNO_FLOOD_UPDATES: must be at least 0"):
        dataclasses.replace(settings, flood_updates=-1)


def test_the_fields_are_listed_in_order():
    names = [field.name for field in dataclasses.fields(Settings)]
    assert names[:3] == ["database_url", "timezone", "default_locale"]
    assert len(names) == len(set(names)) == len(config._SPECS)


# --- secrets -----------------------------------------------------------------------------------


def test_secrets_never_show_themselves(monkeypatch, clean):
    (clean / ".env").write_text("SPILNO_WEBHOOK_SECRET=HOOK-SECRET\n")
    monkeypatch.setenv("SPILNO_TELEGRAM_TOKEN", "123:TG-SECRET")
    monkeypatch.setenv("SPILNO_VIBER_TOKEN", "VB-SECRET")
    monkeypatch.setenv("SPILNO_SECRET_KEY", "KEY-SECRET")
    settings = Settings()
    shown = [repr(settings), str(settings), f"{settings}", str(dataclasses.asdict(settings))]
    for secret in (settings.telegram_token, settings.viber_token, settings.webhook_secret):
        assert secret is not None
        shown += [repr(secret), str(secret), f"{secret}", f"{secret!r}"]
    for text in shown:
        assert "SECRET" not in text
    assert str(settings.telegram_token) == "**********"
    assert settings.telegram_token is not None
    assert settings.telegram_token.get_secret_value() == "123:TG-SECRET"
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "KEY-SECRET"


def test_secrets_compare_by_value():
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
    assert Secret("a") != "a"  # a secret is not its text
    assert len({Secret("a"), Secret("a")}) == 1


# --- load_settings ------------------------------------------------------------------------------


def test_load_settings_reads_again_only_when_something_changed(monkeypatch, clean):
    first = load_settings()
    assert load_settings() is first
    monkeypatch.setenv("SPILNO_HTTP_PORT", "81")
    second = load_settings()
    assert second is not first and second.http_port == 81
    (clean / ".env").write_text("SPILNO_VIBER_RATE=7\n")
    assert load_settings().viber_rate == 7.0


def test_reading_settings_imports_neither_pydantic_nor_dotenv_without_a_env_file(clean):
    # Every spilno-admin command reads settings first: pydantic-settings cost it ~0.14 s.
    script = (
        "import sys, core.config; core.config.load_settings(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_core', "
        "'pydantic_settings', 'dotenv'}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SPILNO_")}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=clean,
        env={**env, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"
