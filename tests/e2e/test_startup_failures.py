"""`spilno run` against a Bot API it cannot use: one line naming the setting, exit 2, no token.

Before, a redirect loop crashed start-up with the full `…/bot<TOKEN>/deleteWebhook` URL in an
unredacted traceback, and `org link-channel` printed it in its error line; a 401 or a closed
port ended in a raw traceback.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from admin_cli.app import run_cli
from tests.fakes.broken_bot_api import BrokenBotApi, broken_bot_api
from tests.processes import free_port, spilno_env

TOKEN = "424242:LEAK-canary-token-QQQQQQQQQQQQQQQQQQQ"
RUN_TIMEOUT_S = 90

# (case, which URL of the broken API, polling or webhook, what the last line must name)
FAILURES = [
    ("redirect-loop-webhook", "redirect_loop_url", "webhook", "SPILNO_TELEGRAM_API_URL"),
    ("unauthorized", "unauthorized_url", "polling", "SPILNO_TELEGRAM_TOKEN"),
    ("closed-port", "closed_url", "webhook", "SPILNO_TELEGRAM_API_URL"),
    ("unknown-host", "http://spilno-no-such-host.invalid", "polling", "SPILNO_TELEGRAM_API_URL"),
]


@pytest.fixture(scope="module")
def broken() -> Iterator[BrokenBotApi]:
    with broken_bot_api() as api:
        yield api


def api_url(broken: BrokenBotApi, which: str) -> str:
    return getattr(broken, which) if not which.startswith("http") else which


def failing_env(database_url: str, **settings: str) -> dict[str, str]:
    return spilno_env(
        database_url=database_url,
        telegram_token=TOKEN,
        http_port=str(free_port()),
        default_locale="en",
        **settings,
    )


@pytest.mark.parametrize(
    ("which", "mode", "setting"), [c[1:] for c in FAILURES], ids=[c[0] for c in FAILURES]
)
def test_spilno_run_fails_in_one_line_naming_the_setting(
    broken, tmp_path, sqlite_template, which, mode, setting
):
    extra = {"webhook_base_url": "https://bot.example.org"} if mode == "webhook" else {}
    env = failing_env(
        sqlite_template.fresh(tmp_path), telegram_api_url=api_url(broken, which), **extra
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert TOKEN not in done.stdout + done.stderr
    assert TOKEN.split(":")[1] not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("spilno: ") and setting in last, done.stderr
    # Every connection was released: no "Unclosed client session" complaint at exit.
    assert "Unclosed" not in done.stderr


@pytest.mark.parametrize(
    ("which", "setting"), [(c[1], c[3]) for c in FAILURES], ids=[c[0] for c in FAILURES]
)
def test_link_channel_names_the_setting_and_never_the_token(
    broken, tmp_path, monkeypatch, capsys, sqlite_template, which, setting
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPILNO_DATABASE_URL", sqlite_template.fresh(tmp_path))
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "en")
    monkeypatch.delenv("SPILNO_CITY_ADMINS", raising=False)
    assert run_cli(["org", "create", "--name", "Green", "--slug", "green"]) == 0
    monkeypatch.setenv("SPILNO_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("SPILNO_TELEGRAM_API_URL", api_url(broken, which))
    capsys.readouterr()
    code = run_cli(["org", "link-channel", "green", "--telegram", "@green"])
    out, err = capsys.readouterr()
    assert TOKEN.split(":")[1] not in out + err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("spilno-admin: ") and setting in err, err
