"""A Ukrainian official reads every `spilno-admin` screen over the demo city: words, city time.

No English, no internal codes (`scheduled`, `after-close`, `poll.opened`, `True`), no UTC or
ISO times: those stay in `--json`. Usage errors are one Ukrainian line too (issue 14).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from admin_cli.app import run_cli
from core.bootstrap import bootstrap
from core.campaigns.audience import Audience
from core.citizens import service as citizens
from core.citizens.model import IdentityRef
from core.config import Settings
from core.contests import service as contests
from core.delivery import broadcasts
from core.demo import polls as demo
from core.ideas import service as ideas
from core.ideas.model import NewIdea, ReportReason, ReportTarget
from tests.databases import run_blocking

# Latin words an official may legitimately see: commands to type, and the demo's own names.
ALLOWED_LATIN = {"spilno-admin", "campaign", "help", "ID", "SPILNO_DATABASE_URL", "olha", "demo"}
CODES = re.compile(
    r"\b(draft|scheduled|open|closed|live|after-close|pending|approved|rejected|published|"
    r"True|False|None|poll|idea_call|consultation|contest|spam|off_topic|submissions|voting|"
    r"finished|single|multiple|scale|text|city_admin|org_admin|editor|scheduler)\b"
    r"|\w+\.\w+|\d{4}-\d\d-\d\dT|\+00:00|UTC"
)


@pytest.fixture
def city(sqlite_template, tmp_path, monkeypatch):
    url = sqlite_template.fresh(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPILNO_DATABASE_URL", url)
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "uk")
    monkeypatch.setenv("SPILNO_OFFICIAL", "olha")

    async def seed() -> dict[str, object]:
        app = bootstrap(Settings(database_url=url, _env_file=None))
        try:
            async with app.uow_factory() as uow:
                now = app.clock()
                await demo.seed_demo_city(uow, now)
                resident, _new = await citizens.resolve_citizen(
                    uow, IdentityRef("telegram", "4242"), now
                )
                pending = await ideas.submit_idea(
                    uow,
                    NewIdea(resident.id, "Більше урн у парку", "Урн замало.", "greenery", "center"),
                    now=now,
                )
                published = (await ideas.iter_ideas(uow, ideas.IdeaQuery()))[0]
                await ideas.report_item(
                    uow,
                    target=ReportTarget.IDEA,
                    item_id=published.id,
                    citizen_id=resident.id,
                    reason=ReportReason.SPAM,
                    now=now,
                )
                contest_id = next(c.id for c in await uow.campaigns.list() if c.kind == "contest")
                await contests.submit_entry(
                    uow,
                    contest_id=contest_id,
                    citizen_id=resident.id,
                    title="Кіно під зорями",
                    description="Літній кінотеатр на набережній.",
                    photo_ref=None,
                    now=now + timedelta(minutes=2),
                )
                await broadcasts.announce(
                    uow,
                    audience=Audience.parse("topic:transport"),
                    text="Завтра автобуси їздять за святковим розкладом.",
                    image=None,
                    actor="olha",
                    now=now,
                )
                await uow.commit()
                campaigns = await uow.campaigns.list()
                return {
                    "campaigns": [(c.id, c.kind.value) for c in campaigns],
                    "idea": pending.code,
                    "reported": published.code,
                    "contest": contest_id,
                }
        finally:
            await app.aclose()

    return run_blocking(seed())


def run(capsys, *args: str, expect: int = 0) -> str:
    capsys.readouterr()
    code = run_cli(list(args))
    out, err = capsys.readouterr()
    assert code == expect, (args, out, err)
    return out + err


def test_every_screen_reads_in_ukrainian_words_and_city_time(city, capsys):
    screens = {}
    commands: list[tuple[str, ...]] = [
        ("campaign", "list"),
        ("audit",),
        ("delivery", "status"),
        ("ideas", "list"),
        ("ideas", "show", str(city["idea"])),
        ("ideas", "show", str(city["reported"])),
        ("ideas", "reports"),
        ("contest", "entries", str(city["contest"])),
        ("org", "list"),
        ("officials", "list"),
    ]
    for campaign_id, kind in city["campaigns"]:
        commands.append(("campaign", "show", str(campaign_id)))
        if kind != "idea_call":
            commands.append(("campaign", "results", str(campaign_id)))
    slug = json.loads(run(capsys, "org", "list", "--json"))[0]["slug"]
    commands.append(("org", "show", slug))
    for command in commands:
        screens[" ".join(command)] = run(capsys, *command)

    # Commands to type stay as they are typed: strip them, the organization's slug and the
    # audit log's head hash (64 hex digits: an identifier, not words).
    typed = re.compile(r"spilno-admin[^)\n]*|\b[0-9a-f]{64}\b|" + re.escape(slug))
    plain = {name: typed.sub("", text) for name, text in screens.items()}
    leaks = {
        name: sorted(set(CODES.findall(text)) | latin_words(text)) for name, text in plain.items()
    }
    leaks = {name: found for name, found in leaks.items() if found}
    assert not leaks, json.dumps(leaks, ensure_ascii=False)
    assert "запланована" in screens["campaign list"]
    assert "створив(ла) опитування" in screens["audit"]
    assert "тема: Транспорт" in screens["delivery status"]
    assert "спам або реклама: 1" in screens["ideas reports"]


def latin_words(text: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z][A-Za-z_\-]+", re.sub(r"\bID-\d{4}-\d{4}\b", "", text)))
    return words - ALLOWED_LATIN


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--bogus"], "немає параметра --bogus"),
        (["nope"], "немає команди nope"),
        (["campaign", "show"], "бракує аргументу CAMPAIGN_ID"),
        (["campaign", "show", "abc"], "CAMPAIGN_ID має бути цілим числом"),
        (["campaign", "list", "--status", "bogus"], "--status має бути одним із: draft"),
        (["campaign", "show", "1", "2"], "зайвий аргумент: 2"),
        (["campaign", "list", "--status"], "--status потребує значення"),
        (["audit", "--limit", "0"], "--limit має бути цілим числом від 1 до 10000"),
        (["poll", "create", "--question", "Q"], "--option обовʼязковий"),
    ],
)
def test_a_usage_error_is_one_ukrainian_line_and_exit_2(monkeypatch, capsys, args, expected):
    monkeypatch.setenv("SPILNO_DEFAULT_LOCALE", "uk")
    text = run(capsys, *args, expect=2)
    assert text.startswith("spilno-admin: ") and expected in text, text
    assert len(text.strip().splitlines()) == 1
    assert "Usage" not in text and "Error" not in text and "╭" not in text
