from datetime import time

import pytest

from core.bootstrap import bootstrap
from core.config import Policies, Settings, SettingsError, load_settings
from core.delivery import policy as delivery_policy
from core.delivery.policy import DeliveryPolicy
from core.ideas import service as idea_service
from core.ideas.policy import IdeaPolicy


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


async def test_each_app_carries_its_own_policies_in_its_units_of_work(tmp_path):
    # Two apps in one process (tests, a CLI run inside the bot) used to share module globals:
    # the second bootstrap silently changed the first one's premoderation and quiet hours.
    strict = bootstrap(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/a.db"))
    relaxed = bootstrap(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/b.db",
            ideas_premoderation=False,
            ideas_support_threshold=7,
            quiet_hours="",
            digest_hour=8,
        )
    )
    try:
        assert strict.uow_factory().policies == Policies(
            DeliveryPolicy(time(22, 0), time(9, 0), 19), IdeaPolicy(True, 100)
        )
        assert relaxed.uow_factory().policies == Policies(
            DeliveryPolicy(None, None, 8), IdeaPolicy(False, 7)
        )
    finally:
        await strict.aclose()
        await relaxed.aclose()


@pytest.mark.parametrize("module", [delivery_policy, idea_service])
def test_no_module_holds_configuration_changed_at_run_time(module):
    assert not hasattr(module, "configure") and not hasattr(module, "_policy")
