"""Officials run organizations with `spilno-admin` on SQLite and PostgreSQL: roles, audit,
events, news, and link-channel checked against the fake Telegram Bot API."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator

import pytest

from tests.cli import cli_runner
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI


@pytest.fixture
def admin(database_url, tmp_path, monkeypatch, capsys, cli_mode):
    # Who reads when a call names nobody: the city admin, once roles exist (a bare name no
    # longer says who acts then), and anyone before.
    return cli_runner(database_url, tmp_path, monkeypatch, capsys, official="mayor", mode=cli_mode)


@pytest.fixture
def telegram(monkeypatch) -> Iterator[FakeTelegramAPI]:
    """The fake Bot API on its own event loop thread: the CLI runs its own asyncio.run."""
    api = FakeTelegramAPI()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(api.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    monkeypatch.setenv("SPILNO_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("SPILNO_TELEGRAM_API_URL", api.base_url)
    yield api
    asyncio.run_coroutine_threadsafe(api.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def city_with_roles(admin) -> None:
    admin("--as", "mayor", "officials", "add", "mayor", "--role", "city_admin")
    admin(
        "--as",
        "mayor",
        "org",
        "create",
        "--name",
        "Green city",
        "--slug",
        "green-city",
        "--description",
        "Parks",
    )
    admin("--as", "mayor", "org", "create", "--name", "Blue river", "--slug", "blue-river")
    admin(
        "--as",
        "mayor",
        "org",
        "add-official",
        "green-city",
        "--official",
        "olha",
        "--role",
        "admin",
    )
    admin(
        "--as",
        "olha",
        "org",
        "add-official",
        "green-city",
        "--official",
        "ivan",
        "--role",
        "editor",
    )


def test_an_organization_is_created_staffed_and_shown(admin):
    city_with_roles(admin)
    shown = json.loads(admin("org", "show", "green-city", "--json").stdout)
    assert shown["name"] == "Green city" and shown["followers"] == 0
    assert {(o["name"], o["role"]) for o in shown["officials"]} == {
        ("olha", "admin"),
        ("ivan", "editor"),
    }
    listed = json.loads(admin("org", "list", "--json").stdout)
    assert [o["slug"] for o in listed] == ["blue-river", "green-city"]
    roles = json.loads(admin("officials", "list", "--json").stdout)
    assert {"official": "ivan", "role": "editor", "org": "green-city"} in roles


def test_refused_actions_say_why_in_one_line(admin):
    city_with_roles(admin)
    refused = admin(
        "--as",
        "ivan",
        "org",
        "add-official",
        "green-city",
        "--official",
        "x",
        "--role",
        "editor",
        expect=1,
    )
    assert refused.stderr.count("\n") == 1
    assert "ivan's role does not allow them to manage this organization" in refused.stderr
    refused = admin("--as", "olha", "org", "post", "blue-river", "--text", "Hi", expect=1)
    assert "acts for another organization" in refused.stderr
    # Someone with no role at all is refused before anything (admin.as_stranger checks how).
    admin.as_stranger(
        "--as", "nobody", "poll", "create", "--question", "Q?", "--option", "A", "--option", "B"
    )
    admin("--as", "mayor", "org", "create", "--name", "X", "--slug", "Bad Slug!", expect=2)


def test_a_fresh_install_lets_any_official_act_until_a_city_admin_exists(admin, monkeypatch):
    admin("--as", "anyone", "org", "create", "--name", "A", "--slug", "aaa")
    monkeypatch.setenv("SPILNO_CITY_ADMINS", "mayor, deputy")
    admin("--as", "mayor", "org", "create", "--name", "B", "--slug", "bbb")
    admin.as_stranger("--as", "anyone", "org", "create", "--name", "C", "--slug", "ccc")
    names = {r["official"] for r in json.loads(admin("officials", "list", "--json").stdout)}
    assert names == {"mayor", "deputy"}


def test_events_and_news_are_audited_and_filtered_by_organization_and_time(admin):
    city_with_roles(admin)
    created = admin(
        "--as",
        "ivan",
        "org",
        "event",
        "create",
        "green-city",
        "--title",
        "Clean-up",
        "--starts",
        "2099-05-01T10:00",
        "--ends",
        "2099-05-01T13:00",
        "--place",
        "Central park",
        "--remind",
        "24h,2h",
        "--json",
    )
    event = json.loads(created.stdout)
    assert event["reminders"] == "1d,2h" and event["starts_at"].startswith("2099-05-01T07:00")
    admin("--as", "ivan", "org", "post", "green-city", "--text", "We planted 40 trees")
    admin("--as", "mayor", "org", "post", "blue-river", "--text", "River day")
    admin("--as", "olha", "org", "event", "cancel", str(event["id"]), "--reason", "Storm")
    again = admin(
        "--as", "olha", "org", "event", "cancel", str(event["id"]), "--reason", "x", expect=1
    )
    assert "already cancelled" in again.stderr
    entries = json.loads(admin("audit", "--org", "green-city", "--json").stdout)
    assert [e["action"] for e in entries] == [
        "event.cancel",
        "org.post",
        "event.create",
        "org.add_official",
        "org.add_official",
        "org.create",
    ]
    assert entries[0]["actor"] == "olha"
    assert json.loads(admin("audit", "--since", "2099-01-01T00:00", "--json").stdout) == []
    bad = admin("audit", "--since", "yesterday", expect=2)
    assert "--since" in bad.stderr


def test_event_options_are_checked_with_a_clear_message(admin):
    city_with_roles(admin)
    base = ("--as", "mayor", "org", "event", "create", "green-city", "--title", "T", "--place", "P")
    late = admin(*base, "--starts", "2001-01-01T10:00", expect=2)
    assert "--starts must be in the future" in late.stderr
    odd = admin(*base, "--starts", "2099-01-01T10:00", "--remind", "soon", expect=2)
    assert "'soon' is not a duration" in odd.stderr
    admin("--as", "mayor", "org", "event", "cancel", "999", "--reason", "x", expect=1)


@pytest.mark.local_only(
    "counts every call to the fake Bot API: a test server given the bot's token runs the bot "
    "against it too (getUpdates, setMyCommands…)"
)
def test_link_channel_accepts_a_channel_where_the_bot_may_post(admin, telegram):
    city_with_roles(admin)
    telegram.add_channel("green_city", -1001, title="Green city news")
    done = admin("--as", "olha", "org", "link-channel", "green-city", "--telegram", "@green_city")
    assert "@green_city" in done.stdout
    shown = json.loads(admin("org", "show", "green-city", "--json").stdout)
    assert shown["channels"] == [
        {"platform": "telegram", "chat": "@green_city", "title": "Green city news"}
    ]
    assert [c.method for c in telegram.calls] == ["getMe", "getChat", "getChatMember"]


def test_link_channel_explains_how_to_make_the_bot_an_admin(admin, telegram):
    city_with_roles(admin)
    telegram.add_channel("member_only", -1002, bot_status="member")
    refused = admin(
        "--as", "olha", "org", "link-channel", "green-city", "--telegram", "@member_only", expect=1
    )
    assert "not an administrator" in refused.stderr and "Post messages" in refused.stderr
    telegram.add_channel("no_posting", -1003, can_post=False)
    refused = admin(
        "--as", "olha", "org", "link-channel", "green-city", "--telegram", "no_posting", expect=1
    )
    assert "may not post" in refused.stderr
    shown = json.loads(admin("org", "show", "green-city", "--json").stdout)
    assert shown["channels"] == []


def test_link_channel_to_an_unknown_chat_says_to_check_the_username(admin, telegram):
    city_with_roles(admin)
    refused = admin(
        "--as", "olha", "org", "link-channel", "green-city", "--telegram", "@nope", expect=1
    )
    assert "does not know the chat @nope" in refused.stderr


def test_link_channel_needs_the_bot_token(admin):
    city_with_roles(admin)
    refused = admin(
        "--as", "olha", "org", "link-channel", "green-city", "--telegram", "@x", expect=2
    )
    assert "SPILNO_TELEGRAM_TOKEN" in refused.stderr and "hromada set-bot" in refused.stderr


def test_link_channel_checks_with_the_hromadas_own_bot(admin, telegram, tmp_path, monkeypatch):
    # The hromada's own bot (hromada set-bot) posts its organizations' news, so the channel is
    # checked with that bot, with no installation-wide SPILNO_TELEGRAM_TOKEN at all.
    monkeypatch.delenv("SPILNO_TELEGRAM_TOKEN")
    (tmp_path / "telegram.token").write_text(TOKEN + "\n")
    admin("hromada", "set-bot", "main", "--telegram-token-file", str(tmp_path / "telegram.token"))
    city_with_roles(admin)
    telegram.add_channel("green_city", -1001, title="Green city news")
    done = admin("--as", "olha", "org", "link-channel", "green-city", "--telegram", "@green_city")
    assert "@green_city" in done.stdout
